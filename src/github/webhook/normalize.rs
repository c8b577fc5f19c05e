//! From parsed payloads to the app's [`Event`]s: decides which actions matter,
//! drops pull requests that arrive through the issues API, and fills in the
//! ids handlers need.

mod actions;
mod installation;
mod issues;
mod links;

use super::objects::{InstallationRef, Repository, RepositoryRef, User};
use super::payload::{Envelope, Payload};
use super::{WebhookError, parse};
use crate::app::event::{Actor, Event, Origin};
use crate::core::ids::{InstallationId, Login, RepoName};

/// What became of a delivery: an event for the app, or the reason it is not one.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "returned once per delivery and moved straight on; boxing buys nothing"
)]
pub enum Normalized {
    /// An event the app handles.
    Event(Event),
    /// A well-formed delivery vayu deliberately does nothing with.
    Ignored {
        /// Why, for the delivery log (`issues.assigned is not handled`).
        reason: String,
    },
}

/// Reads a body for the event named by `X-GitHub-Event` and normalises it.
pub fn normalize(event_name: &str, body: &[u8]) -> Result<Normalized, WebhookError> {
    let Some(payload) = parse(event_name, body)? else {
        return Ok(ignored(format!("unknown event `{event_name}`")));
    };
    from_payload(payload)
}

/// [`normalize`], plus the envelope fields stored next to the delivery, from
/// one read of the body.
pub fn normalize_delivery(
    event_name: &str,
    body: &[u8],
) -> Result<(Normalized, Envelope), WebhookError> {
    match parse(event_name, body)? {
        Some(payload) => {
            let envelope = payload.envelope();
            Ok((from_payload(payload)?, envelope))
        }
        None => Ok((
            ignored(format!("unknown event `{event_name}`")),
            unknown_envelope(body),
        )),
    }
}

/// The envelope of an event vayu does not read: best effort, since the body
/// is stored either way.
fn unknown_envelope(body: &[u8]) -> Envelope {
    #[derive(serde::Deserialize)]
    struct Id {
        id: u64,
    }
    #[derive(serde::Deserialize)]
    struct Repo {
        full_name: String,
    }
    #[derive(serde::Deserialize)]
    struct Raw {
        action: Option<String>,
        installation: Option<Id>,
        repository: Option<Repo>,
    }
    serde_json::from_slice::<Raw>(body).map_or_else(
        |_| Envelope::default(),
        |raw| Envelope {
            action: raw.action,
            installation: raw.installation.map(|i| i.id),
            repo: raw.repository.map(|r| r.full_name),
        },
    )
}

/// The normalised event as pretty JSON, or `ignored: <reason>`; for `vayu inspect-event`.
pub fn inspect(event_name: &str, body: &[u8]) -> Result<String, WebhookError> {
    match normalize(event_name, body)? {
        Normalized::Event(event) => {
            serde_json::to_string_pretty(&event).map_err(|e| WebhookError::Output {
                event: event_name.to_owned(),
                message: e.to_string(),
            })
        }
        Normalized::Ignored { reason } => Ok(format!("ignored: {reason}")),
    }
}

fn ignored(reason: String) -> Normalized {
    Normalized::Ignored { reason }
}

fn not_handled(event: &str, action: &str) -> Normalized {
    ignored(format!("{event}.{action} is not handled"))
}

fn from_payload(payload: Payload) -> Result<Normalized, WebhookError> {
    match payload {
        Payload::Issues(p) => issues::issues(p),
        Payload::IssueComment(p) => issues::issue_comment(p),
        Payload::SubIssues(p) => links::sub_issues(p),
        Payload::IssueDependencies(p) => links::issue_dependencies(p),
        Payload::Installation(p) => installation::installation(p),
        Payload::InstallationRepositories(p) => installation::repositories(p),
        Payload::WorkflowRun(p) => actions::workflow_run(p),
        Payload::WorkflowJob(p) => actions::workflow_job(p),
        Payload::RepositoryDispatch(p) => actions::repository_dispatch(p),
        Payload::WorkflowDispatch(p) => actions::workflow_dispatch(p),
        Payload::Ping(p) => Ok(Normalized::Event(Event::Ping {
            hook_id: p.hook_id,
            app_id: p.hook.and_then(|h| h.app_id),
            zen: p.zen.unwrap_or_default(),
        })),
    }
}

fn missing(name: &str, what: &str) -> WebhookError {
    WebhookError::Missing {
        event: name.to_owned(),
        what: what.to_owned(),
    }
}

fn repo_name(name: &str, full_name: &str) -> Result<RepoName, WebhookError> {
    full_name.parse().map_err(|_| WebhookError::BadRepo {
        event: name.to_owned(),
        name: full_name.to_owned(),
    })
}

fn repo_names(name: &str, repos: &[RepositoryRef]) -> Result<Vec<RepoName>, WebhookError> {
    repos
        .iter()
        .map(|r| repo_name(name, &r.full_name))
        .collect()
}

fn actor(user: &User) -> Actor {
    Actor {
        login: Login(user.login.clone()),
        id: user.id,
        is_bot: user.kind.as_deref() == Some("Bot") || user.login.ends_with("[bot]"),
    }
}

fn origin(
    name: &str,
    repository: &Repository,
    installation: &Option<InstallationRef>,
    sender: &User,
) -> Result<Origin, WebhookError> {
    Ok(Origin {
        repo: repo_name(name, &repository.full_name)?,
        installation: installation.as_ref().map(|i| InstallationId(i.id)),
        sender: actor(sender),
    })
}
