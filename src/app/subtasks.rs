//! What the Action needs to read a single sub-issue's task from GitHub alone
//! (DESIGN §1): its lifecycle task from labels and state, whether its needs
//! are met, and which subtasks a completion made ready. Built on the
//! orchestrator's own readers ([`observe`], [`verdicts`], [`labels`]) so both
//! front-ends judge a plan the same way.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::app::config_load::load_templates;
use crate::app::desired::verdicts;
use crate::app::error::AppError;
use crate::app::labels::{self, user_text};
use crate::app::observe::Observed;
use crate::app::ports::{GhResult, GitHub, Issue, IssueState, StateReason};
use crate::core::config::Config;
use crate::core::ids::{IssueNumber, RepoName, TaskId, TaskKey, TaskRef};
use crate::core::marker::find_task;
use crate::core::plan::{Mode, Plan, TemplateSet};
use crate::core::task::{Requester, RequesterKind, Status, Task, TaskType};
use crate::core::triage::{Triage, TriageInput, triage};
use crate::render::ChecklistEntry;

use super::assess::Verdict;

/// The status GitHub shows for an issue: closed issues by their state
/// reason, open ones by their `status:` label (none when unlabelled).
pub fn status_of(issue: &Issue, config: &Config) -> Option<Status> {
    if issue.state == IssueState::Closed {
        return Some(if is_done(issue) {
            Status::Completed
        } else {
            Status::Cancelled
        });
    }
    labels::status_of(&issue.labels, config)
}

/// Whether an issue counts as done for the tasks waiting on it (the
/// orchestrator's rule: closed as completed, or closed with no reason).
pub fn is_done(issue: &Issue) -> bool {
    issue.state == IssueState::Closed
        && matches!(issue.state_reason, Some(StateReason::Completed) | None)
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
        labels::type_of(&issue.labels, config).unwrap_or(TaskType::Feature),
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

/// The plan written in a parent issue, read as the orchestrator reads it.
pub fn plan_of(parent: &Issue, config: &Config, templates: &TemplateSet) -> Option<Plan> {
    let body = user_text(&parent.body);
    let t = triage(
        &TriageInput {
            title: &parent.title,
            body: &body,
            labels: &parent.labels,
            task_type: labels::type_of(&parent.labels, config),
            force_decompose: true,
        },
        config,
        templates,
    );
    match t {
        Triage::Complex { plan, .. } => Some(plan),
        _ => None,
    }
}

/// [`plan_of`] with the repository's own template for the parent's type
/// (`.github/vayu/plans/<type>.yml`), as converge planned it. A broken one
/// falls back to the built-in; converge is the one that reports it.
pub async fn repo_plan_of<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    parent: &Issue,
    config: &Config,
    base: &TemplateSet,
) -> Result<Option<Plan>, AppError> {
    let kind = labels::type_of(&parent.labels, config);
    let templates = load_templates(gh, repo, kind, base)
        .await?
        .unwrap_or(Cow::Borrowed(base));
    Ok(plan_of(parent, config, &templates))
}

/// One checklist entry per observed sub-issue.
pub fn entries_of(obs: &Observed, config: &Config) -> Vec<ChecklistEntry> {
    obs.subs
        .iter()
        .map(|(key, (issue, _))| ChecklistEntry {
            key: key.clone(),
            issue: Some(issue.number),
            status: status_of(issue, config),
        })
        .collect()
}

/// The open, queued sub-issues that the completion of `done` let start: the
/// orchestrator judges them [`Verdict::Ready`], and they need `done` (or, in
/// `stages` mode, sit in the stage after it).
pub fn made_ready(plan: &Plan, obs: &Observed, done: &TaskKey, config: &Config) -> Vec<Issue> {
    let done_stage = plan.subtask(done).map(|s| s.stage);
    let mut ready: Vec<Issue> = verdicts(plan, obs)
        .into_iter()
        .filter(|(_, v)| *v == Verdict::Ready)
        .filter_map(|(key, _)| {
            let s = plan.subtask(&key)?;
            let follows = s.needs.contains(done)
                || (plan.mode == Mode::Stages && done_stage.map(|d| d + 1) == Some(s.stage));
            let (issue, _) = obs.subs.get(&key)?;
            let waiting = issue.state == IssueState::Open
                && labels::status_of(&issue.labels, config) == Some(Status::Queued);
            (follows && waiting).then(|| issue.clone())
        })
        .collect();
    ready.sort_by_key(|i| i.number);
    ready
}

/// The key a sub-issue's marker gives it, or `issue-<n>` for an issue vayu did not create.
pub fn key_of(issue: &Issue) -> TaskKey {
    find_task(&issue.body)
        .map(|m| m.key)
        .unwrap_or_else(|| TaskKey::slug(&format!("issue-{}", issue.number), "task"))
}
