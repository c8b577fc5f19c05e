//! `sub_issues` and `issue_dependencies`: links between issues, reported
//! once for each end.

use crate::app::event::{DependencyLink, Event, LinkEnd, LinkedIssue, SubIssueLink};
use crate::core::ids::{IssueId, IssueNumber, RepoName};
use crate::github::webhook::WebhookError;
use crate::github::webhook::objects::{self, Repository};
use crate::github::webhook::payload::{IssueDependenciesEvent, SubIssuesEvent};

use super::{Normalized, missing, not_handled, origin, repo_name};

pub(super) fn sub_issues(p: SubIssuesEvent) -> Result<Normalized, WebhookError> {
    let (added, reported_on) = match p.action.as_str() {
        "sub_issue_added" => (true, LinkEnd::Parent),
        "sub_issue_removed" => (false, LinkEnd::Parent),
        "parent_issue_added" => (true, LinkEnd::Sub),
        "parent_issue_removed" => (false, LinkEnd::Sub),
        other => return Ok(not_handled("sub_issues", other)),
    };
    let name = format!("sub_issues.{}", p.action);
    let origin = origin(&name, &p.repository, &p.installation, &p.sender)?;
    let end = |id, issue, repo, what| linked(&name, &origin.repo, id, issue, repo, what);
    let link = SubIssueLink {
        parent: end(
            p.parent_issue_id,
            &p.parent_issue,
            &p.parent_issue_repo,
            "parent_issue",
        )?,
        sub: end(p.sub_issue_id, &p.sub_issue, &p.sub_issue_repo, "sub_issue")?,
        reported_on,
    };
    Ok(Normalized::Event(if added {
        Event::SubIssueAdded { origin, link }
    } else {
        Event::SubIssueRemoved { origin, link }
    }))
}

pub(super) fn issue_dependencies(p: IssueDependenciesEvent) -> Result<Normalized, WebhookError> {
    let (added, reported_on) = match p.action.as_str() {
        "blocked_by_added" => (true, LinkEnd::Blocked),
        "blocked_by_removed" => (false, LinkEnd::Blocked),
        "blocking_added" => (true, LinkEnd::Blocking),
        "blocking_removed" => (false, LinkEnd::Blocking),
        other => return Ok(not_handled("issue_dependencies", other)),
    };
    let name = format!("issue_dependencies.{}", p.action);
    let origin = origin(&name, &p.repository, &p.installation, &p.sender)?;
    let end = |id, issue, repo, what| linked(&name, &origin.repo, id, issue, repo, what);
    let link = DependencyLink {
        blocked: end(
            p.blocked_issue_id,
            &p.blocked_issue,
            &p.blocked_issue_repo,
            "blocked_issue",
        )?,
        blocking: end(
            p.blocking_issue_id,
            &p.blocking_issue,
            &p.blocking_issue_repo,
            "blocking_issue",
        )?,
        reported_on,
    };
    Ok(Normalized::Event(if added {
        Event::DependencyAdded { origin, link }
    } else {
        Event::DependencyRemoved { origin, link }
    }))
}

/// One end of a link: its id comes from `<what>_id` or the issue object, its
/// repository from `<what>_repo`, the issue's `repository_url`, or else the
/// delivery's own repository.
fn linked(
    name: &str,
    home: &RepoName,
    id: Option<u64>,
    issue: &Option<objects::Issue>,
    repo: &Option<Repository>,
    what: &str,
) -> Result<LinkedIssue, WebhookError> {
    let id = id.or_else(|| issue.as_ref().map(|i| i.id));
    let id = id.ok_or_else(|| missing(name, &format!("`{what}_id` or `{what}`")))?;
    let full_name = repo
        .as_ref()
        .map(|r| r.full_name.as_str())
        .or_else(|| issue.as_ref().and_then(|i| i.repo_full_name()));
    let repo = match full_name {
        Some(full_name) => repo_name(name, full_name)?,
        None => home.clone(),
    };
    Ok(LinkedIssue {
        id: IssueId(id),
        repo,
        number: issue.as_ref().map(|i| IssueNumber(i.number)),
    })
}
