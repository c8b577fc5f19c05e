//! Deferring a leased job on PostgreSQL: back to `queued` at a later
//! `run_at`, its attempts untouched (GitHub, not the job, was failing).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::store::error::{StoreError, StoreResult};
use crate::store::job::{JobId, LeaseToken};

pub(super) async fn defer(
    pool: &PgPool,
    id: JobId,
    lease: LeaseToken,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let n = sqlx::query(
        "UPDATE jobs SET state = 'queued', run_at = $3, lease_until = NULL, leased_by = NULL,
                lease_token = NULL, updated_at = $4
         WHERE id = $1 AND lease_token = $2 AND state = 'running'",
    )
    .bind(id.0)
    .bind(lease.0)
    .bind(run_at)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::LeaseLost { job: id });
    }
    Ok(())
}
