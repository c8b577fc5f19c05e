//! The webhook over the real stores (SQLite, and PostgreSQL when
//! `DATABASE_URL_PG` is set): a signed delivery's job is durable before the
//! 202, a duplicate enqueues nothing, concurrent deliveries that share group
//! commits each get their own answer, readiness reflects the database.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::StatusCode;
use futures_util::future::join_all;
use server_support::*;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tokio::sync::Notify;
use vayu::server::signature::WebhookSecret;
use vayu::server::store_ingest::StoreIngest;
use vayu::server::{Verify, webhook_app};
use vayu::store::{JobState, PgStore, Store, connect};

/// The same behaviour whatever the backend.
async fn ingest_through<S: Store + 'static>(store: Arc<S>) {
    let secret = WebhookSecret::new(SECRET.to_owned()).unwrap();
    let app = webhook_app(
        Arc::new(StoreIngest::new(store.clone())),
        Verify::Secret(secret),
        Arc::new(Notify::new()),
    );
    assert_eq!(get(&app.router, "/readyz").await.0, StatusCode::OK);
    assert_eq!(
        send(&app.router, signed(labeled(), "issues", "s-1"))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        send(&app.router, signed(labeled(), "issues", "s-1"))
            .await
            .0,
        StatusCode::OK
    );
    let mut bad = labeled();
    bad.truncate(100);
    assert_eq!(
        send(&app.router, signed(bad, "issues", "s-2")).await.0,
        StatusCode::BAD_REQUEST
    );
    let jobs = store.list_jobs(JobState::Queued).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "event");
    assert_eq!(jobs[0].dedupe_key.as_deref(), Some("delivery:s-1"));

    // 40 new ids, each sent twice, plus a redelivery of s-1, all at once so
    // they land in shared batches (duplicates inside one batch included).
    let ids: Vec<String> = (0..40).map(|n| format!("c-{n}")).collect();
    let requests = ids
        .iter()
        .chain(&ids)
        .map(String::as_str)
        .chain(["s-1"])
        .map(|id| {
            let router = app.router.clone();
            let id = id.to_owned();
            async move { (send(&router, signed(labeled(), "issues", &id)).await.0, id) }
        });
    let answers = join_all(requests).await;
    let accepted: Vec<&str> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::ACCEPTED)
        .map(|(_, id)| id.as_str())
        .collect();
    let duplicates = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(accepted.len(), 40, "{answers:?}");
    assert_eq!(duplicates, 41, "{answers:?}");
    assert_eq!(
        accepted.iter().copied().collect::<BTreeSet<_>>(),
        ids.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    let keys: BTreeSet<String> = store
        .list_jobs(JobState::Queued)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|j| j.dedupe_key)
        .collect();
    let expected: BTreeSet<String> = ids
        .iter()
        .chain([&"s-1".to_owned()])
        .map(|id| format!("delivery:{id}"))
        .collect();
    assert_eq!(keys, expected);

    store.close().await;
    assert_eq!(
        get(&app.router, "/readyz").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_go_through_the_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vayu.db").display());
    ingest_through(Arc::new(connect(&url).await.unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_go_through_the_postgres_store() {
    let Ok(url) = std::env::var("DATABASE_URL_PG") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "DATABASE_URL_PG is unset under CI: run scripts/start-postgres.sh and export it"
        );
        println!("skipped: DATABASE_URL_PG is unset");
        return;
    };
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let options: PgConnectOptions = url.parse().unwrap();
    let options = options.options([("search_path", schema.as_str())]);
    let store = PgStore::connect_with(options, &url).await.unwrap();
    ingest_through(Arc::new(store)).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&mut admin)
        .await
        .unwrap();
}
