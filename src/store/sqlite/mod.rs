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
    // Deliveries are stored through one connection of their own. Its page
    // cache then stays warm: a pooled connection drops its cache whenever
    // another connection wrote since it last ran, so group commits taking
    // turns on four connections read their B-tree pages from disk each time.
    writer: SqlitePool,
    // WAL checkpoints run from a connection of their own (`checkpoint.rs`).
    checkpointer: SqlitePool,
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
            .connect_with(options.clone())
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
        let writer = connect::writer_pool_options()
            .connect_with(connect::writer_options(options.clone()))
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_url(url),
                source,
            })?;
        let checkpointer = connect::checkpointer_pool(&options);
        checkpoint::spawn(checkpointer.clone());
        Ok(Self {
            checkpointer,
            pool,
            writer,
            backoff: Backoff::default(),
            locks: LocalLocks::default(),
        })
    }

    /// The same store with another retry backoff.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    async fn close_pools(&self) {
        self.checkpointer.close().await;
        self.writer.close().await;
        self.pool.close().await;
    }

    /// The underlying pool, for maintenance and tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl Store for SqliteStore {
    type LockGuard = LocalLockGuard;

    crate::store::shared_sql::delegate_store!();

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
}
