//! The PostgreSQL store: shared by replicas; leases use `FOR UPDATE SKIP LOCKED`
//! and planners take an advisory lock per parent issue.

mod codec;
mod deliveries;
mod jobs;
mod lock;
mod records;
mod schedules;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::core::ids::{IssueNumber, RepoName};
use crate::store::error::{StoreError, StoreResult, redact_url};
use crate::store::job::{
    Backoff, Enqueued, Failed, JobId, JobRow, JobState, LeaseToken, LeasedJob, NewJob, QueueDepth,
};
use crate::store::lock::lock_key;

use crate::store::Store;
use crate::store::records::{
    DeliveryWithJobs, EffectRecord, EventRow, NewDelivery, NewEvent, PlanRow, Recorded, TaskFilter,
    TaskRow,
};
pub use lock::PgLockGuard;

/// The PostgreSQL schema, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// A [`Store`] on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    backoff: Backoff,
}

impl PgStore {
    async fn close_pools(&self) {
        self.pool.close().await;
    }

    /// Connects to the database a `postgres://` URL names and migrates it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options: PgConnectOptions = url.parse().map_err(|source| StoreError::Connect {
            url: redact_url(url),
            source,
        })?;
        Self::connect_with(options, url).await
    }

    /// Connects with explicit options (a `search_path`, say); `url` is only for error messages.
    pub async fn connect_with(options: PgConnectOptions, url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
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
        Ok(Self {
            pool,
            backoff: Backoff::default(),
        })
    }

    /// The same store with another retry backoff.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The underlying pool, for maintenance and tests.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl Store for PgStore {
    type LockGuard = PgLockGuard;

    crate::store::shared_sql::delegate_store!();

    async fn advisory_lock(&self, repo: &RepoName, issue: IssueNumber) -> StoreResult<PgLockGuard> {
        lock::lock(&self.pool, lock_key(repo, issue)).await
    }

    async fn try_advisory_lock(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
    ) -> StoreResult<Option<PgLockGuard>> {
        lock::try_lock(&self.pool, lock_key(repo, issue)).await
    }

    async fn unlock(&self, guard: PgLockGuard) -> StoreResult<()> {
        guard.release().await
    }
}
