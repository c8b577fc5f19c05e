//! Choosing a backend by URL scheme, and the enum that lets callers hold
//! either without `sqlx::Any` (which would erase each backend's SQL dialect).

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::migrate::Migrator;

use crate::core::ids::{DeliveryId, IssueNumber, RepoName};

use super::Store;
use super::error::{StoreError, StoreResult, redact_url};
use super::job::{
    Backoff, Enqueued, Failed, JobId, JobRow, JobState, LeaseToken, LeasedJob, NewJob, QueueDepth,
};
use super::lock::LocalLockGuard;
use super::postgres::{PgLockGuard, PgStore};
use super::records::{
    DeliveryWithJobs, EffectRecord, EventRow, NewDelivery, NewEvent, PlanRow, Recorded, TaskFilter,
    TaskRow,
};
use super::sqlite::SqliteStore;

/// Either backend, chosen at run time by [`connect`].
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// A SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL server.
    Postgres(PgStore),
}

/// The lock guard of whichever backend holds it.
#[derive(Debug)]
pub enum AnyLockGuard {
    /// A process-local lock (SQLite).
    Local(LocalLockGuard),
    /// A PostgreSQL advisory lock.
    Postgres(PgLockGuard),
}

/// Opens the store a URL names (`sqlite://…` or `postgres://…`/`postgresql://…`)
/// and applies its migrations.
pub async fn connect(url: &str) -> StoreResult<AnyStore> {
    if url.starts_with("sqlite:") {
        Ok(AnyStore::Sqlite(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(AnyStore::Postgres(PgStore::connect(url).await?))
    } else {
        Err(StoreError::InvalidUrl {
            url: redact_url(url),
            reason: "use `sqlite://path/to/vayu.db` or `postgres://user:password@host/db`".into(),
        })
    }
}

impl AnyStore {
    /// Opens the store `url` names; the same as [`connect`].
    pub async fn connect(url: &str) -> StoreResult<Self> {
        connect(url).await
    }

    /// The same store with another retry backoff.
    pub fn with_backoff(self, backoff: Backoff) -> Self {
        match self {
            Self::Sqlite(s) => Self::Sqlite(s.with_backoff(backoff)),
            Self::Postgres(s) => Self::Postgres(s.with_backoff(backoff)),
        }
    }
}

/// Ok when every migration `migrator` embeds is among `applied`.
pub(crate) fn check_migrations(migrator: &Migrator, applied: &[i64]) -> StoreResult<()> {
    let applied: BTreeSet<i64> = applied.iter().copied().collect();
    let missing: Vec<i64> = migrator
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(StoreError::MigrationsPending { missing })
    }
}

/// Calls the same method on whichever backend `self` is.
macro_rules! both {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $call,
            AnyStore::Postgres($s) => $call,
        }
    };
}

impl Store for AnyStore {
    type LockGuard = AnyLockGuard;

    async fn readiness(&self) -> StoreResult<()> {
        both!(self, s => s.readiness().await)
    }

    async fn close(&self) {
        both!(self, s => s.close().await)
    }

    async fn record_delivery(&self, d: &NewDelivery, jobs: &[NewJob]) -> StoreResult<Recorded> {
        both!(self, s => s.record_delivery(d, jobs).await)
    }

    async fn record_deliveries(
        &self,
        batch: &[DeliveryWithJobs],
    ) -> StoreResult<Vec<StoreResult<Recorded>>> {
        both!(self, s => s.record_deliveries(batch).await)
    }

    async fn prune_deliveries(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
        both!(self, s => s.prune_deliveries(older_than).await)
    }

    async fn delivery_body(&self, id: &DeliveryId) -> StoreResult<Option<Vec<u8>>> {
        both!(self, s => s.delivery_body(id).await)
    }

    async fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> StoreResult<Enqueued> {
        both!(self, s => s.enqueue(job, now).await)
    }

    async fn lease(
        &self,
        worker: &str,
        kinds: Option<&[&str]>,
        lease_for: Duration,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<LeasedJob>> {
        both!(self, s => s.lease(worker, kinds, lease_for, now, limit).await)
    }

    async fn complete(&self, id: JobId, lease: LeaseToken, now: DateTime<Utc>) -> StoreResult<()> {
        both!(self, s => s.complete(id, lease, now).await)
    }

    async fn fail(
        &self,
        id: JobId,
        lease: LeaseToken,
        error: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Failed> {
        both!(self, s => s.fail(id, lease, error, now).await)
    }

    async fn defer(
        &self,
        id: JobId,
        lease: LeaseToken,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        both!(self, s => s.defer(id, lease, run_at, now).await)
    }

    async fn list_jobs(&self, state: JobState) -> StoreResult<Vec<JobRow>> {
        both!(self, s => s.list_jobs(state).await)
    }

    async fn retry_dead(&self, id: JobId, now: DateTime<Utc>) -> StoreResult<()> {
        both!(self, s => s.retry_dead(id, now).await)
    }

    async fn queue_depth(&self) -> StoreResult<QueueDepth> {
        both!(self, s => s.queue_depth().await)
    }

    async fn advisory_lock(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> StoreResult<AnyLockGuard> {
        match self {
            Self::Sqlite(s) => Ok(AnyLockGuard::Local(s.advisory_lock(repo, issue).await?)),
            Self::Postgres(s) => Ok(AnyLockGuard::Postgres(s.advisory_lock(repo, issue).await?)),
        }
    }

    async fn try_advisory_lock(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> StoreResult<Option<AnyLockGuard>> {
        match self {
            Self::Sqlite(s) => Ok(s
                .try_advisory_lock(repo, issue)
                .await?
                .map(AnyLockGuard::Local)),
            Self::Postgres(s) => Ok(s
                .try_advisory_lock(repo, issue)
                .await?
                .map(AnyLockGuard::Postgres)),
        }
    }

    async fn unlock(&self, guard: AnyLockGuard) -> StoreResult<()> {
        match (self, guard) {
            (Self::Sqlite(s), AnyLockGuard::Local(g)) => s.unlock(g).await,
            (Self::Postgres(s), AnyLockGuard::Postgres(g)) => s.unlock(g).await,
            // A guard from another store: dropping it releases it (the
            // PostgreSQL guard closes its connection).
            (_, g) => {
                drop(g);
                Ok(())
            }
        }
    }

    async fn effect_done(&self, key: &str) -> StoreResult<Option<EffectRecord>> {
        both!(self, s => s.effect_done(key).await)
    }

    async fn record_effect(
        &self,
        key: &str,
        result: &Value,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        both!(self, s => s.record_effect(key, result, now).await)
    }

    async fn upsert_task(&self, task: &TaskRow) -> StoreResult<()> {
        both!(self, s => s.upsert_task(task).await)
    }

    async fn get_task(&self, repo: &RepoName, issue: IssueNumber) -> StoreResult<Option<TaskRow>> {
        both!(self, s => s.get_task(repo, issue).await)
    }

    async fn list_tasks(&self, filter: &TaskFilter) -> StoreResult<Vec<TaskRow>> {
        both!(self, s => s.list_tasks(filter).await)
    }

    async fn upsert_plan(&self, plan: &PlanRow) -> StoreResult<()> {
        both!(self, s => s.upsert_plan(plan).await)
    }

    async fn get_plan(&self, repo: &RepoName, issue: IssueNumber) -> StoreResult<Option<PlanRow>> {
        both!(self, s => s.get_plan(repo, issue).await)
    }

    async fn list_plans(&self, repo: Option<&RepoName>) -> StoreResult<Vec<PlanRow>> {
        both!(self, s => s.list_plans(repo).await)
    }

    async fn append_event(&self, event: &NewEvent) -> StoreResult<i64> {
        both!(self, s => s.append_event(event).await)
    }

    async fn latest_events(
        &self,
        repo: Option<&RepoName>,
        limit: u32,
    ) -> StoreResult<Vec<EventRow>> {
        both!(self, s => s.latest_events(repo, limit).await)
    }

    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRow>> {
        both!(self, s => s.events_since(after, limit).await)
    }

    async fn last_schedule_slot(
        &self,
        repo: &RepoName,
        schedule: &str,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        both!(self, s => s.last_schedule_slot(repo, schedule).await)
    }

    async fn claim_schedule_slot(
        &self,
        repo: &RepoName,
        schedule: &str,
        slot: DateTime<Utc>,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        both!(self, s => s.claim_schedule_slot(repo, schedule, slot, job, now).await)
    }

    async fn known_repos(&self) -> StoreResult<Vec<RepoName>> {
        both!(self, s => s.known_repos().await)
    }

    async fn set_installed(
        &self,
        installation: crate::core::ids::InstallationId,
        repos: &[RepoName],
        removed: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        both!(self, s => s.set_installed(installation, repos, removed, now).await)
    }
}
