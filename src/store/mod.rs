//! The durable store: webhook deliveries, the job queue with leases, and the
//! cached task/plan/event/effect tables (DESIGN §1.3, §7). GitHub stays the
//! source of truth; this is a durable queue and a cache.
//!
//! One [`Store`] trait, two implementations over sqlx pools: [`SqliteStore`]
//! (a single file, one process) and [`PgStore`] (replicas sharing a server).
//! [`connect`] picks one by the URL's scheme and migrates it. Every operation
//! that depends on time takes `now`, so tests control the clock.

pub mod any;
pub mod error;
pub mod job;
pub mod lock;
pub mod postgres;
pub mod records;
mod shared_sql;
pub mod sqlite;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::core::ids::{DeliveryId, IssueNumber, RepoName};

pub use any::{AnyLockGuard, AnyStore, connect};
pub use error::{StoreError, StoreResult, redact_url};
pub use job::{
    Backoff, Enqueued, Failed, JobId, JobPayload, JobRow, JobState, LeaseToken, LeasedJob, NewJob,
    QueueDepth,
};
pub use lock::{LocalLockGuard, lock_key};
pub use postgres::{PgLockGuard, PgStore};
pub use records::{
    DeliveryBody, DeliveryWithJobs, EffectRecord, EventRow, NewDelivery, NewEvent, PlanRow,
    Recorded, TaskFilter, TaskRow,
};
pub use sqlite::SqliteStore;

/// What vayu needs from its database; both backends pass the same test suite.
pub trait Store: Send + Sync {
    /// Holds the per-parent lock until given to [`Store::unlock`] (or dropped).
    type LockGuard: Send;

    /// Ok when the database answers and every embedded migration is applied.
    fn readiness(&self) -> impl Future<Output = StoreResult<()>> + Send;

    /// Closes the pool; later calls fail.
    fn close(&self) -> impl Future<Output = ()> + Send;

    /// Stores a delivery and enqueues its jobs in one transaction; a delivery
    /// id seen before stores and enqueues nothing.
    fn record_delivery(
        &self,
        delivery: &NewDelivery,
        jobs: &[NewJob],
    ) -> impl Future<Output = StoreResult<Recorded>> + Send;

    /// Stores many deliveries with their jobs in one transaction (group
    /// commit). One outcome per input, in order: a duplicate is `Duplicate`
    /// and an item that fails is rolled back to its savepoint and reported
    /// alone, without failing the others. The outer error means the
    /// transaction itself failed and nothing was stored.
    fn record_deliveries(
        &self,
        batch: &[DeliveryWithJobs],
    ) -> impl Future<Output = StoreResult<Vec<StoreResult<Recorded>>>> + Send;

    /// Deletes deliveries received before `older_than` (their jobs stay);
    /// returns how many were deleted. A delivery redelivered after pruning is
    /// accepted again, so keep them longer than GitHub's redelivery window.
    fn prune_deliveries(
        &self,
        older_than: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    /// The raw body of a stored delivery, exactly as GitHub signed it; `None`
    /// when no delivery has this id (never stored, or pruned).
    fn delivery_body(
        &self,
        id: &DeliveryId,
    ) -> impl Future<Output = StoreResult<Option<Vec<u8>>>> + Send;

    /// Adds a job unless one with the same dedupe key exists (see
    /// [`NewJob::requeue_done`] for the one exception).
    fn enqueue(
        &self,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<Enqueued>> + Send;

    /// Leases up to `limit` due queued jobs of the given kinds (`None`: every
    /// kind) to `worker` until `now + lease_for`, oldest `run_at` first; no
    /// job is leased twice at once. First every expired lease (of any kind)
    /// counts as a failed attempt at its `lease_until`: the job backs off as
    /// in [`Store::fail`], or is dead after its last attempt.
    fn lease(
        &self,
        worker: &str,
        kinds: Option<&[&str]>,
        lease_for: Duration,
        now: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<LeasedJob>>> + Send;

    /// Marks the job done if `lease` is still its lease, else
    /// [`StoreError::LeaseLost`]. A lease past `lease_until` that no other
    /// worker has taken over still counts, even once the expiry was counted
    /// as a failed attempt: the work was done, so keep it.
    fn complete(
        &self,
        id: JobId,
        lease: LeaseToken,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Records a failure under `lease`: the job waits `base · 2^attempts`
    /// (capped; computed in SQL) or is dead once it has failed `max_attempts`
    /// times. [`StoreError::LeaseLost`] if the lease is no longer ours.
    fn fail(
        &self,
        id: JobId,
        lease: LeaseToken,
        error: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<Failed>> + Send;

    /// Gives a leased job back without counting an attempt: queued again,
    /// not before `run_at` (its parent is busy, or a circuit breaker holds
    /// GitHub back).
    /// [`StoreError::LeaseLost`] if the lease is no longer ours.
    fn defer(
        &self,
        id: JobId,
        lease: LeaseToken,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Jobs in `state`, oldest first.
    fn list_jobs(&self, state: JobState) -> impl Future<Output = StoreResult<Vec<JobRow>>> + Send;

    /// Dead jobs, oldest first (`vayu jobs --dead`).
    fn list_dead(&self) -> impl Future<Output = StoreResult<Vec<JobRow>>> + Send {
        self.list_jobs(JobState::Dead)
    }

    /// Queues a dead job again, runnable at `now`, with zero attempts;
    /// [`StoreError::NotFound`] if no dead job has this id.
    fn retry_dead(
        &self,
        id: JobId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// How many jobs are in each state.
    fn queue_depth(&self) -> impl Future<Output = StoreResult<QueueDepth>> + Send;

    /// Waits until no one else plans `(repo, issue)`, then holds it.
    /// PostgreSQL: a session advisory lock, shared by every replica.
    /// SQLite: a process-local mutex, which excludes everyone only because a
    /// SQLite store is served by a single vayu process (never share the file
    /// between processes).
    fn advisory_lock(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> impl Future<Output = StoreResult<Self::LockGuard>> + Send;

    /// Holds `(repo, issue)` if no one else does, without waiting.
    fn try_advisory_lock(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> impl Future<Output = StoreResult<Option<Self::LockGuard>>> + Send;

    /// Releases a lock taken by [`Store::advisory_lock`].
    fn unlock(&self, guard: Self::LockGuard) -> impl Future<Output = StoreResult<()>> + Send;

    /// The record of the effect with this idempotency key, if it ran.
    fn effect_done(
        &self,
        key: &str,
    ) -> impl Future<Output = StoreResult<Option<EffectRecord>>> + Send;

    /// Records that the effect ran; false (and nothing changed) if it was recorded before.
    fn record_effect(
        &self,
        key: &str,
        result: &Value,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Inserts or replaces the task row for `(repo, issue_number)`.
    fn upsert_task(&self, task: &TaskRow) -> impl Future<Output = StoreResult<()>> + Send;

    /// The task row for `(repo, issue)`.
    fn get_task(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> impl Future<Output = StoreResult<Option<TaskRow>>> + Send;

    /// Task rows matching `filter`, by repository then issue number.
    fn list_tasks(
        &self,
        filter: &TaskFilter,
    ) -> impl Future<Output = StoreResult<Vec<TaskRow>>> + Send;

    /// Inserts or replaces the plan for `(repo, issue_number)`.
    fn upsert_plan(&self, plan: &PlanRow) -> impl Future<Output = StoreResult<()>> + Send;

    /// The plan for `(repo, issue)`.
    fn get_plan(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> impl Future<Output = StoreResult<Option<PlanRow>>> + Send;

    /// Plans, of one repository or all, by repository then issue number.
    fn list_plans(
        &self,
        repo: Option<&RepoName>,
    ) -> impl Future<Output = StoreResult<Vec<PlanRow>>> + Send;

    /// Appends an event; returns its id (greater than every earlier id).
    fn append_event(&self, event: &NewEvent) -> impl Future<Output = StoreResult<i64>> + Send;

    /// The last `limit` events (of `repo`, or of every repository), oldest first.
    fn latest_events(
        &self,
        repo: Option<&RepoName>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;

    /// Up to `limit` events with id greater than `after`, in order.
    fn events_since(
        &self,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;

    /// The newest slot fired for `schedule` in `repo`, if any.
    fn last_schedule_slot(
        &self,
        repo: &RepoName,
        schedule: &str,
    ) -> impl Future<Output = StoreResult<Option<DateTime<Utc>>>> + Send;

    /// Claims `slot` of `schedule` and enqueues `job` in one transaction;
    /// false (nothing stored) when this or a later slot was claimed before.
    fn claim_schedule_slot(
        &self,
        repo: &RepoName,
        schedule: &str,
        slot: DateTime<Utc>,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Repositories vayu knows (deliveries, tasks, installations), by name,
    /// without those the App was removed from.
    fn known_repos(&self) -> impl Future<Output = StoreResult<Vec<RepoName>>> + Send;

    /// Records that `repos` were added to installation `installation`, or
    /// removed from it.
    fn set_installed(
        &self,
        installation: crate::core::ids::InstallationId,
        repos: &[RepoName],
        removed: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

/// Milliseconds since the epoch, as SQLite stores instants.
pub(crate) fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The error `retry_dead` returns for an id that is not a dead job.
pub(crate) fn no_dead_job(id: JobId) -> StoreError {
    StoreError::NotFound {
        what: "dead job",
        id: id.to_string(),
        hint: "`vayu jobs --dead` lists the dead jobs",
    }
}

/// The instant `ms` milliseconds after the epoch.
pub(crate) fn from_millis(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or(StoreError::Corrupt {
        what: "timestamp",
        detail: format!("{ms} ms is out of range"),
    })
}

/// Duration in whole milliseconds, saturating.
pub(crate) fn duration_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A u64 id as the signed integer both databases store.
pub(crate) fn to_i64(n: u64, what: &'static str) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt {
        what,
        detail: format!("{n} does not fit a 64-bit signed column"),
    })
}

/// A stored integer as a u64 id.
pub(crate) fn to_u64(n: i64, what: &'static str) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt {
        what,
        detail: format!("{n} is negative"),
    })
}

/// A stored integer as a u32 count.
pub(crate) fn to_u32(n: i64, what: &'static str) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt {
        what,
        detail: format!("{n} is not a count"),
    })
}

/// Parses a stored vocabulary word or repository name.
pub(crate) fn parse_word<T: std::str::FromStr>(s: &str, what: &'static str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}
