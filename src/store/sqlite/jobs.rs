//! The job queue on SQLite. Writes that read before they write run in a
//! `BEGIN IMMEDIATE` transaction, which takes the write lock up front: no
//! other connection can lease between our choice of rows and our claim.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{Row, SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::IMMEDIATE;
use super::codec::{enc_time, enc_token};
use super::records::job_row;
use crate::store::error::{StoreError, StoreResult};
use crate::store::job::{
    Backoff, Enqueued, Failed, JobId, JobRow, JobState, LeaseToken, LeasedJob, NewJob, QueueDepth,
};
use crate::store::{duration_millis, from_millis, to_millis, to_u32};

/// Inserts `job` unless its dedupe key is taken; with `requeue_done`, a done
/// job holding the key is queued again instead.
pub(super) async fn insert_job(
    conn: &mut SqliteConnection,
    job: &NewJob,
    now: DateTime<Utc>,
) -> StoreResult<Enqueued> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO jobs (kind, dedupe_key, payload, max_attempts, run_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(&job.kind)
    .bind(&job.dedupe_key)
    .bind(Json(&job.payload))
    .bind(i64::from(job.max_attempts))
    .bind(to_millis(job.run_at))
    .bind(to_millis(now))
    .bind(to_millis(now))
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        return Ok(Enqueued::New(JobId(id)));
    }
    if !job.requeue_done {
        return Ok(Enqueued::Duplicate);
    }
    let requeued: Option<i64> = sqlx::query_scalar(
        "UPDATE jobs SET kind = ?2, payload = ?3, max_attempts = ?4, run_at = ?5,
                updated_at = ?6, state = 'queued', attempts = 0, last_error = NULL,
                lease_until = NULL, leased_by = NULL, lease_token = NULL
         WHERE dedupe_key = ?1 AND state = 'done' RETURNING id",
    )
    .bind(&job.dedupe_key)
    .bind(&job.kind)
    .bind(Json(&job.payload))
    .bind(i64::from(job.max_attempts))
    .bind(to_millis(job.run_at))
    .bind(to_millis(now))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(requeued.map_or(Enqueued::Duplicate, |id| Enqueued::Requeued(JobId(id))))
}

pub(super) async fn enqueue(
    pool: &SqlitePool,
    job: &NewJob,
    now: DateTime<Utc>,
) -> StoreResult<Enqueued> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let outcome = insert_job(&mut tx, job, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

pub(super) async fn lease(
    pool: &SqlitePool,
    backoff: Backoff,
    worker: &str,
    kinds: Option<&[&str]>,
    lease_for: Duration,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<LeasedJob>> {
    let token = Uuid::now_v7();
    // SQLite has no array binds: the kinds travel as one JSON array.
    let kinds = kinds
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt {
            what: "job kinds",
            detail: e.to_string(),
        })?;
    let now_ms = to_millis(now);
    let until_ms = now_ms.saturating_add(duration_millis(lease_for));
    // One UPDATE under the write lock: nobody can lease between our choice
    // of rows and our claim on them.
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    reap_expired(&mut tx, backoff, now_ms).await?;
    let rows = sqlx::query(
        "UPDATE jobs SET state = 'running', lease_until = ?1, leased_by = ?2,
                lease_token = ?3, updated_at = ?4
         WHERE id IN (
             SELECT id FROM jobs
             WHERE state = 'queued' AND run_at <= ?4
               AND (?6 IS NULL OR kind IN (SELECT value FROM json_each(?6)))
             ORDER BY run_at, id LIMIT ?5)
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind(until_ms)
    .bind(worker)
    .bind(token.to_string())
    .bind(now_ms)
    .bind(i64::from(limit))
    .bind(kinds)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let lease_until = from_millis(until_ms)?;
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
/// someone else leases it.
async fn reap_expired(
    conn: &mut SqliteConnection,
    backoff: Backoff,
    now_ms: i64,
) -> StoreResult<u64> {
    let reaped = sqlx::query(
        "UPDATE jobs SET
             attempts = attempts + 1,
             last_error = 'lease expired: worker ' || coalesce(leased_by, '?')
                          || ' stopped or ran past its lease',
             updated_at = ?1,
             state = CASE WHEN attempts + 1 >= max_attempts THEN 'dead' ELSE 'queued' END,
             run_at = CASE WHEN attempts + 1 >= max_attempts THEN run_at
                      ELSE lease_until + 1000 * min(?2 * (1 << min(attempts, 30)), ?3) END,
             lease_until = NULL
         WHERE state = 'running' AND lease_until <= ?1",
    )
    .bind(now_ms)
    .bind(backoff.base_secs())
    .bind(backoff.cap_secs())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(reaped)
}

pub(super) async fn fail(
    pool: &SqlitePool,
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
             last_error = ?3,
             updated_at = ?4,
             lease_until = NULL,
             lease_token = NULL,
             state = CASE WHEN attempts + 1 >= max_attempts THEN 'dead' ELSE 'queued' END,
             run_at = CASE WHEN attempts + 1 >= max_attempts THEN run_at
                      ELSE ?4 + 1000 * min(?5 * (1 << min(attempts, 30)), ?6) END
         WHERE id = ?1 AND lease_token = ?2 AND state = 'running'
         RETURNING state, run_at",
    )
    .bind(id.0)
    .bind(lease.0.to_string())
    .bind(error)
    .bind(to_millis(now))
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
        Ok(Failed::RetryAt(from_millis(row.try_get("run_at")?)?))
    }
}

crate::store::shared_sql::job_queries!(SqlitePool);
