//! The per-installation circuit breaker against the simulated GitHub's
//! faults: repeated 5xx or secondary rate limits open it, calls are then
//! refused without reaching GitHub, a trial after the cool-down closes (or
//! re-opens) it, and a job meanwhile waits without spending an attempt.
//! Time is an injected clock.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use http::Method;
use serde_json::json;
use support::{Fault, GitHubSim};
use vayu::app::Ctx;
use vayu::app::ports::{GitHub, GitHubError};
use vayu::core::ids::{IssueNumber, Login, RepoName};
use vayu::github::retry::RetryPolicy;
use vayu::github::{BreakerConfig, ClientConfig, GitHubClient};
use vayu::server::orchestrate::OrchestratorHandler;
use vayu::server::{JobRunner, StoreRunner};
use vayu::store::{JobState, NewJob, SqliteStore, Store};

const REPO: &str = "octo-org/hello";
const ISSUE_PATH: &str = "/repos/octo-org/hello/issues/1";

fn repo() -> RepoName {
    REPO.parse().expect("repo")
}

struct Setup {
    sim: GitHubSim,
    clock: Arc<AtomicI64>,
}

async fn setup() -> Setup {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    sim.repo(REPO).issue().title("t").open();
    Setup {
        sim,
        clock: Arc::new(AtomicI64::new(1_767_225_600)),
    }
}

impl Setup {
    fn client(&self) -> GitHubClient {
        let cfg = ClientConfig {
            base_url: self.sim.url(),
            mutation_gap: Duration::ZERO,
            timeout: None,
            // One attempt per call and no waiting inside it, so each call
            // is one failure for the breaker.
            retry: RetryPolicy {
                max_retries: 0,
                max_wait: Duration::ZERO,
                ..RetryPolicy::default()
            },
            breaker: BreakerConfig {
                failures: 3,
                cool_down: Duration::from_secs(60),
                max_cool_down: Duration::from_secs(600),
            },
        };
        let clock = self.clock.clone();
        GitHubClient::with_token_clock(cfg, "tok", Arc::new(move || clock.load(Ordering::SeqCst)))
            .expect("client")
    }

    fn advance(&self, secs: i64) {
        self.clock.fetch_add(secs, Ordering::SeqCst);
    }

    fn requests(&self) -> usize {
        self.sim.request_log().len()
    }
}

async fn fail_three_times(s: &Setup, gh: &GitHubClient, fault: Fault) {
    s.sim.fail_n(Method::GET, ISSUE_PATH, fault, 3);
    for i in 0..3 {
        let e = gh
            .get_issue(&repo(), IssueNumber(1))
            .await
            .expect_err("fails");
        assert!(e.is_retryable(), "call {i}: {e}");
    }
}

#[tokio::test]
async fn repeated_5xx_open_the_circuit_and_a_trial_closes_it() {
    let s = setup().await;
    let gh = s.client();
    fail_three_times(&s, &gh, Fault::Status(502)).await;

    // Open: refused at once, GitHub never asked — on any endpoint.
    let before = s.requests();
    let e = gh
        .get_issue(&repo(), IssueNumber(1))
        .await
        .expect_err("fails");
    assert!(
        matches!(&e, GitHubError::Transient { message } if message.contains("circuit breaker open")),
        "{e}"
    );
    assert!(gh.list_comments(&repo(), IssueNumber(1)).await.is_err());
    assert_eq!(s.requests(), before);
    assert_eq!(gh.held_back(&repo()), Some(Duration::from_secs(60)));

    // After the cool-down one trial goes; it succeeds and closes the circuit.
    s.advance(30);
    assert_eq!(gh.held_back(&repo()), Some(Duration::from_secs(30)));
    s.advance(30);
    assert_eq!(gh.held_back(&repo()), None);
    let issue = gh.get_issue(&repo(), IssueNumber(1)).await.expect("trial");
    assert_eq!(issue.number, IssueNumber(1));
    assert_eq!(s.requests(), before + 1);
    gh.list_comments(&repo(), IssueNumber(1))
        .await
        .expect("closed");
    assert_eq!(gh.held_back(&repo()), None);
}

#[tokio::test]
async fn secondary_limits_open_it_and_a_failed_trial_waits_twice_as_long() {
    let s = setup().await;
    let gh = s.client();
    fail_three_times(&s, &gh, Fault::SecondaryLimit).await;
    assert_eq!(gh.held_back(&repo()), Some(Duration::from_secs(60)));
    s.advance(60);
    s.sim.fail_next(Method::GET, ISSUE_PATH, Fault::Status(503));
    assert!(gh.get_issue(&repo(), IssueNumber(1)).await.is_err());
    assert_eq!(gh.held_back(&repo()), Some(Duration::from_secs(120)));
    // A 404 is GitHub answering: it does not count as a failure.
    s.advance(120);
    assert!(matches!(
        gh.get_issue(&repo(), IssueNumber(99)).await,
        Err(GitHubError::NotFound { .. })
    ));
    assert_eq!(gh.held_back(&repo()), None);
}

#[tokio::test]
async fn a_job_waits_while_the_circuit_is_open_without_spending_an_attempt() {
    let s = setup().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.path().join("v.db").display()))
        .await
        .expect("store");
    let handler = OrchestratorHandler::new(Ctx::new(
        s.client(),
        store.clone(),
        Login("vayu-bot".into()),
    ));
    let ctx = handler.ctx();
    fail_three_times(&s, &ctx.gh, Fault::Status(500)).await;

    let now = chrono::Utc::now();
    store
        .enqueue(
            &NewJob::new(
                "event",
                json!({ "delivery": "d-1", "repo": REPO, "event": {} }),
                now,
            ),
            now,
        )
        .await
        .expect("enqueue");
    let runner = StoreRunner::new(
        Arc::new(store.clone()),
        handler,
        "w",
        Duration::from_secs(60),
    );
    let before = s.requests();
    runner.run_next().await.expect("run").expect("a job");
    assert_eq!(s.requests(), before, "the job did not call GitHub");
    let queued = store.list_jobs(JobState::Queued).await.expect("jobs");
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].attempts, 0);
    assert!(queued[0].run_at > now + chrono::TimeDelta::seconds(50));
    assert!(queued[0].lease_until.is_none());
}
