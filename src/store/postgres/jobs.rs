//! The job queue on PostgreSQL. Leasing locks the rows it picks with
//! `FOR UPDATE SKIP LOCKED`, so replicas leasing at once skip each other's
//! rows instead of waiting on them or taking them twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::codec::{enc_time, enc_token};
use super::records::job_row;
use crate::store::error::{StoreError, StoreResult};
use crate::store::job::{
    Backoff, Enqueued, Failed, JobId, JobRow, JobState, LeaseToken, LeasedJob, NewJob, QueueDepth,
};
use crate::store::to_u32;

/// Inserts `job` unless its dedupe key is taken; with `requeue_done`, a done
/// job holding the key is queued again instead.
pub(super) async fn insert_job(
    conn: &mut PgConnection,
    job: &NewJob,
    now: DateTime<Utc>,
) -> StoreResult<Enqueued> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO jobs (kind, dedupe_key, payload, max_attempts, run_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(&job.kind)
    .bind(&job.dedupe_key)
    .bind(Json(&job.payload))
    .bind(i64::from(job.max_attempts))
    .bind(job.run_at)
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        return Ok(Enqueued::New(JobId(id)));
    }
    if !job.requeue_done {
        return Ok(Enqueued::Duplicate);
    }
    let requeued: Option<i64> = sqlx::query_scalar(
        "UPDATE jobs SET kind = $2, payload = $3, max_attempts = $4, run_at = $5,
                updated_at = $6, state = 'queued', attempts = 0, last_error = NULL,
                lease_until = NULL, leased_by = NULL, lease_token = NULL
         WHERE dedupe_key = $1 AND state = 'done' RETURNING id",
    )
    .bind(&job.dedupe_key)
    .bind(&job.kind)
    .bind(Json(&job.payload))
    .bind(i64::from(job.max_attempts))
    .bind(job.run_at)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(requeued.map_or(Enqueued::Duplicate, |id| Enqueued::Requeued(JobId(id))))
}

pub(super) async fn enqueue(
    pool: &PgPool,
    job: &NewJob,
    now: DateTime<Utc>,
) -> StoreResult<Enqueued> {
    let mut tx = pool.begin().await?;
    let outcome = insert_job(&mut tx, job, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

pub(super) async fn lease(
    pool: &PgPool,
    backoff: Backoff,
    worker: &str,
    kinds: Option<&[&str]>,
    lease_for: Duration,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<LeasedJob>> {
    let token = Uuid::now_v7();
    let until = chrono::Duration::from_std(lease_for)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    // The CTE locks the rows it picks and skips rows another leaser has
    // locked; a row whose lock we wait for is never ours, so no job is
    // leased twice.
    let mut tx = pool.begin().await?;
    reap_expired(&mut tx, backoff, now).await?;
    let rows = sqlx::query(
        "WITH picked AS (
             SELECT id FROM jobs
             WHERE state = 'queued' AND run_at <= $4
               AND ($6::text[] IS NULL OR kind = ANY($6))
             ORDER BY run_at, id LIMIT $5
             FOR UPDATE SKIP LOCKED)
         UPDATE jobs SET state = 'running', lease_until = $1, leased_by = $2,
                lease_token = $3, updated_at = $4
         FROM picked WHERE jobs.id = picked.id
         RETURNING jobs.id, jobs.kind, jobs.payload, jobs.attempts, jobs.max_attempts",
    )
    .bind(until)
    .bind(worker)
    .bind(token)
    .bind(now)
    .bind(i64::from(limit))
    .bind(kinds)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let lease_until = until;
    let mut jobs = rows
        .iter()
        .map(|row| {
            Ok(LeasedJob {
                id: JobId(row.try_get("id")?),
                kind: row.try_get("kind")?,
                payload: row.try_get::<Json<Value>, _>("payload")?.0,
                attempts: to_u32(row.try_get("attempts")?, "job attempts")?,
                max_attempts: to_u32(row.try_get("max_attempts")?, "job max_attempts")?,
                lease: LeaseToken(token),
                lease_until,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Counts every expired lease as a failed attempt, as if its worker had
/// called `fail` at `lease_until`: the job waits `base · 2^attempts` from
/// there, or is dead after its last attempt. Without this a job that kills
/// every worker it runs on would be leased again forever. The lease token is
/// kept, so a late worker that did finish can still `complete` the job until
/// someone else leases it. Rows another transaction holds are skipped: that
/// transaction is leasing or reaping them already.
async fn reap_expired(
    conn: &mut PgConnection,
    backoff: Backoff,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let reaped = sqlx::query(
        "WITH expired AS (
             SELECT id FROM jobs WHERE state = 'running' AND lease_until <= $1
             FOR UPDATE SKIP LOCKED)
         UPDATE jobs SET
             attempts = attempts + 1,
             last_error = 'lease expired: worker ' || coalesce(leased_by, '?')
                          || ' stopped or ran past its lease',
             updated_at = $1,
             state = CASE WHEN attempts + 1 >= max_attempts THEN 'dead' ELSE 'queued' END,
             run_at = CASE WHEN attempts + 1 >= max_attempts THEN run_at
                      ELSE lease_until + least($2 * (1::bigint << least(attempts, 30)::int), $3)::float8
                             * interval '1 second' END,
             lease_until = NULL
         FROM expired WHERE jobs.id = expired.id",
    )
    .bind(now)
    .bind(backoff.base_secs())
    .bind(backoff.cap_secs())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(reaped)
}

pub(super) async fn fail(
    pool: &PgPool,
    backoff: Backoff,
    id: JobId,
    lease: LeaseToken,
    error: &str,
    now: DateTime<Utc>,
) -> StoreResult<Failed> {
    // The right-hand sides see the row before the update, so `attempts` is
    // the number of earlier failures: the wait is base·2^attempts seconds.
    let row = sqlx::query(
        "UPDATE jobs SET
             attempts = attempts + 1,
             last_error = $3,
             updated_at = $4,
             lease_until = NULL,
             lease_token = NULL,
             state = CASE WHEN attempts + 1 >= max_attempts THEN 'dead' ELSE 'queued' END,
             run_at = CASE WHEN attempts + 1 >= max_attempts THEN run_at
                      ELSE $4 + least($5 * (1::bigint << least(attempts, 30)::int), $6)::float8
                             * interval '1 second' END
         WHERE id = $1 AND lease_token = $2 AND state = 'running'
         RETURNING state, run_at",
    )
    .bind(id.0)
    .bind(lease.0)
    .bind(error)
    .bind(now)
    .bind(backoff.base_secs())
    .bind(backoff.cap_secs())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Err(StoreError::LeaseLost { job: id });
    };
    let state: String = row.try_get("state")?;
    if state == "dead" {
        Ok(Failed::Dead)
    } else {
        Ok(Failed::RetryAt(row.try_get("run_at")?))
    }
}

crate::store::shared_sql::job_queries!(PgPool);
