//! Webhook deliveries on SQLite: stored with their jobs in one `BEGIN
//! IMMEDIATE` transaction, which takes the write lock up front so two writers
//! never deadlock upgrading a read lock.

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Acquire, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use super::jobs::insert_job;
use super::{IMMEDIATE, SqliteStore};
use crate::store::error::{StoreError, StoreResult};
use crate::store::job::NewJob;
use crate::store::records::{
    DeliveryWithJobs, LZ4_ENCODING, NewDelivery, Recorded, batch_outcomes, needs_row_by_row,
};
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
        "INSERT INTO deliveries (id, event, action, installation_id, repo, received_at, payload, encoding)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(delivery.id.as_str())
    .bind(&delivery.event)
    .bind(&delivery.action)
    .bind(installation)
    .bind(delivery.repo.as_ref().map(|r| r.to_string()))
    .bind(to_millis(delivery.received_at))
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
    store: &SqliteStore,
    delivery: &NewDelivery,
    jobs: &[NewJob],
) -> StoreResult<Recorded> {
    retry_busy(|| async {
        let mut tx = store.writer.begin_with(IMMEDIATE).await?;
        let outcome = insert_delivery(&mut tx, delivery, jobs).await?;
        tx.commit().await?;
        Ok(outcome)
    })
    .await
}

pub(super) async fn record_deliveries(
    store: &SqliteStore,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<StoreResult<Recorded>>> {
    let pool = &store.writer;
    if needs_row_by_row(batch) {
        return retry_busy(|| record_each(pool, batch)).await;
    }
    // Fast path: items almost never fail, so try the whole batch at once,
    // without a savepoint per item.
    match retry_busy(|| try_batch(pool, batch)).await {
        Ok(outcomes) => Ok(outcomes.into_iter().map(Ok).collect()),
        Err(_) => retry_busy(|| record_each(pool, batch)).await,
    }
}

async fn try_batch(pool: &SqlitePool, batch: &[DeliveryWithJobs]) -> StoreResult<Vec<Recorded>> {
    let mut conn = pool.acquire().await?;
    let outcome = insert_batch(&mut conn, batch).await;
    match &outcome {
        // Busy comes from the batch's first statement, `BEGIN IMMEDIATE`
        // (once it holds the write lock nothing else in WAL mode waits for
        // one), so no transaction is open and the connection is kept with
        // its warm cache: the checkpointer's restarts make this happen about
        // once a second under load, and reopening the writer each time cost
        // a thread and a cold page cache. Were a transaction somehow left
        // open, the next batch's `BEGIN` would fail and land below.
        Err(e) if is_busy(e) => {}
        // Any other failure may have left the batch's transaction open (it
        // is one string, so sqlx does not know one began); a fresh
        // connection is sure to start clean, and closing rolls it back.
        Err(_) => conn.close_on_drop(),
        Ok(_) => {}
    }
    outcome
}

/// How long the ingest writer keeps retrying a busy database before the
/// batch fails (and its requests get 503).
const BUSY_PATIENCE: Duration = Duration::from_secs(5);

/// Runs `attempt` again while the database is busy. The writer connection
/// has no busy timeout of its own (see `connect::writer_options`): SQLite's
/// built-in handler sleeps 10, 15, 20 ms between tries, so a write lock held
/// for 2 ms by a WAL restart cost a batch 20 ms. Here the first retries only
/// yield, later ones wait 1 ms.
async fn retry_busy<T, F, Fut>(mut attempt: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let started = Instant::now();
    let mut tries = 0u32;
    loop {
        match attempt().await {
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_PATIENCE => {
                tries += 1;
                if tries <= 16 {
                    tokio::task::yield_now().await;
                } else {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            outcome => return outcome,
        }
    }
}

/// `SQLITE_BUSY` or one of its extended codes.
fn is_busy(e: &StoreError) -> bool {
    match e {
        StoreError::Database(sqlx::Error::Database(db)) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == 5),
        _ => false,
    }
}

/// Rows per multi-row `INSERT`: 8 binds each stays far below SQLite's
/// 32,766-variable limit.
const ROWS_PER_INSERT: usize = 512;

/// The whole batch (transaction included) as one multi-statement query: on
/// SQLite every statement sqlx runs is a hand-off to the connection's own
/// thread and back, and on two busy cores each hand-off waited ~300 µs for
/// a core — more than the writes themselves. Per chunk the jobs go first,
/// only for deliveries not stored yet, then the deliveries, whose
/// `RETURNING` names the new ones.
async fn insert_batch(
    conn: &mut SqliteConnection,
    batch: &[DeliveryWithJobs],
) -> StoreResult<Vec<Recorded>> {
    let mut query = QueryBuilder::<Sqlite>::new("BEGIN IMMEDIATE; ");
    for chunk in batch.chunks(ROWS_PER_INSERT) {
        push_chunk(&mut query, chunk)?;
    }
    query.push("COMMIT;");
    let inserted: Vec<String> = query.build_query_scalar().fetch_all(&mut *conn).await?;
    Ok(batch_outcomes(batch, &inserted))
}

fn push_chunk(query: &mut QueryBuilder<Sqlite>, chunk: &[DeliveryWithJobs]) -> StoreResult<()> {
    // Jobs of the first occurrence of each id only, so an id twice in the
    // batch enqueues once.
    let mut firsts = HashSet::new();
    let jobs: Vec<(&str, &NewJob, i64)> = chunk
        .iter()
        .filter(|item| firsts.insert(item.delivery.id.as_str()))
        .flat_map(|item| {
            let now = to_millis(item.delivery.received_at);
            item.jobs
                .iter()
                .map(move |j| (item.delivery.id.as_str(), j, now))
        })
        .collect();
    if !jobs.is_empty() {
        query.push(
            "INSERT INTO jobs (kind, dedupe_key, payload, max_attempts, run_at, created_at, updated_at) \
             SELECT column2, column3, column4, column5, column6, column7, column7 FROM (",
        );
        query.push_values(jobs, |mut row, (delivery, job, now)| {
            row.push_bind(delivery)
                .push_bind(job.kind.as_str())
                .push_bind(job.dedupe_key.as_deref())
                .push_bind(Json(&job.payload))
                .push_bind(i64::from(job.max_attempts))
                .push_bind(to_millis(job.run_at))
                .push_bind(now);
        });
        query.push(
            ") WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.id = column1) \
             ON CONFLICT (dedupe_key) DO NOTHING; ",
        );
    }
    let mut rows = Vec::with_capacity(chunk.len());
    for item in chunk {
        let d = &item.delivery;
        let installation = d
            .installation_id
            .map(|i| to_i64(i.0, "installation id"))
            .transpose()?;
        rows.push((d, installation, d.repo.as_ref().map(|r| r.to_string())));
    }
    query.push(
        "INSERT INTO deliveries (id, event, action, installation_id, repo, received_at, payload, encoding) ",
    );
    query.push_values(rows, |mut row, (d, installation, repo)| {
        row.push_bind(d.id.as_str())
            .push_bind(d.event.as_str())
            .push_bind(d.action.as_deref())
            .push_bind(installation)
            .push_bind(repo)
            .push_bind(to_millis(d.received_at))
            .push_bind(d.payload.compressed())
            .push_bind(LZ4_ENCODING);
    });
    query.push(" ON CONFLICT (id) DO NOTHING RETURNING id; ");
    Ok(())
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
