//! The whole path: a signed `issues.labeled` delivery reaches `/webhook`, is
//! stored, leased by a worker, and the orchestrator decomposes the issue on
//! the simulated GitHub, all over real HTTP and a real SQLite store.
#![allow(clippy::unwrap_used)]

mod server_support;
mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;
use vayu::server::orchestrate::OrchestratorHandler;
use vayu::server::signature::WebhookSecret;
use vayu::server::store_ingest::StoreIngest;
use vayu::server::store_runner::StoreRunner;
use vayu::server::{Verify, WorkerPool, webhook_app};
use vayu::store::SqliteStore;

use server_support::{SECRET, orchestrator_ctx, send, signed, wait_for_idle_queue};
use support::GitHubSim;

const REPO: &str = "octo-org/hello";

/// The real `issues.labeled` fixture, pointed at the simulated issue.
fn labeled_payload(number: u64, id: u64, node_id: &str, body: &str) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&server_support::labeled()).unwrap();
    v["repository"]["full_name"] = json!(REPO);
    v["repository"]["name"] = json!("hello");
    v["repository"]["owner"]["login"] = json!("octo-org");
    v["issue"]["number"] = json!(number);
    v["issue"]["id"] = json!(id);
    v["issue"]["node_id"] = json!(node_id);
    v["issue"]["title"] = json!("Add an authentication system");
    v["issue"]["body"] = json!(body);
    v["issue"]["labels"] = json!([{"name": "vayu", "color": "ededed"}]);
    v["label"] = json!({"name": "vayu", "color": "ededed"});
    serde_json::to_vec(&v).unwrap()
}

/// The webhook app, two workers and a SQLite store, against `sim`.
struct Served {
    app: vayu::server::WebhookApp,
    pool: WorkerPool,
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

async fn serve(sim: &GitHubSim) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.path().join("v.db").display()))
        .await
        .unwrap();
    let ctx = orchestrator_ctx(sim.url(), store.clone());
    let shared = Arc::new(store.clone());
    let runner = StoreRunner::new(
        shared.clone(),
        OrchestratorHandler::new(ctx),
        "test-worker",
        Duration::from_secs(60),
    );
    let poke = Arc::new(Notify::new());
    let pool = WorkerPool::spawn(Arc::new(runner), 2, poke.clone(), Duration::from_millis(50));
    let app = webhook_app(
        Arc::new(StoreIngest::new(shared)),
        Verify::Secret(WebhookSecret::new(SECRET.to_owned()).unwrap()),
        poke,
    );
    Served {
        app,
        pool,
        store,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_labeled_delivery_becomes_six_linked_sub_issues_once() {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    let body = include_str!("../examples/auth-system.md");
    let opened = sim
        .repo(REPO)
        .issue()
        .title("Add an authentication system")
        .body(body)
        .label("vayu")
        .open();

    let Served {
        app,
        pool,
        store,
        _dir,
    } = serve(&sim).await;

    let payload = labeled_payload(opened.number, opened.id, &opened.node_id, body);
    let (status, _) = send(&app.router, signed(payload.clone(), "issues", "d-1")).await;
    assert_eq!(status, 202);
    wait_for_idle_queue(&store).await;

    let parent = sim.issue(REPO, opened.number);
    assert_eq!(parent.sub_issues.len(), 6, "{parent:?}");
    let parent_body = parent.body.clone().unwrap_or_default();
    assert!(parent_body.contains("<!-- vayu:begin -->"), "{parent_body}");
    let writes = sim.write_count();
    println!("GitHub writes for the auth example through the server: {writes}");

    // The same delivery again is a duplicate; a new id for the same change
    // runs the job but writes nothing.
    let (status, _) = send(&app.router, signed(payload.clone(), "issues", "d-1")).await;
    assert_eq!(status, 200);
    let (status, _) = send(&app.router, signed(payload, "issues", "d-2")).await;
    assert_eq!(status, 202);
    wait_for_idle_queue(&store).await;
    assert_eq!(sim.write_count(), writes, "a redelivery must write nothing");
    assert_eq!(sim.issue(REPO, opened.number).sub_issues.len(), 6);

    pool.shutdown().await;
    sim.assert_conformant();
}

/// Seed 004's stress case through the server: the same delivery 1,000 times,
/// and the same change under 1,000 distinct delivery ids, with two workers
/// racing on one parent. One set of sub-issues, one plan comment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_deliveries_of_one_change_make_one_set() {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    let body = include_str!("../examples/auth-system.md");
    let opened = sim
        .repo(REPO)
        .issue()
        .title("Add an authentication system")
        .body(body)
        .label("vayu")
        .open();
    let Served {
        app,
        pool,
        store,
        _dir,
    } = serve(&sim).await;
    let payload = labeled_payload(opened.number, opened.id, &opened.node_id, body);

    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..1000 {
        let (status, _) = send(&app.router, signed(payload.clone(), "issues", "same")).await;
        *statuses.entry(status.as_u16()).or_insert(0) += 1;
    }
    assert_eq!(statuses, [(200, 999), (202, 1)].into_iter().collect());
    for i in 0..1000 {
        let (status, _) = send(
            &app.router,
            signed(payload.clone(), "issues", &format!("distinct-{i}")),
        )
        .await;
        assert_eq!(status, 202);
    }
    wait_for_idle_queue(&store).await;

    let parent = sim.issue(REPO, opened.number);
    assert_eq!(parent.sub_issues.len(), 6, "{parent:?}");
    assert_eq!(
        sim.world().repos[REPO].issues.len(),
        7,
        "one parent and six sub-issues"
    );
    assert_eq!(parent.comments.len(), 1, "one plan comment");
    pool.shutdown().await;
    sim.assert_conformant();
}
