//! The store runner's queue discipline: jobs about the same parent issue never
//! run at once (the second is deferred, no attempt spent), and the GitHub
//! calls a run makes show on `/metrics`.
#![allow(clippy::unwrap_used)]

mod server_support;
mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Method;
use serde_json::json;
use tokio::sync::{Notify, Semaphore};
use vayu::core::ids::{IssueNumber, RepoName};
use vayu::core::task::{Priority, Progress, Status, TaskType};
use vayu::server::orchestrate::{OrchestratorHandler, enqueue_reconciles};
use vayu::server::signature::WebhookSecret;
use vayu::server::store_ingest::StoreIngest;
use vayu::server::store_runner::StoreRunner;
use vayu::server::{BoxFuture, JobHandler, JobRunner, Verify, WorkerPool, webhook_app};
use vayu::store::{JobState, LeasedJob, NewJob, SqliteStore, Store, TaskRow};

use server_support::{SECRET, get, orchestrator_ctx, send, signed, wait_for_idle_queue};
use support::sim::Opened;
use support::{Fault, GitHubSim};

const REPO: &str = "octo-org/hello";

async fn sqlite(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::connect(&format!("sqlite://{}", dir.path().join("v.db").display()))
        .await
        .unwrap()
}

/// Jobs keyed by their payload's `issue`; a job with `"block": true` waits
/// for the test, and the handler tracks how many jobs per issue run at once.
struct Tracking {
    running: Mutex<HashMap<u64, usize>>,
    max_per_issue: AtomicUsize,
    started: Notify,
    release: Semaphore,
    ran: Mutex<Vec<u64>>,
}

impl Default for Tracking {
    fn default() -> Self {
        Self {
            running: Mutex::default(),
            max_per_issue: AtomicUsize::new(0),
            started: Notify::new(),
            release: Semaphore::new(0),
            ran: Mutex::default(),
        }
    }
}

struct Handler(Arc<Tracking>);

impl JobHandler for Handler {
    fn handle<'a>(&'a self, job: &'a LeasedJob) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let t = &self.0;
            let issue = job.payload["issue"].as_u64().unwrap();
            {
                let mut running = t.running.lock().unwrap();
                let n = running.entry(issue).or_default();
                *n += 1;
                t.max_per_issue.fetch_max(*n, Ordering::SeqCst);
            }
            t.started.notify_one();
            if job.payload["block"] == json!(true) {
                t.release.acquire().await.unwrap().forget();
            }
            *t.running.lock().unwrap().get_mut(&issue).unwrap() -= 1;
            t.ran
                .lock()
                .unwrap()
                .push(job.payload["n"].as_u64().unwrap());
            Ok(())
        })
    }

    fn lock_key(&self, job: &LeasedJob) -> Option<(RepoName, IssueNumber)> {
        let issue = job.payload["issue"].as_u64()?;
        Some((REPO.parse().unwrap(), IssueNumber(issue)))
    }
}

fn job(n: u64, issue: u64, block: bool) -> NewJob {
    NewJob::new(
        "event",
        json!({"n": n, "issue": issue, "block": block, "repo": REPO}),
        chrono::Utc::now() - chrono::Duration::seconds(10 - n as i64),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_parent_is_busy_is_deferred_without_spending_an_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(sqlite(&dir).await);
    let now = chrono::Utc::now();
    for j in [job(1, 7, true), job(2, 7, false), job(3, 8, false)] {
        store.enqueue(&j, now).await.unwrap();
    }
    let tracking = Arc::new(Tracking::default());
    let runner = Arc::new(
        StoreRunner::new(
            store.clone(),
            Handler(tracking.clone()),
            "w",
            Duration::from_secs(60),
        )
        .with_defer(Duration::ZERO),
    );

    // Job 1 (issue 7) runs and blocks, holding issue 7.
    let first = tokio::spawn({
        let runner = runner.clone();
        async move { runner.run_next().await }
    });
    tracking.started.notified().await;

    // Job 2 (issue 7 too) is leased, finds the parent busy and is given back.
    runner.run_next().await.unwrap().unwrap();
    let queued = store.list_jobs(JobState::Queued).await.unwrap();
    let second = queued.iter().find(|j| j.payload["n"] == 2).unwrap();
    assert_eq!(second.attempts, 0, "a deferral is not an attempt");
    assert_eq!(second.last_error, None);

    // Job 3 is about another issue: it runs while issue 7 is busy.
    runner.run_next().await.unwrap().unwrap();
    assert_eq!(*tracking.ran.lock().unwrap(), vec![3]);

    tracking.release.add_permits(1);
    first.await.unwrap().unwrap().unwrap();
    // Issue 7 is free again: job 2 runs now.
    runner.run_next().await.unwrap().unwrap();
    assert!(runner.run_next().await.unwrap().is_none());

    assert_eq!(*tracking.ran.lock().unwrap(), vec![3, 1, 2]);
    assert_eq!(tracking.max_per_issue.load(Ordering::SeqCst), 1);
    let done = store.list_jobs(JobState::Done).await.unwrap();
    assert_eq!(done.len(), 3);
    assert!(done.iter().all(|j| j.attempts == 0), "{done:?}");

    // Each outcome is in the event log (`vayu events`), with its parent.
    let events = store.latest_events(None, 10).await.unwrap();
    let logged: Vec<(String, Option<u64>, u64)> = events
        .iter()
        .map(|e| {
            (
                e.event.kind.clone(),
                e.event.issue.map(|i| i.0),
                e.event.data["job"].as_u64().unwrap(),
            )
        })
        .collect();
    let id = |n: u64| done.iter().find(|j| j.payload["n"] == n).unwrap().id.0 as u64;
    assert_eq!(
        logged,
        vec![
            ("job.done".into(), Some(8), id(3)),
            ("job.done".into(), Some(7), id(1)),
            ("job.done".into(), Some(7), id(2)),
        ]
    );
}

/// The real `issues.*` fixture of `name`, pointed at the simulated issue.
fn issue_payload(name: &str, opened: &Opened, body: &str) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&server_support::fixture(name)).unwrap();
    v["repository"]["full_name"] = json!(REPO);
    v["repository"]["name"] = json!("hello");
    v["repository"]["owner"]["login"] = json!("octo-org");
    v["issue"]["number"] = json!(opened.number);
    v["issue"]["id"] = json!(opened.id);
    v["issue"]["node_id"] = json!(opened.node_id);
    v["issue"]["title"] = json!("Add an authentication system");
    v["issue"]["body"] = json!(body);
    v["issue"]["labels"] = json!([{"name": "vayu", "color": "ededed"}]);
    if name.starts_with("issues.labeled") {
        v["label"] = json!({"name": "vayu", "color": "ededed"});
    }
    serde_json::to_vec(&v).unwrap()
}

/// `issues.opened` and `issues.labeled` for the same issue, both stored
/// before two workers start: they would both plan the issue at once; the
/// parent lock makes the second wait and find the work done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_and_labeled_on_two_workers_make_one_set_of_sub_issues() {
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
    // Both jobs start by reading the config; holding those answers makes
    // sure the two runs overlap if nothing keeps them apart.
    sim.fail_n(
        Method::GET,
        "/repos/*/*/contents/**",
        Fault::Latency(150),
        2,
    );

    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let shared = Arc::new(store.clone());
    let poke = Arc::new(Notify::new());
    let app = webhook_app(
        Arc::new(StoreIngest::new(shared.clone())),
        Verify::Secret(WebhookSecret::new(SECRET.to_owned()).unwrap()),
        poke.clone(),
    );
    for (i, name) in ["issues.opened.1.json", "issues.labeled.1.json"]
        .into_iter()
        .enumerate()
    {
        let payload = issue_payload(name, &opened, body);
        let (status, text) =
            send(&app.router, signed(payload, "issues", &format!("race-{i}"))).await;
        assert_eq!(status, 202, "{text}");
    }
    assert_eq!(store.queue_depth().await.unwrap().queued, 2);

    let ctx = orchestrator_ctx(sim.url(), store.clone());
    let runner = StoreRunner::new(
        shared,
        OrchestratorHandler::new(ctx),
        "race",
        Duration::from_secs(60),
    )
    .with_defer(Duration::from_millis(20));
    let pool = WorkerPool::spawn(Arc::new(runner), 2, poke, Duration::from_millis(20));
    wait_for_idle_queue(&store).await;
    pool.shutdown().await;

    let parent = sim.issue(REPO, opened.number);
    assert_eq!(parent.sub_issues.len(), 6, "{:#?}", parent.sub_issues);
    let (issues, parent_comments) = {
        let world = sim.world();
        let repo = &world.repos[REPO];
        let comments = repo
            .comments
            .values()
            .filter(|c| c.issue_number == opened.number)
            .count();
        (repo.issues.len(), comments)
    };
    assert_eq!(issues, 7, "the parent and exactly one set of sub-issues");
    assert_eq!(parent_comments, 1, "one plan comment");
    let done = store.list_jobs(JobState::Done).await.unwrap();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|j| j.attempts == 0), "{done:?}");

    // The run's GitHub calls are on /metrics by route template and status,
    // with the rate limit GitHub reported.
    let (status, text) = get(&app.router, "/metrics").await;
    assert_eq!(status, 200);
    let counted = |prefix: &str| {
        text.lines()
            .filter(|l| l.starts_with(prefix))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    for (labels, at_least) in [
        (
            r#"github_requests_total{method="POST",route="/graphql",status="200"}"#,
            6.0,
        ),
        (
            r#"github_requests_total{method="GET",route="/repos/{owner}/{repo}/contents/{path}",status="#,
            2.0,
        ),
    ] {
        assert!(
            counted(labels) >= at_least,
            "want {labels} >= {at_least} in:\n{text}"
        );
    }
    let remaining = text
        .lines()
        .find(|l| l.starts_with(r#"rate_limit_remaining{resource="core"}"#))
        .unwrap_or_else(|| panic!("no core rate limit in:\n{text}"));
    let value: f64 = remaining.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(value > 0.0 && value < 5000.0, "{remaining}");
    assert!(
        !text.contains("octo-org"),
        "routes must be templates, not paths:\n{text}"
    );
    sim.assert_conformant();
}

fn open_task(repo: &str, issue: u64, status: Status) -> TaskRow {
    TaskRow {
        repo: repo.parse().unwrap(),
        issue_number: IssueNumber(issue),
        parent: None,
        key: None,
        task_type: TaskType::Feature,
        priority: Priority::High,
        owner: None,
        status,
        progress: Progress::new(0).unwrap(),
        heartbeat_at: None,
        retries: 0,
        updated_at: chrono::Utc::now(),
    }
}

/// A labeled issue whose delivery never arrived is decomposed by the
/// periodic reconcile: one `reconcile` job per repository with open tasks,
/// fanned out into one `converge` job per open parent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_periodic_reconcile_repairs_a_missed_delivery() {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    let body = include_str!("../examples/auth-system.md");
    let missed = sim
        .repo(REPO)
        .issue()
        .title("Add an authentication system")
        .body(body)
        .label("vayu")
        .open();
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    // vayu knows the repository from an earlier task; a finished task's
    // repository alone is not reconciled.
    store
        .upsert_task(&open_task(REPO, 1, Status::Queued))
        .await
        .unwrap();
    store
        .upsert_task(&open_task("octo-org/archived", 1, Status::Completed))
        .await
        .unwrap();

    let now = chrono::Utc::now();
    let queued = enqueue_reconciles(&store, now).await.unwrap();
    assert_eq!(queued, vec![REPO.parse::<RepoName>().unwrap()]);
    // Still queued from this period: the next tick adds nothing.
    assert!(enqueue_reconciles(&store, now).await.unwrap().is_empty());

    let ctx = orchestrator_ctx(sim.url(), store.clone());
    let runner = StoreRunner::new(
        Arc::new(store.clone()),
        OrchestratorHandler::new(ctx),
        "reconciler",
        Duration::from_secs(60),
    );
    let pool = WorkerPool::spawn(
        Arc::new(runner),
        2,
        Arc::new(Notify::new()),
        Duration::from_millis(20),
    );
    wait_for_idle_queue(&store).await;

    let parent = sim.issue(REPO, missed.number);
    assert_eq!(parent.sub_issues.len(), 6, "{parent:?}");
    let done = store.list_jobs(JobState::Done).await.unwrap();
    let kinds: Vec<&str> = done.iter().map(|j| j.kind.as_str()).collect();
    assert_eq!(kinds, vec!["reconcile", "converge"]);

    // The next period queues the finished reconcile again; it writes nothing.
    let writes = sim.write_count();
    assert_eq!(
        enqueue_reconciles(&store, chrono::Utc::now())
            .await
            .unwrap()
            .len(),
        1
    );
    wait_for_idle_queue(&store).await;
    pool.shutdown().await;
    assert_eq!(sim.write_count(), writes, "nothing drifted: no writes");
    sim.assert_conformant();
}
