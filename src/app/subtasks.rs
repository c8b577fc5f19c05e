//! Reading a plan's state back from GitHub alone (DESIGN §1): what a
//! sub-issue's labels and state say about its task, whether its needs are
//! met, which dependents a completion made ready, and the parent checklist.
//! Shared by the Action and the server's handlers so both read GitHub the
//! same way.

use chrono::{DateTime, Utc};

use crate::app::ports::{GhResult, GitHub, Issue, IssuePatch, IssueState, StateReason};
use crate::core::config::{Config, LabelMeaning};
use crate::core::ids::{IssueNumber, RepoName, TaskId, TaskKey, TaskRef};
use crate::core::marker::{find_task, replace_block};
use crate::core::plan::{Plan, TemplateSet};
use crate::core::task::{Requester, RequesterKind, Status, Task, TaskType};
use crate::core::triage::{Triage, TriageInput, triage};
use crate::render::{ChecklistEntry, checklist_block};

/// The status GitHub shows for an issue: closed issues by their state
/// reason, open ones by their `status:` label (none when unlabelled).
pub fn status_of(issue: &Issue, config: &Config) -> Option<Status> {
    if issue.state == IssueState::Closed {
        return Some(match issue.state_reason {
            Some(StateReason::NotPlanned | StateReason::Duplicate) => Status::Cancelled,
            _ => Status::Completed,
        });
    }
    issue
        .labels
        .iter()
        .find_map(|l| match config.labels.parse_label(l) {
            Some(LabelMeaning::Status(s)) => Some(s),
            _ => None,
        })
}

/// The task type from the issue's `type:` label.
pub fn type_of(issue: &Issue, config: &Config) -> Option<TaskType> {
    issue
        .labels
        .iter()
        .find_map(|l| match config.labels.parse_label(l) {
            Some(LabelMeaning::Type(t)) => Some(t),
            _ => None,
        })
}

/// Whether an issue counts as done for the tasks waiting on it.
pub fn is_done(issue: &Issue) -> bool {
    issue.state == IssueState::Closed
        && !matches!(
            issue.state_reason,
            Some(StateReason::NotPlanned | StateReason::Duplicate)
        )
}

/// The lifecycle task an issue stands for, as far as GitHub shows it: an
/// unlabelled open issue counts as `queued`.
pub fn task_from_issue(
    repo: &RepoName,
    issue: &Issue,
    config: &Config,
    now: DateTime<Utc>,
) -> Task {
    let mut task = Task::new(
        TaskId(format!("{repo}#{}", issue.number)),
        issue.title.clone(),
        type_of(issue, config).unwrap_or(TaskType::Feature),
        Requester {
            kind: RequesterKind::Human,
            id: issue.user.to_string(),
            context: None,
        },
        now,
    );
    task.issue = Some(TaskRef {
        repo: repo.clone(),
        number: issue.number,
    });
    task.parent = find_task(&issue.body).map(|m| TaskRef {
        repo: repo.clone(),
        number: m.parent,
    });
    task.status = status_of(issue, config).unwrap_or(Status::Queued);
    task.metadata.max_retries = config.retries.max_retries;
    task
}

/// The blockers of `n` that are not done yet (empty when its needs are met).
pub async fn unmet_needs<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    n: IssueNumber,
) -> GhResult<Vec<Issue>> {
    let blockers = gh.list_blocked_by(repo, n).await?;
    Ok(blockers.into_iter().filter(|b| !is_done(b)).collect())
}

/// The open issues that `done` was blocking and that now have every need
/// met and have not started: what a completion made ready.
pub async fn newly_ready<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    done: IssueNumber,
    config: &Config,
) -> GhResult<Vec<Issue>> {
    let mut ready = Vec::new();
    for dependent in gh.list_blocking(repo, done).await? {
        let waiting = matches!(
            status_of(&dependent, config),
            None | Some(Status::Created | Status::Queued | Status::Blocked)
        );
        if dependent.state == IssueState::Open
            && waiting
            && unmet_needs(gh, repo, dependent.number).await?.is_empty()
        {
            ready.push(dependent);
        }
    }
    Ok(ready)
}

/// The plan written in a parent issue, read the way it was planned.
pub fn plan_of(parent: &Issue, config: &Config) -> Option<Plan> {
    let t = triage(
        &TriageInput {
            title: &parent.title,
            body: &parent.body,
            labels: &parent.labels,
            task_type: type_of(parent, config),
            force_decompose: true,
        },
        config,
        &TemplateSet::builtin(),
    );
    match t {
        Triage::Complex { plan, .. } => Some(plan),
        _ => None,
    }
}

/// One checklist entry per sub-issue that carries a task marker for `parent`.
pub fn entries_of(parent: IssueNumber, subs: &[Issue], config: &Config) -> Vec<ChecklistEntry> {
    subs.iter()
        .filter_map(|s| {
            let m = find_task(&s.body).filter(|m| m.parent == parent)?;
            Some(ChecklistEntry {
                key: m.key,
                issue: Some(s.number),
                status: status_of(s, config),
            })
        })
        .collect()
}

/// The key a sub-issue's marker gives it, or `issue-<n>` for an issue vayu did not create.
pub fn key_of(issue: &Issue) -> TaskKey {
    find_task(&issue.body)
        .map(|m| m.key)
        .unwrap_or_else(|| TaskKey::slug(&format!("issue-{}", issue.number), "task"))
}

/// Rewrites the parent's checklist from its sub-issues; one edit, and none
/// when nothing changed. Returns whether the body was edited.
pub async fn refresh_parent_checklist<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    parent: &Issue,
    config: &Config,
) -> GhResult<bool> {
    let Some(plan) = plan_of(parent, config) else {
        return Ok(false);
    };
    let subs = gh.list_sub_issues(repo, parent.number).await?;
    let entries = entries_of(parent.number, &subs, config);
    let Ok(block) = checklist_block(&plan, &entries) else {
        return Ok(false);
    };
    let replaced = replace_block(&parent.body, &block);
    if replaced.body == parent.body {
        return Ok(false);
    }
    gh.update_issue(
        repo,
        parent.number,
        &IssuePatch {
            body: Some(replaced.body),
            ..IssuePatch::default()
        },
    )
    .await?;
    Ok(true)
}
