//! `POST /webhook`: verify, normalize, store through the group commit, answer.
//! The order matters: nothing is stored unless the signature verifies, and
//! nothing is acknowledged before it is durable.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use serde_json::json;
use serde_json::value::to_raw_value;
use tracing::{debug, warn};

use super::batcher::Batcher;
use super::ingest::{IncomingDelivery, NewJob, Recorded};
use super::metrics::count_delivery;
use super::signature::{WebhookSecret, verify};
use crate::app::event::Event;
use crate::core::ids::DeliveryId;
use crate::github::webhook::{Normalized, normalize_delivery};
use crate::store::DeliveryBody;

/// How deliveries are authenticated.
#[derive(Debug, Clone)]
pub enum Verify {
    /// Check `X-Hub-Signature-256` against this secret.
    Secret(WebhookSecret),
    /// Accept unsigned deliveries (`--insecure-no-verify`, local tests only).
    InsecureNoVerify,
}

/// What the webhook handler shares across requests.
#[derive(Debug, Clone)]
pub(super) struct WebhookState {
    pub(super) verify: Verify,
    pub(super) batcher: Batcher,
}

/// The job kind a handled event becomes.
pub const EVENT_JOB: &str = "event";

pub(super) async fn webhook(
    State(state): State<Arc<WebhookState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Verify::Secret(secret) = &state.verify {
        let signature = headers.get("x-hub-signature-256").map(|v| v.as_bytes());
        if !verify(secret, signature, &body) {
            count_delivery("unknown", "bad_signature");
            warn!("rejected a delivery with a missing or wrong X-Hub-Signature-256");
            return error(StatusCode::UNAUTHORIZED, "signature missing or invalid");
        }
    }
    let (Some(id), Some(event)) = (
        header(&headers, "x-github-delivery").map(str::to_owned),
        header(&headers, "x-github-event").map(str::to_owned),
    ) else {
        count_delivery("unknown", "missing_header");
        return error(
            StatusCode::BAD_REQUEST,
            "X-GitHub-Delivery and X-GitHub-Event headers are required",
        );
    };
    // The request span (see `with_layers`) already names the delivery and
    // the event; the repository joins it rather than opening a second span.
    let span = tracing::Span::current();
    handle(&state.batcher, &span, id, event, body).await
}

async fn handle(
    batcher: &Batcher,
    span: &tracing::Span,
    id: String,
    event: String,
    body: Bytes,
) -> Response {
    let (normalized, envelope) = match normalize_delivery(&event, &body) {
        Ok(read) => read,
        Err(e) => {
            count_delivery(&event, "malformed");
            warn!(error = %e, "rejected a malformed delivery");
            return error(StatusCode::BAD_REQUEST, &e.to_string());
        }
    };
    let repo = envelope.repo;
    if let Some(repo) = &repo {
        span.record("repo", repo.as_str());
    }
    let (ignored, jobs) = match normalized {
        Normalized::Event(e) => match to_raw_value(&EventJob {
            delivery: &id,
            repo: repo.as_deref(),
            event: &e,
        }) {
            Ok(payload) => (
                None,
                vec![NewJob {
                    kind: EVENT_JOB.to_owned(),
                    dedupe_key: format!("delivery:{id}"),
                    payload: payload.into(),
                }],
            ),
            Err(e) => {
                count_delivery(&event, "error");
                return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
            }
        },
        Normalized::Ignored { reason } => (Some(reason), Vec::new()),
    };
    let delivery = IncomingDelivery {
        id: DeliveryId(id),
        event: event.clone(),
        action: envelope.action,
        installation_id: envelope.installation,
        repo,
        received_at: Utc::now(),
        // Here, on the request's own thread, not in the single commit task.
        payload: DeliveryBody::compress(&body),
        ignored: ignored.clone(),
        jobs,
    };
    let recorded = batcher.submit(delivery).await;
    debug!(outcome = ?recorded, "delivery handled");
    match recorded {
        Ok(Recorded::Inserted) => match ignored {
            None => {
                count_delivery(&event, "accepted");
                (StatusCode::ACCEPTED, Json(json!({"queued": true}))).into_response()
            }
            Some(reason) => {
                count_delivery(&event, "ignored");
                (StatusCode::ACCEPTED, Json(json!({"ignored": reason}))).into_response()
            }
        },
        Ok(Recorded::Duplicate) => {
            count_delivery(&event, "duplicate");
            (StatusCode::OK, Json(json!({"duplicate": true}))).into_response()
        }
        Err(e) => {
            count_delivery(&event, "error");
            warn!(error = %e, "could not store a delivery");
            error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string())
        }
    }
}

/// An `event` job's input. Delivery id and repo ride along so every job span
/// can name them.
#[derive(Serialize)]
struct EventJob<'a> {
    delivery: &'a str,
    repo: Option<&'a str>,
    event: &'a Event,
}

/// A GitHub header's value as the handler and the request span read it.
pub(super) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    // Delivery ids are GUIDs; bound them so a header cannot bloat the store or logs.
    (!value.is_empty() && value.len() <= 128).then_some(value)
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}
