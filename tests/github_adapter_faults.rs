//! Retries, rate limits and App token caching against a scripted server,
//! with tokio's paused clock so waits are measured in virtual time.

mod scripted;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use scripted::{reply, serve, serve_by};
use tokio::time::Instant;
use vayu::app::ports::{GitHub, GitHubError};
use vayu::core::ids::{IssueNumber, RepoName};
use vayu::github::auth::AppCredentials;
use vayu::github::retry::RetryPolicy;
use vayu::github::{ClientConfig, GitHubClient};

const ISSUE: &str = r#"{"number":1,"id":10,"node_id":"I_1","state":"open","title":"t"}"#;

fn config(url: &str) -> ClientConfig {
    ClientConfig {
        base_url: url.to_owned(),
        retry: RetryPolicy::default(),
        mutation_gap: Duration::ZERO,
        // No pending timeout, so the paused clock only jumps to our own waits.
        timeout: None,
        breaker: Default::default(),
    }
}

fn repo() -> RepoName {
    "o/r".parse().expect("repo")
}

#[tokio::test(start_paused = true)]
async fn a_502_is_retried_then_succeeds() {
    let server = serve(vec![reply(502, &[], "bad gateway"), reply(200, &[], ISSUE)]).await;
    let gh = GitHubClient::with_token(config(&server.url), "t").expect("client");
    let issue = gh.get_issue(&repo(), IssueNumber(1)).await.expect("issue");
    assert_eq!(issue.number, IssueNumber(1));
    assert_eq!(gh.attempts(), 2);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_exactly() {
    let limited = reply(403, &[("retry-after", "3")], r#"{"message":"slow down"}"#);
    let server = serve(vec![limited, reply(200, &[], ISSUE)]).await;
    let gh = GitHubClient::with_token(config(&server.url), "t").expect("client");
    let start = Instant::now();
    gh.get_issue(&repo(), IssueNumber(1)).await.expect("issue");
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    assert_eq!(gh.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_wait_beyond_the_maximum_returns_rate_limited() {
    let server = serve(vec![reply(429, &[("retry-after", "600")], "{}")]).await;
    let gh = GitHubClient::with_token(config(&server.url), "t").expect("client");
    let start = Instant::now();
    let err = gh
        .get_issue(&repo(), IssueNumber(1))
        .await
        .expect_err("limited");
    assert_eq!(
        err,
        GitHubError::RateLimited {
            retry_after: Some(Duration::from_secs(600))
        }
    );
    assert!(err.is_retryable());
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(gh.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_secondary_limit_storm_is_bounded() {
    let storm = reply(
        403,
        &[],
        r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes."}"#,
    );
    let server = serve(vec![storm]).await;
    let gh = GitHubClient::with_token(config(&server.url), "t").expect("client");
    let start = Instant::now();
    let err = gh
        .get_issue(&repo(), IssueNumber(1))
        .await
        .expect_err("storm");
    assert_eq!(
        err,
        GitHubError::RateLimited {
            retry_after: Some(Duration::from_secs(60))
        }
    );
    // 1 attempt + 3 retries, each retry after the 60 s GitHub asks for.
    assert_eq!(gh.attempts(), 4);
    assert_eq!(server.requests().len(), 4);
    assert_eq!(start.elapsed(), Duration::from_secs(180));
}

#[tokio::test(start_paused = true)]
async fn a_not_found_is_not_retried() {
    let server = serve(vec![reply(404, &[], r#"{"message":"Not Found"}"#)]).await;
    let gh = GitHubClient::with_token(config(&server.url), "t").expect("client");
    let err = gh
        .get_issue(&repo(), IssueNumber(1))
        .await
        .expect_err("404");
    assert!(matches!(err, GitHubError::NotFound { .. }), "{err:?}");
    assert_eq!(gh.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn mutations_are_spaced_by_the_gap() {
    let comment = r#"{"id":5,"body":"x","user":{"login":"vayu[bot]"}}"#;
    let server = serve(vec![reply(201, &[], comment)]).await;
    let mut cfg = config(&server.url);
    cfg.mutation_gap = Duration::from_secs(1);
    let gh = GitHubClient::with_token(cfg, "t").expect("client");
    let start = Instant::now();
    for _ in 0..3 {
        gh.create_comment(&repo(), IssueNumber(1), "x")
            .await
            .expect("comment");
    }
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

const TEST_KEY: &[u8] = include_bytes!("fixtures/keys/test-app.private.pem");

#[tokio::test]
async fn app_tokens_are_exchanged_once_and_again_after_expiry() {
    let server = serve_by(|line, _| {
        if line.starts_with("GET /repos/o/r/installation ") {
            reply(200, &[], r#"{"id":77}"#)
        } else if line.starts_with("POST /app/installations/77/access_tokens ") {
            // Expires at 2023-11-14T23:13:20Z = 1_700_003_600.
            reply(
                201,
                &[],
                r#"{"token":"ghs_x","expires_at":"2023-11-14T23:13:20Z"}"#,
            )
        } else {
            reply(200, &[], ISSUE)
        }
    })
    .await;
    let now = Arc::new(AtomicI64::new(1_700_000_000));
    let clock = now.clone();
    let creds = AppCredentials::from_pem("42", TEST_KEY).expect("key");
    let gh = GitHubClient::with_app_clock(
        config(&server.url),
        creds,
        Arc::new(move || clock.load(Ordering::SeqCst)),
    );
    for _ in 0..5 {
        gh.get_issue(&repo(), IssueNumber(1)).await.expect("issue");
    }
    assert_eq!(gh.token_exchanges(), 1);
    // Within five minutes of expiry the token is replaced.
    now.store(1_700_003_600 - 299, Ordering::SeqCst);
    gh.get_issue(&repo(), IssueNumber(1)).await.expect("issue");
    assert_eq!(gh.token_exchanges(), 2);
    let lookups = server
        .requests()
        .iter()
        .filter(|l| l.contains("/installation "))
        .count();
    assert_eq!(lookups, 1, "{:?}", server.requests());
}

#[tokio::test(start_paused = true)]
async fn a_creation_is_not_replayed_after_a_5xx() {
    let server = serve(vec![reply(502, &[], "bad gateway"), reply(201, &[], ISSUE)]).await;
    let gh = GitHubClient::with_token(config(&server.url), "t").expect("client");
    let new = vayu::app::ports::NewIssue {
        title: "t".into(),
        ..Default::default()
    };
    let err = gh
        .create_issue(&repo(), &new)
        .await
        .expect_err("not replayed");
    assert!(matches!(err, GitHubError::Transient { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(gh.attempts(), 1);
}
