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
        let response = self
            .octo
            .execute(request)
            .await
            .map_err(|e| Failure::transport(format!("{}: {e}", req.what())))?;
        let status = response.status();
        let headers = response.headers().clone();
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
    fn segments_are_encoded() {
        assert_eq!(super::seg("type:bug"), "type:bug");
        assert_eq!(super::seg("good first/issue"), "good%20first%2Fissue");
    }
}
