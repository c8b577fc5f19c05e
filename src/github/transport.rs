//! One GitHub request with bounded retries: octocrab carries it (auth, base
//! URL, API-version header, TLS), backon retries it, and `retry::classify`
//! decides what a failure means. Mutations go through the installation's pacer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use backon::Retryable;
use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use serde::de::DeserializeOwned;

use super::breaker::{Admit, Breaker, counts, open_error};
use super::pacing::Pacer;
use super::retry::{Failure, RetryPolicy, Wait, classify};
use crate::app::ports::{GhResult, GitHubError};
use crate::server::metrics;

/// The current Unix time in seconds, injectable for tests.
pub type NowFn = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The wall clock.
pub fn system_now() -> NowFn {
    Arc::new(|| chrono::Utc::now().timestamp())
}

/// The `User-Agent` vayu sends.
pub const USER_AGENT: &str = concat!("vayu/", env!("CARGO_PKG_VERSION"));

/// A request to send.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub body: Option<serde_json::Value>,
    pub if_none_match: Option<String>,
    /// Whether sending it twice is harmless. Creations are not: after a 5xx
    /// GitHub may have made the issue anyway, so the job retries instead and
    /// finds it by its marker. Rate-limit rejections are retried regardless.
    pub replay_safe: bool,
}

impl Req {
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            body: None,
            if_none_match: None,
            replay_safe: true,
        }
    }
    pub fn with(method: Method, path: impl Into<String>, body: serde_json::Value) -> Self {
        Self {
            method,
            path: path.into(),
            body: Some(body),
            if_none_match: None,
            replay_safe: true,
        }
    }
    pub fn delete(path: impl Into<String>) -> Self {
        Self {
            method: Method::DELETE,
            path: path.into(),
            body: None,
            if_none_match: None,
            replay_safe: true,
        }
    }
    /// A creation that must not be replayed after a 5xx or a dropped connection.
    pub fn create(path: impl Into<String>, body: serde_json::Value) -> Self {
        Self {
            replay_safe: false,
            ..Self::with(Method::POST, path, body)
        }
    }
    fn what(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A successful (2xx or 304) response.
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json<T: DeserializeOwned>(&self) -> GhResult<T> {
        serde_json::from_str(&self.body).map_err(|e| GitHubError::Other {
            message: format!("cannot decode GitHub's response: {e}"),
        })
    }
    /// Whether the `Link` header names a next page.
    pub fn has_next(&self) -> bool {
        self.headers
            .get("link")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.contains("rel=\"next\""))
    }
}

/// Sends requests for one token, counting every attempt.
pub(crate) struct Transport {
    pub octo: Octocrab,
    pub policy: RetryPolicy,
    pub pacer: Arc<Pacer>,
    /// The installation's circuit breaker (shared by its REST and GraphQL transports).
    pub breaker: Arc<Breaker>,
    pub installation: u64,
    pub attempts: Arc<AtomicU64>,
    pub now: NowFn,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport").finish_non_exhaustive()
    }
}

impl Transport {
    /// Sends `req`, retrying as the policy allows; mutations are paced.
    pub async fn send(&self, req: &Req) -> GhResult<Resp> {
        if let Admit::No(wait) = self.breaker.admit((self.now)()) {
            return Err(open_error(self.installation, wait));
        }
        let out = self.send_admitted(req).await;
        // Any answer that is not GitHub failing (a 404, a 422) shows it is up.
        let healthy = out.as_ref().err().is_none_or(|e| !counts(e));
        self.breaker.record(healthy, (self.now)());
        out
    }

    async fn send_admitted(&self, req: &Req) -> GhResult<Resp> {
        let attempt = || self.attempt(req);
        let retried = attempt
            .retry(self.policy.backoff())
            .sleep(tokio::time::sleep)
            .when(|f: &Failure| match f.wait {
                Wait::Never => false,
                Wait::Backoff => req.replay_safe,
                Wait::Exactly(_) => true,
            })
            .adjust(|f: &Failure, backoff| match f.wait {
                // Counted against the same bound, but waiting as GitHub said.
                Wait::Exactly(d) => backoff.map(|_| d),
                _ => backoff,
            })
            .notify(|f: &Failure, d| {
                tracing::warn!(error = %f.error, wait = ?d, "retrying GitHub request");
            });
        let out = if req.method == Method::GET {
            retried.await
        } else {
            self.pacer.run(retried).await
        };
        out.map_err(|f| f.error)
    }

    async fn attempt(&self, req: &Req) -> Result<Resp, Failure> {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        // octocrab appends its own `User-Agent: octocrab` after request
        // headers and offers no way to drop it; ours goes first, which is the
        // one servers read.
        let mut builder = http::Request::builder()
            .method(req.method.clone())
            .uri(req.path.as_str())
            .header(http::header::USER_AGENT, USER_AGENT);
        if let Some(etag) = &req.if_none_match {
            builder = builder.header(http::header::IF_NONE_MATCH, etag.as_str());
        }
        let request = self
            .octo
            .build_request(builder, req.body.as_ref())
            .map_err(|e| Failure {
                error: GitHubError::Other {
                    message: format!("cannot build {}: {e}", req.what()),
                },
                wait: Wait::Never,
            })?;
        let response = self.octo.execute(request).await.map_err(|e| {
            record_call(req, None, None);
            Failure::transport(format!("{}: {e}", req.what()))
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        record_call(req, Some(status), Some(&headers));
        let body = self
            .octo
            .body_to_string(response)
            .await
            .map_err(|e| Failure::transport(format!("{}: {e}", req.what())))?;
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(Resp {
                status,
                headers,
                body,
            });
        }
        Err(classify(
            status,
            &headers,
            &body,
            &req.what(),
            (self.now)(),
            &self.policy,
        ))
    }
}

/// Counts the attempt on `/metrics` and keeps the rate-limit gauge current.
fn record_call(req: &Req, status: Option<StatusCode>, headers: Option<&HeaderMap>) {
    metrics::count_github_call(
        req.method.as_str(),
        route_template(&req.path),
        status.map(|s| s.as_u16()),
    );
    let header = |name: &str| {
        headers
            .and_then(|h| h.get(name))
            .and_then(|v| v.to_str().ok())
    };
    if let Some(remaining) = header("x-ratelimit-remaining").and_then(|v| v.parse().ok()) {
        metrics::record_rate_limit(header("x-ratelimit-resource").unwrap_or("core"), remaining);
    }
}

/// Path segments that name an endpoint rather than a value; anything else
/// becomes a placeholder, so the `route` label has a bounded set of values
/// whatever the repositories, issues or labels are called.
const ROUTE_WORDS: &[&str] = &[
    "repos",
    "issues",
    "comments",
    "reactions",
    "labels",
    "dependencies",
    "blocked_by",
    "blocking",
    "parent",
    "sub_issue",
    "sub_issues",
    "priority",
    "collaborators",
    "permission",
    "contents",
    "dispatches",
    "actions",
    "workflows",
    "installation",
    "installations",
    "access_tokens",
    "app",
    "app-manifests",
    "conversions",
    "graphql",
    "user",
    "users",
    "orgs",
    "projects",
];

/// The route template of a request path, as GitHub's REST reference writes
/// it: `/repos/o/r/issues/7/labels/bug?x=1` → `/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}`.
pub(crate) fn route_template(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = String::with_capacity(path.len());
    for (i, seg) in segments.iter().enumerate() {
        let prev = i.checked_sub(1).map_or("", |p| segments[p]);
        let before = i.checked_sub(2).map_or("", |p| segments[p]);
        out.push('/');
        let numeric = seg.bytes().all(|b| b.is_ascii_digit());
        let placeholder = match (before, prev) {
            (_, "repos" | "users" | "orgs") => "{owner}",
            ("repos", _) => "{repo}",
            (_, "contents") => {
                // The file path may hold slashes: one placeholder for all of it.
                out.push_str("{path}");
                break;
            }
            (_, "issues") if numeric => "{issue_number}",
            (_, "comments") if numeric => "{comment_id}",
            (_, "installations") if numeric => "{installation_id}",
            (_, "labels") => "{name}",
            (_, "collaborators") => "{username}",
            (_, "workflows") => "{workflow_id}",
            (_, "app-manifests") => "{code}",
            _ if numeric => "{id}",
            _ if ROUTE_WORDS.contains(seg) => seg,
            _ => "{param}",
        };
        out.push_str(placeholder);
    }
    if out.is_empty() { "/".to_owned() } else { out }
}

/// Percent-encodes one path segment (label names may hold spaces or `/`).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn routes_are_templates() {
        for (path, route) in [
            (
                "/repos/octo/hello/issues/7/labels/type%3Abug",
                "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
            ),
            (
                "/repos/o/r/issues?labels=vayu&state=open&per_page=100&page=2",
                "/repos/{owner}/{repo}/issues",
            ),
            (
                "/repos/o/r/issues/comments/99/reactions",
                "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
            ),
            (
                "/repos/o/r/issues/3/dependencies/blocked_by/12",
                "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{id}",
            ),
            (
                "/repos/o/r/contents/.github/vayu.yml",
                "/repos/{owner}/{repo}/contents/{path}",
            ),
            (
                "/repos/o/r/collaborators/mona/permission",
                "/repos/{owner}/{repo}/collaborators/{username}/permission",
            ),
            (
                "/app/installations/42/access_tokens",
                "/app/installations/{installation_id}/access_tokens",
            ),
            ("/graphql", "/graphql"),
            ("/something/odd", "/{param}/{param}"),
            ("", "/"),
        ] {
            assert_eq!(super::route_template(path), route, "{path}");
        }
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::seg("type:bug"), "type:bug");
        assert_eq!(super::seg("good first/issue"), "good%20first%2Fissue");
    }
}
