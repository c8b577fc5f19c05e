//! Webhook deliveries on SQLite: stored with their jobs in one `BEGIN
//! IMMEDIATE` transaction, which takes the write lock up front so two writers
//! never deadlock upgrading a read lock.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Acquire, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use super::IMMEDIATE;
use super::jobs::insert_job;
use crate::store::error::StoreResult;
use crate::store::job::NewJob;
use crate::store::records::{DeliveryWithJobs, NewDelivery, Recorded};
use crate::store::{to_i64, to_millis};

/// Inserts the delivery and, only if its id is new, its jobs.
async fn insert_delivery(
    conn: &mut SqliteConnection,
    delivery: &NewDelivery,
    jobs: &[NewJob],
) -> StoreResult<Recorded> {
    let installation = delivery
        .installation_id
        .map(|i| to_i64(i.0, "installation id"))
        .transpose()?;
    let inserted = sqlx::query(
        "INSERT INTO deliveries (id, event, action, installation_id, repo, received_at, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(delivery.id.as_str())
    .bind(&delivery.event)
    .bind(&delivery.action)
    .bind(installation)
    .bind(delivery.repo.as_ref().map(|r| r.to_string()))
    .bind(to_millis(delivery.received_at))
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

pub(super) async fn record_delivery(
    pool: &SqlitePool,
    delivery: &NewDelivery,
    jobs: &[NewJob],
) -> StoreResult<Recorded> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let outcome = insert_delivery(&mut tx, delivery, jobs).await?;
    tx.commit().await?;
    Ok(outcome)
}

pub(super) async fn record_deliveries(
    pool: &SqlitePool,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<StoreResult<Recorded>>> {
    // Fast path: items almost never fail, so try the whole batch without a
    // savepoint per item (they cost two statements each, a third of the
    // throughput of a 16-delivery batch).
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    match insert_batch(&mut tx, batch).await {
        Ok(outcomes) => {
            tx.commit().await?;
            Ok(outcomes.into_iter().map(Ok).collect())
        }
        Err(_) => {
            tx.rollback().await?;
            record_each(pool, batch).await
        }
    }
}

/// Rows per multi-row `INSERT`: 7 binds each stays far below SQLite's
/// 32,766-variable limit.
const ROWS_PER_INSERT: usize = 512;

/// The whole batch in two statements per chunk (one for the deliveries, one
/// for the jobs of those that were new) instead of two per delivery: on
/// SQLite every statement is a round trip to sqlx's connection thread, which
/// cost more than the writes themselves.
async fn insert_batch(
    conn: &mut SqliteConnection,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<Recorded>> {
    // Requeueing a done job is an UPDATE that depends on the row's state;
    // webhook jobs never ask for it, so the rare batch that does goes row by row.
    if batch.iter().any(|i| i.jobs.iter().any(|j| j.requeue_done)) {
        let mut outcomes = Vec::with_capacity(batch.len());
        for item in batch {
            outcomes.push(insert_delivery(conn, &item.delivery, &item.jobs).await?);
        }
        return Ok(outcomes);
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for chunk in batch.chunks(ROWS_PER_INSERT) {
        outcomes.extend(insert_chunk(conn, chunk).await?);
    }
    Ok(outcomes)
}

async fn insert_chunk(
    conn: &mut SqliteConnection,
    chunk: &[DeliveryWithJobs],
) -> StoreResult<Vec<Recorded>> {
    let mut rows = Vec::with_capacity(chunk.len());
    for item in chunk {
        let d = &item.delivery;
        let installation = d
            .installation_id
            .map(|i| to_i64(i.0, "installation id"))
            .transpose()?;
        rows.push((d, installation, d.repo.as_ref().map(|r| r.to_string())));
    }
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO deliveries (id, event, action, installation_id, repo, received_at, payload) ",
    );
    insert.push_values(rows, |mut row, (d, installation, repo)| {
        row.push_bind(d.id.as_str())
            .push_bind(d.event.as_str())
            .push_bind(d.action.as_deref())
            .push_bind(installation)
            .push_bind(repo)
            .push_bind(to_millis(d.received_at))
            .push_bind(d.payload.as_str());
    });
    insert.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
    let inserted: Vec<String> = insert.build_query_scalar().fetch_all(&mut *conn).await?;
    let mut new_ids: HashSet<&str> = inserted.iter().map(String::as_str).collect();
    // An id twice in one batch was inserted once: the first occurrence owns it.
    let outcomes: Vec<Recorded> = chunk
        .iter()
        .map(|item| {
            if new_ids.remove(item.delivery.id.as_str()) {
                Recorded::Inserted
            } else {
                Recorded::Duplicate
            }
        })
        .collect();
    let jobs: Vec<(&NewJob, i64)> = chunk
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| **o == Recorded::Inserted)
        .flat_map(|(item, _)| {
            let now = to_millis(item.delivery.received_at);
            item.jobs.iter().map(move |j| (j, now))
        })
        .collect();
    for jobs in jobs.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO jobs (kind, dedupe_key, payload, max_attempts, run_at, created_at, updated_at) ",
        );
        insert.push_values(jobs, |mut row, (job, now)| {
            row.push_bind(job.kind.as_str())
                .push_bind(job.dedupe_key.as_deref())
                .push_bind(Json(&job.payload))
                .push_bind(i64::from(job.max_attempts))
                .push_bind(to_millis(job.run_at))
                .push_bind(*now)
                .push_bind(*now);
        });
        insert.push(" ON CONFLICT (dedupe_key) DO NOTHING");
        insert.build().execute(&mut *conn).await?;
    }
    Ok(outcomes)
}

/// The batch again with a savepoint per item, so a failing item rolls back
/// alone and the others still commit together.
async fn record_each(
    pool: &SqlitePool,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<StoreResult<Recorded>>> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for item in batch {
        let mut item_tx = (&mut *tx).begin().await?;
        match insert_delivery(&mut item_tx, &item.delivery, &item.jobs).await {
            Ok(recorded) => {
                item_tx.commit().await?;
                outcomes.push(Ok(recorded));
            }
            Err(e) => {
                item_tx.rollback().await?;
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

pub(super) async fn prune_deliveries(
    pool: &SqlitePool,
    older_than: DateTime<Utc>,
) -> StoreResult<u64> {
    let n = sqlx::query("DELETE FROM deliveries WHERE received_at < ?")
        .bind(to_millis(older_than))
        .execute(pool)
        .await?
        .rows_affected();
    Ok(n)
}
