//! Helpers shared by the `server_*` tests: signed requests over the real fixtures.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use tokio::sync::Notify;
use tower::ServiceExt;
use vayu::server::memory::MemoryQueue;
use vayu::server::signature::{WebhookSecret, sign};
use vayu::server::{Verify, WebhookApp, webhook_app};

pub const SECRET: &str = "test-webhook-secret-7f3a";

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/github/webhooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn labeled() -> Vec<u8> {
    fixture("issues.labeled.1.json")
}

pub struct Harness {
    pub app: WebhookApp,
    pub queue: Arc<MemoryQueue>,
    pub poke: Arc<Notify>,
}

pub fn harness() -> Harness {
    let queue = Arc::new(MemoryQueue::new());
    let poke = Arc::new(Notify::new());
    let secret = WebhookSecret::new(SECRET.to_owned()).unwrap();
    let app = webhook_app(queue.clone(), Verify::Secret(secret), poke.clone());
    Harness { app, queue, poke }
}

pub fn delivery(body: Vec<u8>, event: &str, id: &str, signature: Option<String>) -> Request<Body> {
    let mut req = Request::post("/webhook")
        .header("content-type", "application/json")
        .header("x-github-event", event)
        .header("x-github-delivery", id);
    if let Some(sig) = signature {
        req = req.header("x-hub-signature-256", sig);
    }
    req.body(Body::from(body)).unwrap()
}

pub fn signed(body: Vec<u8>, event: &str, id: &str) -> Request<Body> {
    let sig = sign(SECRET, &body);
    delivery(body, event, id, Some(sig))
}

pub async fn send(router: &Router, req: Request<Body>) -> (StatusCode, String) {
    let resp: Response<Body> = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

pub async fn get(router: &Router, path: &str) -> (StatusCode, String) {
    send(router, Request::get(path).body(Body::empty()).unwrap()).await
}

/// Waits until no job is queued or running. Up to a minute: a loaded 2-core
/// machine drains 1,000 jobs slowly, and an idle queue returns at once.
pub async fn wait_for_idle_queue<S: vayu::store::Store>(store: &S) {
    for _ in 0..2400 {
        let depth = store.queue_depth().await.expect("queue depth");
        if depth.queued == 0 && depth.running == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the job queue did not drain");
}

/// The orchestrator's context against a (simulated) GitHub at `base_url`,
/// with token `tok` and no pacing between writes.
pub fn orchestrator_ctx(
    base_url: String,
    store: vayu::store::SqliteStore,
) -> vayu::app::Ctx<vayu::github::GitHubClient, vayu::store::SqliteStore> {
    let gh = vayu::github::GitHubClient::with_token(
        vayu::github::ClientConfig {
            base_url,
            mutation_gap: std::time::Duration::ZERO,
            ..vayu::github::ClientConfig::default()
        },
        "tok",
    )
    .unwrap();
    vayu::app::Ctx::new(gh, store, vayu::core::ids::Login("vayu-bot".into()))
}
