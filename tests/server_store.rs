//! The webhook over the real SQLite store: a signed delivery's job is durable
//! before the 202, a duplicate enqueues nothing, readiness reflects the database.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::Arc;

use axum::http::StatusCode;
use server_support::*;
use tokio::sync::Notify;
use vayu::server::signature::WebhookSecret;
use vayu::server::store_ingest::StoreIngest;
use vayu::server::{Verify, webhook_app};
use vayu::store::{JobState, Store, connect};

#[tokio::test]
async fn deliveries_go_through_the_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vayu.db").display());
    let store = Arc::new(connect(&url).await.unwrap());
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
    store.close().await;
    assert_eq!(
        get(&app.router, "/readyz").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
