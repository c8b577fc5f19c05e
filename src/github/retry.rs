//! Retry policy: which failures are worth another attempt and how long to
//! wait first. Decisions are pure functions of status, headers and body so
//! they can be tested without a server.

use std::time::Duration;

use backon::ExponentialBuilder;
use http::{HeaderMap, StatusCode};

use crate::app::ports::GitHubError;

/// How hard one call tries before giving up.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` attempts).
    pub max_retries: usize,
    /// First backoff delay for 5xx and transport errors.
    pub min_delay: Duration,
    /// Largest backoff delay.
    pub max_delay: Duration,
    /// The longest rate-limit wait taken inside a call; longer ones return
    /// [`GitHubError::RateLimited`] so the job is retried later instead.
    pub max_wait: Duration,
    /// Wait after a secondary rate limit that names no time (GitHub: ≥ 1 min).
    pub secondary_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(60),
            secondary_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The exponential backoff with jitter for 5xx and transport errors.
    pub fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter()
    }
}

/// What to do before the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Do not retry.
    Never,
    /// Retry after the exponential backoff delay.
    Backoff,
    /// Retry after exactly this long (GitHub said so).
    Exactly(Duration),
}

/// A failed attempt: the error to report and whether to try again.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The error returned if no retry is left.
    pub error: GitHubError,
    /// Whether and when to retry.
    pub wait: Wait,
}

impl Failure {
    /// A transport failure (timeout, reset, refused): retried with backoff.
    pub fn transport(message: impl Into<String>) -> Self {
        Self {
            error: GitHubError::Transient {
                message: message.into(),
            },
            wait: Wait::Backoff,
        }
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// GitHub's `message`, followed by the field errors it listed.
pub fn error_message(status: StatusCode, body: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        let body = body.trim();
        return if body.is_empty() {
            status.to_string()
        } else {
            body.chars().take(300).collect()
        };
    };
    let mut msg = v["message"].as_str().unwrap_or("").to_owned();
    if let Some(errors) = v["errors"].as_array() {
        for e in errors {
            let part = e["message"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| {
                    let code = e["code"].as_str()?;
                    Some(format!("{} {}", e["field"].as_str().unwrap_or("?"), code))
                })
                .unwrap_or_else(|| e.to_string());
            msg.push_str("; ");
            msg.push_str(&part);
        }
    }
    if msg.is_empty() {
        status.to_string()
    } else {
        msg
    }
}

/// How long a 403/429 asks us to wait, if it is a rate limit at all.
pub fn rate_limit_wait(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    now_unix: i64,
    policy: &RetryPolicy,
) -> Option<Duration> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    if let Some(secs) = header_u64(headers, "retry-after") {
        return Some(Duration::from_secs(secs));
    }
    if header_u64(headers, "x-ratelimit-remaining") == Some(0) {
        if let Some(reset) = header_u64(headers, "x-ratelimit-reset") {
            let secs = i64::try_from(reset)
                .unwrap_or(i64::MAX)
                .saturating_sub(now_unix);
            return Some(Duration::from_secs(secs.max(0).unsigned_abs()));
        }
    }
    let secondary = body.to_ascii_lowercase().contains("secondary rate limit");
    if status == StatusCode::TOO_MANY_REQUESTS || secondary {
        return Some(policy.secondary_wait);
    }
    None
}

/// Classifies a non-success response.
pub fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    what: &str,
    now_unix: i64,
    policy: &RetryPolicy,
) -> Failure {
    if let Some(wait) = rate_limit_wait(status, headers, body, now_unix, policy) {
        let error = GitHubError::RateLimited {
            retry_after: Some(wait),
        };
        let wait = if wait <= policy.max_wait {
            Wait::Exactly(wait)
        } else {
            Wait::Never
        };
        return Failure { error, wait };
    }
    let message = error_message(status, body);
    let (error, wait) = match status.as_u16() {
        401 | 403 => (GitHubError::PermissionDenied { message }, Wait::Never),
        404 | 410 => (
            GitHubError::NotFound {
                what: what.to_owned(),
            },
            Wait::Never,
        ),
        422 => (GitHubError::Validation { message }, Wait::Never),
        500..=599 => (
            GitHubError::Transient {
                message: format!("{status} from {what}: {message}"),
            },
            Wait::Backoff,
        ),
        _ => (
            GitHubError::Other {
                message: format!("{status} from {what}: {message}"),
            },
            Wait::Never,
        ),
    };
    Failure { error, wait }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header"));
        }
        h
    }

    fn run(status: u16, h: &[(&'static str, &str)], body: &str) -> Failure {
        let status = StatusCode::from_u16(status).expect("status");
        classify(
            status,
            &headers(h),
            body,
            "GET /x",
            1_000,
            &RetryPolicy::default(),
        )
    }

    #[test]
    fn retry_after_is_waited_exactly_when_short() {
        let f = run(403, &[("retry-after", "3")], "{}");
        assert_eq!(f.wait, Wait::Exactly(Duration::from_secs(3)));
    }

    #[test]
    fn long_waits_become_rate_limited_errors() {
        let f = run(429, &[("retry-after", "61")], "{}");
        assert_eq!(f.wait, Wait::Never);
        assert_eq!(
            f.error,
            GitHubError::RateLimited {
                retry_after: Some(Duration::from_secs(61))
            }
        );
    }

    #[test]
    fn exhausted_primary_limit_waits_until_reset() {
        let f = run(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1042"),
            ],
            "{}",
        );
        assert_eq!(f.wait, Wait::Exactly(Duration::from_secs(42)));
    }

    #[test]
    fn secondary_limit_without_headers_waits_a_minute() {
        let body = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        let f = run(403, &[], body);
        assert_eq!(f.wait, Wait::Exactly(Duration::from_secs(60)));
    }

    #[test]
    fn plain_forbidden_is_permission_denied() {
        let f = run(
            403,
            &[],
            r#"{"message":"Resource not accessible by integration"}"#,
        );
        assert_eq!(f.wait, Wait::Never);
        assert_eq!(
            f.error,
            GitHubError::PermissionDenied {
                message: "Resource not accessible by integration".into()
            }
        );
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(run(502, &[], "").wait, Wait::Backoff);
        assert_eq!(
            run(404, &[], "").error,
            GitHubError::NotFound {
                what: "GET /x".into()
            }
        );
        let body = r#"{"message":"Validation Failed","errors":[{"field":"title","code":"missing_field"}]}"#;
        assert_eq!(
            run(422, &[], body).error,
            GitHubError::Validation {
                message: "Validation Failed; title missing_field".into()
            }
        );
        assert_eq!(run(400, &[], "").wait, Wait::Never);
    }
}
