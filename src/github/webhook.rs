//! Webhook bodies in, app events out: [`parse`] reads a body into our own
//! lenient structs keyed by the `X-GitHub-Event` header, [`normalize`] turns
//! it into an [`Event`](crate::app::event::Event) or says why it is ignored.
//!
//! The same functions read an Action's event file (`GITHUB_EVENT_PATH`),
//! whose body has the same shape as the webhook's.

mod normalize;
pub mod objects;
pub mod payload;

use serde::de::DeserializeOwned;

pub use normalize::{Normalized, inspect, normalize, normalize_delivery};
pub use payload::{Envelope, Payload};

/// Why a webhook body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is not JSON, or a field has the wrong type or is missing.
    #[error(
        "cannot read the `{event}` webhook body at `{path}`: {message} \
         (check that the X-GitHub-Event header matches the body)"
    )]
    Body {
        /// The `X-GitHub-Event` name.
        event: String,
        /// Where in the body the problem is (`issue.number`, `.` for the whole body).
        path: String,
        /// What serde found there, with line and column.
        message: String,
    },
    /// A field the event cannot do without is absent.
    #[error(
        "the `{event}` webhook has no {what}; GitHub always sends it, so the body is not a GitHub delivery"
    )]
    Missing {
        /// `event.action`.
        event: String,
        /// The missing field, described.
        what: String,
    },
    /// A repository's `full_name` is not `owner/name`.
    #[error("the `{event}` webhook names repository `{name}`, which is not `owner/name`")]
    BadRepo {
        /// `event.action`.
        event: String,
        /// The name as sent.
        name: String,
    },
    /// The event could not be printed as JSON.
    #[error("cannot print the `{event}` event as JSON: {message}")]
    Output {
        /// `event.action`.
        event: String,
        /// What serde_json said.
        message: String,
    },
}

/// Parses a body for the event named by `X-GitHub-Event`; `Ok(None)` for events vayu does not read.
pub fn parse(event_name: &str, body: &[u8]) -> Result<Option<Payload>, WebhookError> {
    let payload = match event_name {
        "issues" => Payload::Issues(read(event_name, body)?),
        "issue_comment" => Payload::IssueComment(read(event_name, body)?),
        "sub_issues" => Payload::SubIssues(read(event_name, body)?),
        "issue_dependencies" => Payload::IssueDependencies(read(event_name, body)?),
        "installation" => Payload::Installation(read(event_name, body)?),
        "installation_repositories" => Payload::InstallationRepositories(read(event_name, body)?),
        "workflow_run" => Payload::WorkflowRun(read(event_name, body)?),
        "workflow_job" => Payload::WorkflowJob(read(event_name, body)?),
        "repository_dispatch" => Payload::RepositoryDispatch(read(event_name, body)?),
        "workflow_dispatch" => Payload::WorkflowDispatch(read(event_name, body)?),
        "ping" => Payload::Ping(read(event_name, body)?),
        _ => return Ok(None),
    };
    Ok(Some(payload))
}

fn read<T: DeserializeOwned>(event: &str, body: &[u8]) -> Result<T, WebhookError> {
    // serde_path_to_error costs a third of the parse on every delivery; a
    // well-formed body (nearly all of them) is read without it, and only a
    // failed one is read again to name the path of the problem.
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(_) => Err(explain::<T>(event, body)),
    }
}

/// Why `body` does not read as a `T`, with the path of the problem.
fn explain<T: DeserializeOwned>(event: &str, body: &[u8]) -> WebhookError {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => WebhookError::Body {
            event: event.to_owned(),
            path: e.path().to_string(),
            message: e.inner().to_string(),
        },
        // The value read, so what failed is the rest: trailing bytes mean the
        // body is not one document.
        Ok(_) => WebhookError::Body {
            event: event.to_owned(),
            path: ".".to_owned(),
            message: de.end().err().map_or_else(
                || "the body is not valid JSON".to_owned(),
                |e| e.to_string(),
            ),
        },
    }
}
