//! The store suite on SQLite: a fresh database file per test.

// The shared cases are plain async fns, not #[test]s, so clippy's
// allow-unwrap-in-tests does not cover them.
#![allow(clippy::unwrap_used)]

mod store {
    pub mod cases;
    pub mod defer_cases;
    pub mod schedule_cases;
}

use store::cases;
use vayu::store::{SqliteStore, Store, StoreError};

async fn fresh() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vayu.db").display());
    let store = SqliteStore::connect(&url)
        .await
        .unwrap()
        .with_backoff(cases::BACKOFF);
    (dir, store)
}

macro_rules! suite {
    ($($case:ident),+ $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let (_dir, store) = fresh().await;
            cases::$case(&store).await;
        }
    )+};
}

suite!(
    delivery_and_jobs_are_atomic,
    duplicate_delivery_enqueues_nothing,
    batch_with_duplicates_keeps_the_others,
    large_batch_keeps_every_outcome,
    two_leasers_one_job,
    expired_lease_is_leasable_again,
    backoff_then_dead_then_retry,
    enqueue_dedupes_by_key,
    effects_record_once,
    advisory_lock_excludes,
    events_since_in_order,
    tasks_and_plans_round_trip,
    readiness_then_closed,
    batch_item_that_fails_rolls_back_alone,
    prune_deliveries_by_age,
    lease_filters_by_kind,
    done_job_is_requeued_only_when_asked,
    expired_leases_count_until_dead,
    late_completion_after_expiry_counts,
    defer_keeps_attempts,
    latest_events_by_repo,
    delivery_body_round_trips,
);

mod schedules {
    use super::*;
    use store::schedule_cases as cases;

    suite!(
        schedule_slot_is_claimed_once,
        older_schedule_slot_is_refused,
        installed_repos_are_known_until_removed
    );
}

mod deferral {
    use super::*;
    use store::defer_cases as cases;

    suite!(deferred_job_keeps_its_attempts);
}

#[tokio::test]
async fn connect_errors_hide_passwords() {
    cases::connect_errors_hide_passwords().await;
}

#[tokio::test]
async fn readiness_reports_unapplied_migrations() {
    let (_dir, store) = fresh().await;
    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.readiness().await.unwrap_err();
    assert!(
        matches!(&err, StoreError::MigrationsPending { missing } if missing.first() == Some(&1)),
        "{err}"
    );
}

#[tokio::test]
async fn file_is_created_in_wal_mode_and_synchronous_is_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let normal = vayu::store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(path.exists());
    let vayu::store::AnyStore::Sqlite(normal) = normal else {
        panic!("not sqlite")
    };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(normal.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(normal.pool())
        .await
        .unwrap();
    assert_eq!(sync, 1, "NORMAL");
    let full = SqliteStore::connect(&format!("sqlite://{}?synchronous=full", path.display()))
        .await
        .unwrap();
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(full.pool())
        .await
        .unwrap();
    assert_eq!(sync, 2, "FULL");
    let err = SqliteStore::connect(&format!("sqlite://{}?synchronous=off", path.display()))
        .await
        .unwrap_err();
    assert!(
        err.to_string().ends_with(
            "?synchronous=off`: synchronous=off: use `synchronous=full` or `synchronous=normal`"
        ),
        "{err}"
    );
}

/// A database that stored bodies as JSON text before migration 0005 still
/// gives them back, byte for byte, once vayu has migrated it.
#[tokio::test]
async fn bodies_stored_before_compression_read_back_after_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    // The schema as it was before 0005: the same migration files, applied alone.
    let before = dir.path().join("migrations");
    std::fs::create_dir(&before).unwrap();
    for file in ["0001_initial.sql", "0004_schedule_runs.sql"] {
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations/sqlite")
                .join(file),
            before.join(file),
        )
        .unwrap();
    }
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let old = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(before.as_path())
        .await
        .unwrap()
        .run(&old)
        .await
        .unwrap();
    let body = r#"{"action":"opened","zen":"Keep it logically awesome."}"#;
    sqlx::query(
        "INSERT INTO deliveries (id, event, received_at, payload) VALUES ('old', 'issues', 0, ?)",
    )
    .bind(body)
    .execute(&old)
    .await
    .unwrap();
    old.close().await;

    let store = SqliteStore::connect(&url).await.unwrap();
    store.readiness().await.unwrap();
    let id = vayu::core::ids::DeliveryId("old".into());
    assert_eq!(
        store.delivery_body(&id).await.unwrap().as_deref(),
        Some(body.as_bytes())
    );
}

/// A batch that finds another connection holding the write lock waits it
/// out and commits, and the writer keeps working afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_waits_out_another_writer_and_the_writer_keeps_working() {
    use std::time::{Duration, Instant};
    use vayu::core::ids::DeliveryId;
    use vayu::store::{DeliveryWithJobs, JobState, NewDelivery, NewJob, Recorded};

    let (dir, store) = fresh().await;
    let item = |id: &str| DeliveryWithJobs {
        delivery: NewDelivery {
            id: DeliveryId(id.to_owned()),
            event: "issues".into(),
            action: Some("opened".into()),
            installation_id: None,
            repo: None,
            received_at: chrono::Utc::now(),
            payload: format!(r#"{{"delivery":"{id}"}}"#).into(),
        },
        jobs: vec![
            NewJob::new(
                "event",
                serde_json::json!({ "delivery": id }),
                chrono::Utc::now(),
            )
            .dedupe(format!("delivery:{id}")),
        ],
    };
    let other = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("vayu.db").display()
    ))
    .await
    .unwrap();
    let mut holder = other.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *holder)
        .await
        .unwrap();

    let held = Duration::from_millis(150);
    let started = Instant::now();
    let first = [item("a"), item("b")];
    let (outcomes, ()) = tokio::join!(store.record_deliveries(&first), async {
        tokio::time::sleep(held).await;
        sqlx::query("COMMIT").execute(&mut *holder).await.unwrap();
    });
    assert!(
        started.elapsed() >= held,
        "stored while another writer held the lock"
    );
    let outcomes: Vec<_> = outcomes.unwrap().into_iter().map(Result::unwrap).collect();
    assert_eq!(outcomes, [Recorded::Inserted, Recorded::Inserted]);

    let second = store
        .record_deliveries(&[item("c"), item("a")])
        .await
        .unwrap();
    let second: Vec<_> = second.into_iter().map(Result::unwrap).collect();
    assert_eq!(second, [Recorded::Inserted, Recorded::Duplicate]);
    assert_eq!(store.list_jobs(JobState::Queued).await.unwrap().len(), 3);
}
