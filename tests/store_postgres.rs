//! The store suite on PostgreSQL (`DATABASE_URL_PG`; `scripts/start-postgres.sh`
//! starts one): a fresh schema per test. Without the variable the suite is
//! skipped locally and fails under CI.

// The shared cases are plain async fns, not #[test]s, so clippy's
// allow-unwrap-in-tests does not cover them.
#![allow(clippy::unwrap_used)]

mod store {
    pub mod cases;
    pub mod defer_cases;
    pub mod schedule_cases;
}

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use store::cases;
use vayu::store::{PgStore, Store, StoreError};

/// A store in a schema of its own, dropped afterwards.
struct Fresh {
    url: String,
    schema: String,
    store: PgStore,
}

async fn fresh() -> Option<Fresh> {
    let Ok(url) = std::env::var("DATABASE_URL_PG") else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "DATABASE_URL_PG is unset under CI: run scripts/start-postgres.sh and export it"
            );
        }
        println!("skipped: DATABASE_URL_PG is unset");
        return None;
    };
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let options: PgConnectOptions = url.parse().unwrap();
    let options = options.options([("search_path", schema.as_str())]);
    let store = PgStore::connect_with(options, &url)
        .await
        .unwrap()
        .with_backoff(cases::BACKOFF);
    Some(Fresh { url, schema, store })
}

impl Fresh {
    async fn drop_schema(self) {
        self.store.close().await;
        let mut admin = PgConnection::connect(&self.url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA {} CASCADE",
            self.schema
        )))
        .execute(&mut admin)
        .await
        .unwrap();
    }
}

macro_rules! suite {
    ($($case:ident),+ $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let Some(fresh) = fresh().await else { return };
            cases::$case(&fresh.store).await;
            fresh.drop_schema().await;
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
    let Some(fresh) = fresh().await else { return };
    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(fresh.store.pool())
        .await
        .unwrap();
    let err = fresh.store.readiness().await.unwrap_err();
    assert!(
        matches!(&err, StoreError::MigrationsPending { missing } if missing.first() == Some(&1)),
        "{err}"
    );
    fresh.drop_schema().await;
}

#[tokio::test]
async fn advisory_lock_is_shared_between_stores() {
    // Two stores stand for two replicas: the lock is the server's, not the process's.
    let (Some(a), Some(b)) = (fresh().await, fresh().await) else {
        return;
    };
    let repo: vayu::core::ids::RepoName = format!("lock-test/x{}", uuid::Uuid::now_v7().simple())
        .parse()
        .unwrap();
    let held = a
        .store
        .advisory_lock(&repo, vayu::core::ids::IssueNumber(5))
        .await
        .unwrap();
    assert!(
        b.store
            .try_advisory_lock(&repo, vayu::core::ids::IssueNumber(5))
            .await
            .unwrap()
            .is_none()
    );
    a.store.unlock(held).await.unwrap();
    let got = b
        .store
        .try_advisory_lock(&repo, vayu::core::ids::IssueNumber(5))
        .await
        .unwrap();
    b.store.unlock(got.unwrap()).await.unwrap();
    a.drop_schema().await;
    b.drop_schema().await;
}

#[tokio::test]
async fn connect_error_shows_url_without_password() {
    // A port that does not parse fails at once, through the same error path
    // as an unreachable server (which would wait out the pool timeout).
    let err = PgStore::connect("postgres://vayu:hunter2@127.0.0.1:port/vayu")
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "cannot connect to the database at `postgres://vayu:***@127.0.0.1:port/vayu`: "
        ),
        "{msg}"
    );
    assert!(!msg.contains("hunter2"), "{msg}");
}
