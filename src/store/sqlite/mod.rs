//! The SQLite store: one file in WAL mode, for a single vayu process.

mod checkpoint;
mod codec;
mod connect;
mod deliveries;
mod jobs;
mod records;
mod schedules;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;

use crate::core::ids::{IssueNumber, RepoName};
use crate::store::Store;
use crate::store::error::{StoreError, StoreResult, redact_url};
use crate::store::job::{
    Backoff, Enqueued, Failed, JobId, JobRow, JobState, LeaseToken, LeasedJob, NewJob, QueueDepth,
};
use crate::store::lock::{LocalLockGuard, LocalLocks, lock_key};
use crate::store::records::{
    DeliveryWithJobs, EffectRecord, EventRow, NewDelivery, NewEvent, PlanRow, Recorded, TaskFilter,
    TaskRow,
};

/// Takes the write lock at `BEGIN`, so a transaction that reads then writes
/// never fails to upgrade its lock (SQLITE_BUSY) halfway through.
const IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// The SQLite schema, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// A [`Store`] on a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    backoff: Backoff,
    // SQLite has no advisory locks; one process owns the file, so a
    // process-local table of async mutexes excludes every planner that can
    // write to it.
    locks: LocalLocks,
}

impl SqliteStore {
    /// Opens (creating if missing) the file a `sqlite://` URL names and migrates it.
    /// `?synchronous=full` makes every commit durable against power loss.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = connect::options_from_url(url)?;
        Self::connect_with(options, url).await
    }

    /// Opens with explicit options (WAL, busy timeout and synchronous are the caller's);
    /// `url` is only for error messages.
    pub async fn connect_with(options: SqliteConnectOptions, url: &str) -> StoreResult<Self> {
        let pool = connect::pool_options()
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_url(url),
                source,
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: redact_url(url),
                source,
            })?;
        checkpoint::spawn(pool.clone());
        Ok(Self {
            pool,
            backoff: Backoff::default(),
            locks: LocalLocks::default(),
        })
    }

    /// The same store with another retry backoff.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The underlying pool, for maintenance and tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl Store for SqliteStore {
    type LockGuard = LocalLockGuard;

    async fn readiness(&self) -> StoreResult<()> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await?;
        crate::store::any::check_migrations(&MIGRATOR, &applied)
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn record_delivery(
        &self,
        delivery: &NewDelivery,
        jobs: &[NewJob],
    ) -> StoreResult<Recorded> {
        deliveries::record_delivery(&self.pool, delivery, jobs).await
    }

    async fn record_deliveries(
        &self,
        batch: &[DeliveryWithJobs],
    ) -> StoreResult<Vec<StoreResult<Recorded>>> {
        deliveries::record_deliveries(&self.pool, batch).await
    }

    async fn prune_deliveries(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
        deliveries::prune_deliveries(&self.pool, older_than).await
    }

    async fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> StoreResult<Enqueued> {
        jobs::enqueue(&self.pool, job, now).await
    }

    async fn lease(
        &self,
        worker: &str,
        kinds: Option<&[&str]>,
        lease_for: Duration,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<LeasedJob>> {
        jobs::lease(
            &self.pool,
            self.backoff,
            worker,
            kinds,
            lease_for,
            now,
            limit,
        )
        .await
    }

    async fn complete(&self, id: JobId, lease: LeaseToken, now: DateTime<Utc>) -> StoreResult<()> {
        jobs::complete(&self.pool, id, lease, now).await
    }

    async fn fail(
        &self,
        id: JobId,
        lease: LeaseToken,
        error: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Failed> {
        jobs::fail(&self.pool, self.backoff, id, lease, error, now).await
    }

    async fn defer(
        &self,
        id: JobId,
        lease: LeaseToken,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        jobs::defer(&self.pool, id, lease, run_at, now).await
    }

    async fn list_jobs(&self, state: JobState) -> StoreResult<Vec<JobRow>> {
        jobs::list_jobs(&self.pool, state).await
    }

    async fn retry_dead(&self, id: JobId, now: DateTime<Utc>) -> StoreResult<()> {
        jobs::retry_dead(&self.pool, id, now).await
    }

    async fn queue_depth(&self) -> StoreResult<QueueDepth> {
        jobs::queue_depth(&self.pool).await
    }

    async fn advisory_lock(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> StoreResult<LocalLockGuard> {
        Ok(self.locks.lock(lock_key(repo, issue)).await)
    }

    async fn try_advisory_lock(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> StoreResult<Option<LocalLockGuard>> {
        Ok(self.locks.try_lock(lock_key(repo, issue)))
    }

    async fn unlock(&self, guard: LocalLockGuard) -> StoreResult<()> {
        drop(guard);
        Ok(())
    }

    async fn effect_done(&self, key: &str) -> StoreResult<Option<EffectRecord>> {
        records::effect_done(&self.pool, key).await
    }

    async fn record_effect(
        &self,
        key: &str,
        result: &Value,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        records::record_effect(&self.pool, key, result, now).await
    }

    async fn upsert_task(&self, task: &TaskRow) -> StoreResult<()> {
        records::upsert_task(&self.pool, task).await
    }

    async fn get_task(&self, repo: &RepoName, issue: IssueNumber) -> StoreResult<Option<TaskRow>> {
        records::get_task(&self.pool, repo, issue).await
    }

    async fn list_tasks(&self, filter: &TaskFilter) -> StoreResult<Vec<TaskRow>> {
        records::list_tasks(&self.pool, filter).await
    }

    async fn upsert_plan(&self, plan: &PlanRow) -> StoreResult<()> {
        records::upsert_plan(&self.pool, plan).await
    }

    async fn get_plan(&self, repo: &RepoName, issue: IssueNumber) -> StoreResult<Option<PlanRow>> {
        records::get_plan(&self.pool, repo, issue).await
    }

    async fn list_plans(&self, repo: Option<&RepoName>) -> StoreResult<Vec<PlanRow>> {
        records::list_plans(&self.pool, repo).await
    }

    async fn append_event(&self, event: &NewEvent) -> StoreResult<i64> {
        records::append_event(&self.pool, event).await
    }

    async fn latest_events(
        &self,
        repo: Option<&RepoName>,
        limit: u32,
    ) -> StoreResult<Vec<EventRow>> {
        records::latest_events(&self.pool, repo, limit).await
    }

    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRow>> {
        records::events_since(&self.pool, after, limit).await
    }

    async fn last_schedule_slot(
        &self,
        repo: &RepoName,
        schedule: &str,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        schedules::last_slot(&self.pool, repo, schedule).await
    }

    async fn claim_schedule_slot(
        &self,
        repo: &RepoName,
        schedule: &str,
        slot: DateTime<Utc>,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        schedules::claim(&self.pool, repo, schedule, slot, job, now).await
    }

    async fn known_repos(&self) -> StoreResult<Vec<RepoName>> {
        schedules::known_repos(&self.pool).await
    }
}
