//! `issues` and `issue_comment`: the events that create and steer tasks.
//! Pull requests reach these events too and are ignored here.

use crate::app::event::{CloseReason, Comment, Event, Issue, IssueState, ParentIssue};
use crate::core::ids::{CommentId, IssueId, IssueNumber, Login};
use crate::github::webhook::WebhookError;
use crate::github::webhook::objects;
use crate::github::webhook::payload::{IssueCommentEvent, IssuesEvent};

use super::{Normalized, actor, ignored, missing, not_handled, origin};

pub(super) fn issues(p: IssuesEvent) -> Result<Normalized, WebhookError> {
    const HANDLED: &[&str] = &[
        "opened",
        "edited",
        "labeled",
        "unlabeled",
        "closed",
        "reopened",
        "deleted",
    ];
    if !HANDLED.contains(&p.action.as_str()) {
        return Ok(not_handled("issues", &p.action));
    }
    let name = format!("issues.{}", p.action);
    if p.issue.pull_request.is_some() {
        return Ok(pull_request(&name, p.issue.number));
    }
    let origin = origin(&name, &p.repository, &p.installation, &p.sender)?;
    let issue = issue(&name, &p.issue)?;
    let label = || {
        let label = p.label.as_ref().map(|l| l.name.clone());
        label.ok_or_else(|| missing(&name, "`label`"))
    };
    let event = match p.action.as_str() {
        "opened" => Event::IssueOpened { origin, issue },
        "edited" => {
            let changes = p.changes.unwrap_or_default();
            Event::IssueEdited {
                origin,
                issue,
                old_title: changes.title.and_then(|c| c.from),
                old_body: changes.body.and_then(|c| c.from),
            }
        }
        "labeled" => Event::IssueLabeled {
            origin,
            issue,
            label: label()?,
        },
        "unlabeled" => Event::IssueUnlabeled {
            origin,
            issue,
            label: label()?,
        },
        "closed" => {
            let reason = close_reason(p.issue.state_reason.as_deref());
            Event::IssueClosed {
                origin,
                issue,
                reason,
            }
        }
        "reopened" => Event::IssueReopened { origin, issue },
        "deleted" => Event::IssueDeleted { origin, issue },
        other => return Ok(not_handled("issues", other)),
    };
    Ok(Normalized::Event(event))
}

pub(super) fn issue_comment(p: IssueCommentEvent) -> Result<Normalized, WebhookError> {
    if !matches!(p.action.as_str(), "created" | "edited") {
        return Ok(not_handled("issue_comment", &p.action));
    }
    let name = format!("issue_comment.{}", p.action);
    if p.issue.pull_request.is_some() {
        return Ok(pull_request(&name, p.issue.number));
    }
    let origin = origin(&name, &p.repository, &p.installation, &p.sender)?;
    let issue = issue(&name, &p.issue)?;
    let author = p
        .comment
        .user
        .as_ref()
        .ok_or_else(|| missing(&name, "`comment.user`"))?;
    let comment = Comment {
        id: CommentId(p.comment.id),
        body: p.comment.body.unwrap_or_default(),
        author: actor(author),
        author_association: p.comment.author_association.unwrap_or_default(),
    };
    let event = if p.action == "created" {
        Event::CommentCreated {
            origin,
            issue,
            comment,
        }
    } else {
        let old_body = p.changes.and_then(|c| c.body).and_then(|c| c.from);
        Event::CommentEdited {
            origin,
            issue,
            comment,
            old_body,
        }
    };
    Ok(Normalized::Event(event))
}

fn pull_request(name: &str, number: u64) -> Normalized {
    ignored(format!("{name}: #{number} is a pull request, not an issue"))
}

fn issue(name: &str, issue: &objects::Issue) -> Result<Issue, WebhookError> {
    let author = issue
        .user
        .as_ref()
        .ok_or_else(|| missing(name, "`issue.user`"))?;
    Ok(Issue {
        number: IssueNumber(issue.number),
        id: IssueId(issue.id),
        node_id: issue.node_id.clone(),
        title: issue.title.clone(),
        body: issue.body.clone().unwrap_or_default(),
        state: match issue.state.as_deref() {
            Some("closed") => IssueState::Closed,
            _ => IssueState::Open,
        },
        labels: issue.labels.iter().map(|l| l.name.clone()).collect(),
        assignees: issue
            .assignees
            .iter()
            .map(|u| Login(u.login.clone()))
            .collect(),
        author: actor(author),
        author_association: issue.author_association.clone().unwrap_or_default(),
        issue_type: issue.issue_type.as_ref().map(|t| t.name.clone()),
        // An unreadable parent URL only costs the parent lock's precision.
        parent: issue.parent_issue().and_then(|(repo, number)| {
            Some(ParentIssue {
                repo: repo.parse().ok()?,
                number: IssueNumber(number),
            })
        }),
    })
}

fn close_reason(state_reason: Option<&str>) -> CloseReason {
    match state_reason {
        None | Some("completed") => CloseReason::Completed,
        Some("not_planned") => CloseReason::NotPlanned,
        Some("duplicate") => CloseReason::Duplicate,
        Some(_) => CloseReason::Other,
    }
}
