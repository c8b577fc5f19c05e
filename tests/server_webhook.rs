//! `POST /webhook` in process: signatures, limits, malformed bodies,
//! duplicates, ignored events, group commit and readiness.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use server_support::*;
use tokio::sync::{Notify, mpsc};
use vayu::server::memory::MemoryQueue;
use vayu::server::signature::sign;
use vayu::server::{
    Batcher, BoxFuture, IncomingDelivery, Ingest, IngestError, MAX_BODY, Recorded, Verify,
    webhook_app,
};

#[tokio::test]
async fn signed_delivery_is_stored_with_its_job_and_answered_202() {
    let h = harness();
    let (status, body) = send(&h.app.router, signed(labeled(), "issues", "d-1")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::ACCEPTED, r#"{"queued":true}"#)
    );
    let stored = h.queue.deliveries();
    assert_eq!(stored.len(), 1);
    let d = &stored[0];
    assert_eq!(d.id.as_str(), "d-1");
    assert_eq!(d.event, "issues");
    assert_eq!(d.action.as_deref(), Some("labeled"));
    assert_eq!(d.repo.as_deref(), Some("Codertocat/Hello-World"));
    assert_eq!(d.payload.decompress().expect("lz4 body"), labeled());
    assert_eq!(d.ignored, None);
    let jobs = h.queue.queued();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "event");
    assert_eq!(jobs[0].dedupe_key, "delivery:d-1");
    let payload = jobs[0].payload.to_value().expect("the job's input is JSON");
    assert_eq!(payload["event"]["kind"], "issue_labeled");
    assert_eq!(payload["delivery"], "d-1");
    assert_eq!(payload["repo"], "Codertocat/Hello-World");
}

#[tokio::test]
async fn bad_or_missing_signature_is_401_and_stores_nothing() {
    let h = harness();
    let wrong = sign("another-secret", &labeled());
    let (status, _) = send(
        &h.app.router,
        delivery(labeled(), "issues", "d-1", Some(wrong)),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(&h.app.router, delivery(labeled(), "issues", "d-2", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A signature of a different body does not cover this one.
    let other = sign(SECRET, b"{}");
    let (status, body) = send(
        &h.app.router,
        delivery(labeled(), "issues", "d-3", Some(other)),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, r#"{"error":"signature missing or invalid"}"#);
    assert!(h.queue.deliveries().is_empty());
    assert!(h.queue.queued().is_empty());
}

#[tokio::test]
async fn body_over_25_mb_is_413_and_stores_nothing() {
    let h = harness();
    let mut body = vec![b' '; MAX_BODY + 1];
    body[0] = b'{';
    body[MAX_BODY] = b'}';
    let (status, _) = send(&h.app.router, signed(body, "issues", "d-big")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(h.queue.deliveries().is_empty());
}

#[tokio::test]
async fn malformed_json_with_a_good_signature_is_400_and_stores_nothing() {
    let h = harness();
    let mut body = labeled();
    body.truncate(body.len() / 2);
    let (status, body) = send(&h.app.router, signed(body, "issues", "d-1")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("cannot read the `issues` webhook body"),
        "{body}"
    );
    assert!(h.queue.deliveries().is_empty());
    assert!(h.queue.queued().is_empty());
}

#[tokio::test]
async fn missing_delivery_or_event_header_is_400() {
    let h = harness();
    let body = labeled();
    let sig = sign(SECRET, &body);
    let req = axum::http::Request::post("/webhook")
        .header("x-github-event", "issues")
        .header("x-hub-signature-256", sig)
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, body) = send(&h.app.router, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        r#"{"error":"X-GitHub-Delivery and X-GitHub-Event headers are required"}"#
    );
    assert!(h.queue.deliveries().is_empty());
}

#[tokio::test]
async fn duplicate_delivery_is_200_and_enqueues_nothing_more() {
    let h = harness();
    let (first, _) = send(&h.app.router, signed(labeled(), "issues", "same")).await;
    let (second, body) = send(&h.app.router, signed(labeled(), "issues", "same")).await;
    assert_eq!((first, second), (StatusCode::ACCEPTED, StatusCode::OK));
    assert_eq!(body, r#"{"duplicate":true}"#);
    assert_eq!(h.queue.deliveries().len(), 1);
    assert_eq!(h.queue.queued().len(), 1);
}

#[tokio::test]
async fn ignored_event_is_stored_for_audit_without_a_job() {
    let h = harness();
    let body = fixture("issues.assigned.1.json");
    let (status, answer) = send(&h.app.router, signed(body, "issues", "d-a")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(answer, r#"{"ignored":"issues.assigned is not handled"}"#);
    let stored = h.queue.deliveries();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].ignored.as_deref(),
        Some("issues.assigned is not handled")
    );
    assert!(h.queue.queued().is_empty());
}

#[tokio::test]
async fn insecure_no_verify_accepts_unsigned_deliveries() {
    let queue = Arc::new(MemoryQueue::new());
    let app = webhook_app(
        queue.clone(),
        Verify::InsecureNoVerify,
        Arc::new(Notify::new()),
    );
    let (status, _) = send(&app.router, delivery(labeled(), "issues", "u-1", None)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(queue.deliveries().len(), 1);
}

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let h = harness();
    assert_eq!(
        get(&h.app.router, "/healthz").await,
        (StatusCode::OK, "ok".to_owned())
    );
    assert_eq!(
        get(&h.app.router, "/readyz").await,
        (StatusCode::OK, "ready".to_owned())
    );

    let down = webhook_app(
        Arc::new(Gated::new(false)),
        Verify::InsecureNoVerify,
        Arc::new(Notify::new()),
    );
    assert_eq!(
        get(&down.router, "/readyz").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "store not ready".to_owned()
        )
    );
}

/// An ingest whose commits wait for the test to open a gate, recording batch sizes.
struct Gated {
    ready: bool,
    entered: mpsc::UnboundedSender<usize>,
    entered_rx: Mutex<Option<mpsc::UnboundedReceiver<usize>>>,
    gate: Arc<tokio::sync::Semaphore>,
    inner: MemoryQueue,
}

impl Gated {
    fn new(ready: bool) -> Self {
        let (entered, rx) = mpsc::unbounded_channel();
        Self {
            ready,
            entered,
            entered_rx: Mutex::new(Some(rx)),
            gate: Arc::new(tokio::sync::Semaphore::new(0)),
            inner: MemoryQueue::new(),
        }
    }
}

impl Ingest for Gated {
    fn record_batch(
        &self,
        batch: Vec<IncomingDelivery>,
    ) -> BoxFuture<'_, Vec<Result<Recorded, IngestError>>> {
        Box::pin(async move {
            let _ = self.entered.send(batch.len());
            self.gate.acquire().await.unwrap().forget();
            self.inner.record_batch(batch).await
        })
    }

    fn ready(&self) -> BoxFuture<'_, bool> {
        Box::pin(std::future::ready(self.ready))
    }
}

fn incoming(id: &str) -> IncomingDelivery {
    IncomingDelivery {
        id: vayu::core::ids::DeliveryId(id.to_owned()),
        event: "issues".into(),
        action: None,
        installation_id: None,
        repo: None,
        received_at: chrono::DateTime::UNIX_EPOCH,
        payload: Default::default(),
        ignored: None,
        jobs: Vec::new(),
    }
}

#[tokio::test]
async fn deliveries_waiting_during_a_commit_share_the_next_one_and_wait_for_it() {
    let ingest = Arc::new(Gated::new(true));
    let mut entered = ingest.entered_rx.lock().unwrap().take().unwrap();
    let (batcher, task) = Batcher::spawn(ingest.clone(), 64, Arc::new(Notify::new()));

    let first = tokio::spawn({
        let b = batcher.clone();
        async move { b.submit(incoming("a")).await }
    });
    assert_eq!(entered.recv().await, Some(1));
    let rest: Vec<_> = ["b", "c", "d", "e", "b"]
        .into_iter()
        .map(|id| {
            let b = batcher.clone();
            tokio::spawn(async move { b.submit(incoming(id)).await })
        })
        .collect();
    while batcher.waiting() < 5 {
        tokio::task::yield_now().await;
    }
    // The first commit has not finished, so nobody has an answer yet.
    assert!(!first.is_finished());
    assert!(rest.iter().all(|r| !r.is_finished()));

    ingest.gate.add_permits(2);
    assert_eq!(first.await.unwrap(), Ok(Recorded::Inserted));
    assert_eq!(entered.recv().await, Some(5));
    let mut answers = Vec::new();
    for r in rest {
        answers.push(r.await.unwrap());
    }
    use Recorded::{Duplicate, Inserted};
    assert_eq!(
        answers,
        vec![
            Ok(Inserted),
            Ok(Inserted),
            Ok(Inserted),
            Ok(Inserted),
            Ok(Duplicate)
        ]
    );
    assert_eq!(ingest.inner.batch_sizes(), vec![1, 5]);
    drop(batcher);
    task.await.unwrap();
}
