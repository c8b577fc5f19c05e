//! Deliveries and the job queue on PostgreSQL. Every write runs in a
//! `BEGIN IMMEDIATE` transaction, which takes the write lock up front so two
//! writers never deadlock upgrading a read lock.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::store::error::{StoreError, StoreResult};
use crate::store::job::{
    Backoff, Enqueued, Failed, JobId, JobRow, JobState, LeaseToken, LeasedJob, NewJob, QueueDepth,
};
use crate::store::records::{DeliveryWithJobs, NewDelivery, Recorded};
use crate::store::{to_i64, to_u32};

async fn insert_delivery(
    conn: &mut PgConnection,
    delivery: &NewDelivery,
    jobs: &[NewJob],
) -> StoreResult<Recorded> {
    let installation = delivery
        .installation_id
        .map(|i| to_i64(i.0, "installation id"))
        .transpose()?;
    let inserted = sqlx::query(
        "INSERT INTO deliveries (id, event, action, installation_id, repo, received_at, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(delivery.id.as_str())
    .bind(&delivery.event)
    .bind(&delivery.action)
    .bind(installation)
    .bind(delivery.repo.as_ref().map(|r| r.to_string()))
    .bind(delivery.received_at)
    .bind(&delivery.payload)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Recorded::Duplicate);
    }
    for job in jobs {
        insert_job(conn, job, delivery.received_at).await?;
    }
    Ok(Recorded::Inserted)
}

async fn insert_job(
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
    Ok(id.map_or(Enqueued::Duplicate, |id| Enqueued::New(JobId(id))))
}

pub(super) async fn record_delivery(
    pool: &PgPool,
    delivery: &NewDelivery,
    jobs: &[NewJob],
) -> StoreResult<Recorded> {
    let mut tx = pool.begin().await?;
    let outcome = insert_delivery(&mut tx, delivery, jobs).await?;
    tx.commit().await?;
    Ok(outcome)
}

pub(super) async fn record_deliveries(
    pool: &PgPool,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<Recorded>> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for item in batch {
        outcomes.push(insert_delivery(&mut tx, &item.delivery, &item.jobs).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
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
    worker: &str,
    lease_for: Duration,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<LeasedJob>> {
    let token = Uuid::now_v7();
    let until = chrono::Duration::from_std(lease_for)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    // Rows another transaction is leasing are skipped, not waited for; the
    // rows we lock are re-checked against the WHERE after locking.
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        "UPDATE jobs SET state = 'running', lease_until = $1, leased_by = $2,
                lease_token = $3, updated_at = $4
         WHERE id IN (
             SELECT id FROM jobs
             WHERE (state = 'queued' AND run_at <= $4)
                OR (state = 'running' AND lease_until <= $4)
             ORDER BY run_at, id LIMIT $5
             FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind(until)
    .bind(worker)
    .bind(token)
    .bind(now)
    .bind(i64::from(limit))
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

pub(super) async fn complete(
    pool: &PgPool,
    id: JobId,
    lease: LeaseToken,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', lease_until = NULL, lease_token = NULL, updated_at = $3
         WHERE id = $1 AND lease_token = $2 AND state = 'running'",
    )
    .bind(id.0)
    .bind(lease.0)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(StoreError::LeaseLost { job: id });
    }
    Ok(())
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

fn job_row(row: &PgRow) -> StoreResult<JobRow> {
    let state: String = row.try_get("state")?;
    Ok(JobRow {
        id: JobId(row.try_get("id")?),
        kind: row.try_get("kind")?,
        dedupe_key: row.try_get("dedupe_key")?,
        payload: row.try_get::<Json<Value>, _>("payload")?.0,
        state: JobState::parse(&state).ok_or(StoreError::Corrupt {
            what: "job state",
            detail: state.clone(),
        })?,
        attempts: to_u32(row.try_get("attempts")?, "job attempts")?,
        max_attempts: to_u32(row.try_get("max_attempts")?, "job max_attempts")?,
        run_at: row.try_get("run_at")?,
        lease_until: row.try_get("lease_until")?,
        leased_by: row.try_get("leased_by")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) async fn list_jobs(pool: &PgPool, state: JobState) -> StoreResult<Vec<JobRow>> {
    let rows = sqlx::query("SELECT * FROM jobs WHERE state = $1 ORDER BY id")
        .bind(state.as_str())
        .fetch_all(pool)
        .await?;
    rows.iter().map(job_row).collect()
}

pub(super) async fn retry_dead(pool: &PgPool, id: JobId, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2
         WHERE id = $1 AND state = 'dead'",
    )
    .bind(id.0)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(super) async fn queue_depth(pool: &PgPool) -> StoreResult<QueueDepth> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, count(*) FROM jobs GROUP BY state")
            .fetch_all(pool)
            .await?;
    let mut depth = QueueDepth::default();
    for (state, n) in rows {
        let state = JobState::parse(&state).ok_or(StoreError::Corrupt {
            what: "job state",
            detail: state.clone(),
        })?;
        depth.add(state, crate::store::to_u64(n, "job count")?);
    }
    Ok(depth)
}
