//! Fault injection: make the next N matching requests fail the way GitHub fails.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Shared, World, lock, rate_headers};

/// A way for one request to fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a GitHub-shaped error body.
    Status(u16),
    /// Primary rate limit: 403 with `x-ratelimit-remaining: 0` and `retry-after`.
    RateLimited { retry_after_secs: u64 },
    /// Secondary rate limit: 403 with `retry-after: 60` and GitHub's message.
    SecondaryLimit,
    /// Wait this long, then answer normally.
    Latency(u64),
    /// Start a response and cut the connection mid-body.
    Drop,
    /// Answer with a response GitHub really sent: this status, body and
    /// headers (e.g. `link`).
    Recorded {
        status: u16,
        body: String,
        headers: Vec<(&'static str, String)>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct FaultRule {
    pub method: Method,
    pub pattern: String,
    pub fault: Fault,
    pub remaining: u32,
}

/// Consumes one use of the first rule matching this request.
pub(crate) fn take(shared: &Shared, method: &Method, path: &str) -> Option<Fault> {
    let mut rules = lock(&shared.faults);
    let i = rules
        .iter()
        .position(|r| r.method == *method && r.remaining > 0 && glob(&r.pattern, path))?;
    rules[i].remaining -= 1;
    let fault = rules[i].fault.clone();
    if rules[i].remaining == 0 {
        rules.remove(i);
    }
    Some(fault)
}

pub(crate) fn respond(fault: Fault, world: &mut World, resource: &'static str) -> Response {
    let primary = matches!(fault, Fault::RateLimited { .. });
    let mut resp = match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            let msg = status.canonical_reason().unwrap_or("Server Error");
            (
                status,
                axum::Json(
                    json!({ "message": msg, "documentation_url": "https://docs.github.com/rest" }),
                ),
            )
                .into_response()
        }
        Fault::RateLimited { retry_after_secs } => {
            let body = json!({
                "message": "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            });
            let mut r = (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
            header(&mut r, "retry-after", retry_after_secs.to_string());
            r
        }
        Fault::SecondaryLimit => {
            let body = json!({
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            });
            let mut r = (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
            header(&mut r, "retry-after", "60".into());
            r
        }
        Fault::Drop => {
            let stream = futures_util::stream::iter([
                Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{\"message\":")),
                Err(std::io::Error::other(
                    "connection dropped by the GitHub sim",
                )),
            ]);
            let mut r = Response::new(Body::from_stream(stream));
            header(&mut r, "content-type", "application/json".into());
            return r;
        }
        Fault::Latency(_) => StatusCode::OK.into_response(),
        Fault::Recorded {
            status,
            body,
            headers,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut r = (status, body).into_response();
            header(
                &mut r,
                "content-type",
                "application/json; charset=utf-8".into(),
            );
            for (k, v) in headers {
                header(&mut r, k, v);
            }
            r
        }
    };
    rate_headers(world, resource, resp.headers_mut(), true);
    if primary {
        header(&mut resp, "x-ratelimit-remaining", "0".into());
    }
    resp
}

fn header(r: &mut Response, k: &'static str, v: String) {
    if let Ok(v) = HeaderValue::from_str(&v) {
        r.headers_mut().insert(k, v);
    }
}

/// `*` matches one path segment, `**` the rest of the path; everything else is literal.
pub(crate) fn glob(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let s: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, seg) in p.iter().enumerate() {
        if *seg == "**" {
            return true;
        }
        match s.get(i) {
            Some(actual) if *seg == "*" || seg == actual => {}
            _ => return false,
        }
    }
    p.len() == s.len()
}
