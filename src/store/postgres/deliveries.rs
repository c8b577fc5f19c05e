//! Webhook deliveries on PostgreSQL, stored with their jobs in one transaction.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Acquire, PgConnection, PgPool};

use super::PgStore;
use super::jobs::insert_job;
use crate::store::error::StoreResult;
use crate::store::job::{JobPayload, NewJob};
use crate::store::records::{
    DeliveryWithJobs, LZ4_ENCODING, NewDelivery, Recorded, batch_outcomes, needs_row_by_row,
};
use crate::store::to_i64;

/// Inserts the delivery and, only if its id is new, its jobs.
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
        "INSERT INTO deliveries (id, event, action, installation_id, repo, received_at, payload, encoding)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(delivery.id.as_str())
    .bind(&delivery.event)
    .bind(&delivery.action)
    .bind(installation)
    .bind(delivery.repo.as_ref().map(|r| r.to_string()))
    .bind(delivery.received_at)
    .bind(delivery.payload.compressed())
    .bind(LZ4_ENCODING)
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
    store: &PgStore,
    delivery: &NewDelivery,
    jobs: &[NewJob],
) -> StoreResult<Recorded> {
    let mut tx = store.pool.begin().await?;
    let outcome = insert_delivery(&mut tx, delivery, jobs).await?;
    tx.commit().await?;
    Ok(outcome)
}

pub(super) async fn record_deliveries(
    store: &PgStore,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<StoreResult<Recorded>>> {
    let pool = &store.pool;
    if needs_row_by_row(batch) {
        return record_each(pool, batch).await;
    }
    // Fast path: items almost never fail, so each chunk is one statement
    // (atomic on its own: a delivery and its jobs commit together, with no
    // BEGIN or COMMIT round trip); a chunk that fails goes again item by item
    // so only the bad one fails. Nothing is answered before every chunk is
    // committed.
    let mut outcomes = Vec::with_capacity(batch.len());
    for chunk in chunks(batch) {
        // The connection goes back before a fallback takes one of its own.
        let attempt = insert_batch(&mut *pool.acquire().await?, chunk).await;
        match attempt {
            Ok(recorded) => outcomes.extend(recorded.into_iter().map(Ok)),
            Err(_) => outcomes.extend(record_each(pool, chunk).await?),
        }
    }
    Ok(outcomes)
}

/// Bytes of deliveries per statement. sqlx 0.9.0 leaves Nagle's algorithm
/// on (transact-rs/sqlx#4335) and sends a statement in 16 KiB writes: every
/// write after the first waits until the server acknowledges the one
/// before, which the server delays by 40 ms. A 32-delivery statement took
/// ~48 ms that way; a statement that fits one write does not wait.
const CHUNK_BYTES: usize = 14 * 1024;

/// A delivery's share of a statement besides its body: its job's input
/// (~600 bytes for an event) and the other columns.
const ROW_OVERHEAD: usize = 1024;

/// Consecutive runs of `batch` of at most [`CHUNK_BYTES`] (at least one item each).
fn chunks(batch: &[DeliveryWithJobs]) -> impl Iterator<Item = &[DeliveryWithJobs]> {
    let mut rest = batch;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let n = rest
            .iter()
            .take_while(|item| {
                bytes += item.delivery.payload.compressed().len() + ROW_OVERHEAD;
                bytes <= CHUNK_BYTES
            })
            .count()
            .max(1);
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        Some(chunk)
    })
}

/// Every delivery of the batch, and the jobs of those that are new, in one
/// statement over arrays (`UNNEST`): row by row a 16-delivery batch took 32
/// round trips to the server. The jobs' insert reads the ids the deliveries'
/// insert returned, so a duplicate delivery enqueues nothing.
const INSERT_BATCH: &str = "
WITH new AS (
    INSERT INTO deliveries (id, event, action, installation_id, repo, received_at, payload, encoding)
    SELECT d.id, d.event, d.action, d.installation_id, d.repo, d.received_at, d.payload, $8
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::timestamptz[], $7::bytea[])
        AS d (id, event, action, installation_id, repo, received_at, payload)
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), queued AS (
    INSERT INTO jobs (kind, dedupe_key, payload, max_attempts, run_at, created_at, updated_at)
    SELECT j.kind, j.dedupe_key, j.payload, j.max_attempts, j.run_at, j.created_at, j.created_at
    FROM UNNEST($9::text[], $10::text[], $11::text[], $12::jsonb[], $13::int8[], $14::timestamptz[], $15::timestamptz[])
        AS j (delivery, kind, dedupe_key, payload, max_attempts, run_at, created_at)
    WHERE j.delivery IN (SELECT id FROM new)
    ON CONFLICT (dedupe_key) DO NOTHING
)
SELECT id FROM new";

async fn insert_batch(
    conn: &mut PgConnection,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<Recorded>> {
    let n = batch.len();
    let (mut ids, mut events, mut actions) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut installations, mut repos) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut received, mut payloads) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut jobs = JobColumns::default();
    // An id twice in one batch is stored once and enqueues once: the first
    // occurrence owns it.
    let mut firsts = HashSet::new();
    for item in batch {
        let d = &item.delivery;
        ids.push(d.id.as_str());
        events.push(d.event.as_str());
        actions.push(d.action.as_deref());
        installations.push(
            d.installation_id
                .map(|i| to_i64(i.0, "installation id"))
                .transpose()?,
        );
        repos.push(d.repo.as_ref().map(|r| r.to_string()));
        received.push(d.received_at);
        payloads.push(d.payload.compressed());
        if firsts.insert(d.id.as_str()) {
            for job in &item.jobs {
                jobs.push(d, job);
            }
        }
    }
    let inserted: Vec<String> = sqlx::query_scalar(INSERT_BATCH)
        .bind(ids)
        .bind(events)
        .bind(actions)
        .bind(installations)
        .bind(repos)
        .bind(received)
        .bind(payloads)
        .bind(LZ4_ENCODING)
        .bind(jobs.delivery)
        .bind(jobs.kind)
        .bind(jobs.dedupe_key)
        .bind(jobs.payload)
        .bind(jobs.max_attempts)
        .bind(jobs.run_at)
        .bind(jobs.created_at)
        .fetch_all(&mut *conn)
        .await?;
    Ok(batch_outcomes(batch, &inserted))
}

/// The jobs of a batch, column by column, for `UNNEST`.
#[derive(Default)]
struct JobColumns<'a> {
    delivery: Vec<&'a str>,
    kind: Vec<&'a str>,
    dedupe_key: Vec<Option<&'a str>>,
    payload: Vec<Json<&'a JobPayload>>,
    max_attempts: Vec<i64>,
    run_at: Vec<DateTime<Utc>>,
    created_at: Vec<DateTime<Utc>>,
}

impl<'a> JobColumns<'a> {
    fn push(&mut self, delivery: &'a NewDelivery, job: &'a NewJob) {
        self.delivery.push(delivery.id.as_str());
        self.kind.push(job.kind.as_str());
        self.dedupe_key.push(job.dedupe_key.as_deref());
        self.payload.push(Json(&job.payload));
        self.max_attempts.push(i64::from(job.max_attempts));
        self.run_at.push(job.run_at);
        self.created_at.push(delivery.received_at);
    }
}

/// The batch again with a savepoint per item, so a failing item rolls back
/// alone and the others still commit together.
async fn record_each(
    pool: &PgPool,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<StoreResult<Recorded>>> {
    let mut tx = pool.begin().await?;
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

pub(super) async fn prune_deliveries(pool: &PgPool, older_than: DateTime<Utc>) -> StoreResult<u64> {
    let n = sqlx::query("DELETE FROM deliveries WHERE received_at < $1")
        .bind(older_than)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(n)
}
