//! Review gates (seed 003 §8): a finished task first waits in `reviewing`
//! for the check its type's config asks for: `self` (the assignee ticks the
//! review checklist), `peer` (a different capable agent), `user` (the
//! requester) or `automated` (the linked pull request's checks, confirmed
//! by someone with the `review` permission until vayu reads them). A pass
//! completes and closes it (then dependents unblock as usual); a fail
//! records the feedback and sends it back to its agent, or to the queue
//! when that agent is away. The first pass without a fail is recorded as
//! first-time success.

use std::collections::BTreeMap;

use serde_json::json;
use tracing::{debug, warn};

use super::assign_cmds::settle;
use super::commands::Reply;
use super::review_checks::{Checks, judge};
use crate::app::assignment::is_away;
use crate::app::config_load::load_config;
use crate::app::ctx::Ctx;
use crate::app::effects::{Effect, Executor, Target, note_marker};
use crate::app::error::{AppError, UserError};
use crate::app::event::{Comment, Issue as EventIssue, Origin};
use crate::app::labels::{status_of, type_of, with_status};
use crate::app::outcome::Outcome;
use crate::app::ports::{GitHub, GitHubError, Issue, IssuePatch, IssueState, Ledger, StateReason};
use crate::core::assign::is_capable;
use crate::core::command::Verdict;
use crate::core::config::{Config, LabelMeaning, ReviewMode};
use crate::core::ids::{IssueNumber, Login, RepoName};
use crate::core::marker::find_task;
use crate::core::task::{Status, TaskType};
use crate::render::{review_comment, review_failed_comment};

/// The comment slot of the review request (and its self-review checklist).
pub const REVIEW_SLOT: &str = "review";

fn user(message: String) -> AppError {
    UserError { message }.into()
}

fn mode_of(cfg: &Config, issue: &Issue) -> ReviewMode {
    cfg.review
        .mode_for(type_of(&issue.labels, cfg).unwrap_or(TaskType::Feature))
}

fn mode_name(mode: ReviewMode) -> &'static str {
    match mode {
        ReviewMode::None => "none",
        ReviewMode::SelfReview => "self",
        ReviewMode::Peer => "peer",
        ReviewMode::User => "user",
        ReviewMode::Automated => "automated",
    }
}

fn passed_key(repo: &RepoName, n: IssueNumber) -> String {
    format!("{repo}#{n}/review/passed")
}

fn failed_key(repo: &RepoName, n: IssueNumber) -> String {
    format!("{repo}#{n}/review/failed")
}

fn owner_of(cfg: &Config, issue: &Issue) -> Option<String> {
    issue
        .labels
        .iter()
        .find_map(|l| match cfg.labels.parse_label(l) {
            Some(LabelMeaning::Owner(o)) => Some(o),
            _ => None,
        })
}

/// Who asked for the work: the parent's author for a sub-issue.
async fn requester<G: GitHub, S>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
) -> Result<Login, AppError> {
    match find_task(&issue.body) {
        Some(m) => Ok(ctx.gh.get_issue(repo, m.parent).await?.user),
        None => Ok(issue.user.clone()),
    }
}

/// A sub-issue was closed as completed: if its type needs a review that has
/// not passed, reopen it in `reviewing` and ask for the review, unless an
/// `automated` review can be decided from the checks right away. What the
/// gate did, else `None` (the close counts as it is).
pub async fn gate_close<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    n: IssueNumber,
) -> Result<Option<Outcome>, AppError> {
    let Ok(cfg) = load_config(&ctx.gh, repo).await? else {
        return Ok(None);
    };
    let fresh = ctx.gh.get_issue(repo, n).await?;
    let completed = matches!(fresh.state_reason, Some(StateReason::Completed) | None);
    let mode = mode_of(&cfg, &fresh);
    if fresh.state != IssueState::Closed
        || !completed
        || mode == ReviewMode::None
        || status_of(&fresh.labels, &cfg).is_none()
        || ctx.store.effect_done(&passed_key(repo, n)).await?.is_some()
    {
        return Ok(None);
    }
    let mut waiting = None;
    if mode == ReviewMode::Automated {
        match read_checks(ctx, repo, &fresh).await? {
            Checks::Waiting { why } => waiting = Some(why),
            decided => return decide(ctx, &cfg, repo, fresh, decided).await.map(Some),
        }
    }
    let owner = owner_of(&cfg, &fresh);
    let assignees: Vec<String> = fresh.assignees.iter().map(|l| l.to_string()).collect();
    let reviewers: Vec<String> = cfg
        .assignment
        .agents
        .iter()
        .filter(|a| is_capable(&cfg.assignment, owner.as_deref(), &a.login))
        .filter(|a| !assignees.iter().any(|x| x.eq_ignore_ascii_case(&a.login)))
        .map(|a| a.login.clone())
        .collect();
    let asker = requester(ctx, repo, &fresh).await?;
    let body = review_comment(
        &note_marker(REVIEW_SLOT),
        mode_name(mode),
        &assignees,
        &reviewers,
        asker.as_str(),
        waiting.as_deref(),
    )?;
    let patch = IssuePatch {
        state: Some(IssueState::Open),
        labels: Some(with_status(&fresh.labels, Status::Reviewing, &[], &cfg)),
        ..IssuePatch::default()
    };
    let mut ex = Executor::new(ctx, repo.clone(), fresh, BTreeMap::new(), None);
    ex.run_all(&[
        Effect::PatchParent {
            patch,
            checklist: None,
        },
        Effect::Comment {
            on: Target::Parent,
            slot: REVIEW_SLOT.into(),
            body,
            replace: true,
        },
    ])
    .await?;
    ex.event(
        "review_requested",
        json!({ "issue": n.0, "mode": mode_name(mode) }),
    )
    .await?;
    Ok(Some(Outcome::Reviewing { writes: ex.writes }))
}

/// What the checks of the pull requests that close `issue` say. An App
/// installed before vayu asked for pull request and check access gets a
/// wait that says so (once, in the review request), not a job that fails
/// on every retry.
async fn read_checks<G: GitHub, S>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
) -> Result<Checks, AppError> {
    match ctx.gh.linked_pr_checks(repo, &issue.node_id).await {
        Ok(prs) => Ok(judge(&prs)),
        Err(GitHubError::PermissionDenied { message }) => {
            warn!(%repo, issue = issue.number.0, %message, "cannot read the checks for an automated review");
            Ok(Checks::Waiting {
                why: "vayu may not read this repository's pull requests or checks; give the App \
                      read access to pull requests, checks and commit statuses"
                    .into(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Gives an `automated` review the verdict the checks decided.
async fn decide<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    repo: &RepoName,
    fresh: Issue,
    checks: Checks,
) -> Result<Outcome, AppError> {
    match checks {
        Checks::Green { summary } => {
            let writes = pass(ctx, cfg, repo, fresh, None, ReviewMode::Automated).await?;
            debug!(%repo, %summary, "automated review passed");
            Ok(Outcome::Reviewed {
                passed: true,
                writes,
            })
        }
        Checks::Red { feedback, round } => {
            let slot = format!("review-failed-checks-{round}");
            let writes = fail(ctx, cfg, repo, fresh, None, &feedback, &slot).await?;
            Ok(Outcome::Reviewed {
                passed: false,
                writes,
            })
        }
        Checks::Waiting { .. } => Ok(Outcome::Ignored {
            why: "the checks have not decided yet".into(),
        }),
    }
}

/// Reconcile's part, for parent `n` and run under its lock like the rest of
/// its repair: the parent (a simple task) or any of its sub-issues waiting
/// in `reviewing` for an `automated` review is judged again from its pull
/// requests' checks. GitHub sends vayu no check events, so they are polled
/// here. Returns the GitHub writes made; an undecided task costs none, and a
/// repository without `automated` reviews costs nothing.
pub async fn recheck_family<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    repo: &RepoName,
    n: IssueNumber,
) -> Result<usize, AppError> {
    if !cfg.review.uses(ReviewMode::Automated) {
        return Ok(0);
    }
    let mut family = ctx.gh.list_sub_issues(repo, n).await?;
    family.push(ctx.gh.get_issue(repo, n).await?);
    let mut writes = 0;
    for issue in family.into_iter().filter(|i| {
        i.state == IssueState::Open
            && status_of(&i.labels, cfg) == Some(Status::Reviewing)
            && mode_of(cfg, i) == ReviewMode::Automated
    }) {
        let checks = read_checks(ctx, repo, &issue).await?;
        if !matches!(checks, Checks::Waiting { .. }) {
            writes += decide(ctx, cfg, repo, issue, checks).await?.writes();
        }
    }
    Ok(writes)
}

/// `/vayu review pass|fail [feedback]` on a task in `reviewing`.
pub(super) async fn command<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &EventIssue,
    comment: &Comment,
    verdict: Verdict,
    reason: Option<&str>,
) -> Result<Reply, AppError> {
    let repo = &origin.repo;
    let fresh = ctx.gh.get_issue(repo, issue.number).await?;
    let n = fresh.number;
    let status = status_of(&fresh.labels, cfg);
    if status != Some(Status::Reviewing) {
        let s = status.map_or("not a vayu task".to_owned(), |s| format!("`{s}`"));
        return Err(user(format!(
            "#{n} is {s}: only a task in `reviewing` takes a review verdict."
        )));
    }
    let reviewer = &comment.author.login;
    let mode = mode_of(cfg, &fresh);
    let is_assignee = fresh
        .assignees
        .iter()
        .any(|a| a.as_str().eq_ignore_ascii_case(reviewer.as_str()));
    match mode {
        ReviewMode::None => {}
        // A task nobody is assigned (run by the Action's workflow, or in a
        // repository without agents) has no self to review it: whoever may
        // review (checked before the command ran) stands in.
        ReviewMode::SelfReview if !is_assignee && !fresh.assignees.is_empty() => {
            return Err(user(format!(
                "#{n} takes a self review: only its assignee gives the verdict, not `{reviewer}`."
            )));
        }
        ReviewMode::SelfReview => {}
        ReviewMode::Peer if is_assignee => {
            return Err(user(format!(
                "`{reviewer}` worked on #{n}, so cannot review it: a peer review needs a different capable agent."
            )));
        }
        // Without declared agents, any other person with the `review`
        // permission is a peer (checked before the command ran).
        ReviewMode::Peer if cfg.assignment.agents.is_empty() => {}
        ReviewMode::Peer => {
            let owner = owner_of(cfg, &fresh);
            if !is_capable(&cfg.assignment, owner.as_deref(), reviewer.as_str()) {
                return Err(user(format!(
                    "`{reviewer}` is not an agent that works on `{}`, so cannot give #{n} its peer review.",
                    owner.as_deref().unwrap_or("any")
                )));
            }
        }
        ReviewMode::User => {
            let asker = requester(ctx, repo, &fresh).await?;
            if !asker.as_str().eq_ignore_ascii_case(reviewer.as_str()) {
                return Err(user(format!(
                    "#{n} takes a user review: only `{asker}`, who asked for it, gives the verdict."
                )));
            }
        }
        // vayu reads the checks on close and on every reconcile; someone
        // who may review (the `review` permission) can decide sooner, or
        // overrule checks that cannot pass (a repository without CI).
        ReviewMode::Automated => {}
    }
    match verdict {
        Verdict::Pass => {
            pass(ctx, cfg, repo, fresh, Some(reviewer), mode).await?;
        }
        Verdict::Fail => {
            let feedback = reason.unwrap_or("no reason given");
            let slot = format!("review-failed-{}", comment.id.0);
            fail(ctx, cfg, repo, fresh, Some(reviewer), feedback, &slot).await?;
        }
    }
    Ok(Reply::Done)
}

/// vayu's review comment was edited: a self review passes when the assignee
/// has ticked every box of its checklist.
pub(super) async fn checklist_edited<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    origin: &Origin,
    issue: &EventIssue,
    comment: &Comment,
) -> Result<crate::app::outcome::Outcome, AppError> {
    let repo = &origin.repo;
    let ticked = comment.body.contains("- [x]") || comment.body.contains("- [X]");
    if !ticked || comment.body.contains("- [ ]") {
        return Ok(Outcome::Ignored {
            why: "the review checklist is not complete".into(),
        });
    }
    let Ok(cfg) = load_config(&ctx.gh, repo).await? else {
        return Ok(Outcome::Ignored {
            why: "the configuration is invalid".into(),
        });
    };
    let fresh = ctx.gh.get_issue(repo, issue.number).await?;
    let editor = &origin.sender.login;
    let is_assignee = fresh
        .assignees
        .iter()
        .any(|a| a.as_str().eq_ignore_ascii_case(editor.as_str()));
    let mode = mode_of(&cfg, &fresh);
    if mode != ReviewMode::SelfReview
        || !is_assignee
        || status_of(&fresh.labels, &cfg) != Some(Status::Reviewing)
    {
        return Ok(Outcome::Ignored {
            why: "not a self review by the assignee of a task in review".into(),
        });
    }
    pass(ctx, &cfg, repo, fresh, Some(editor), mode).await?;
    Ok(Outcome::Commands { ran: 1 })
}

/// Passes the review of `fresh`: `reviewer` gave the verdict, or the checks
/// when `None`. Returns the GitHub writes made on the task itself.
async fn pass<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    repo: &RepoName,
    fresh: Issue,
    reviewer: Option<&Login>,
    mode: ReviewMode,
) -> Result<usize, AppError> {
    let n = fresh.number;
    // The checks can pass a task straight from its close, never reopened.
    let from = status_of(&fresh.labels, cfg).unwrap_or(Status::Reviewing);
    let first_time = ctx.store.effect_done(&failed_key(repo, n)).await?.is_none();
    // Recorded before the close, so the close it causes is not gated again.
    ctx.store
        .record_effect(
            &passed_key(repo, n),
            &json!({ "by": reviewer, "first_time": first_time }),
            ctx.now(),
        )
        .await?;
    let patch = IssuePatch {
        state: Some(IssueState::Closed),
        state_reason: Some(StateReason::Completed),
        labels: Some(with_status(&fresh.labels, Status::Completed, &[], cfg)),
        ..IssuePatch::default()
    };
    let mut ex = Executor::new(ctx, repo.clone(), fresh, BTreeMap::new(), None);
    ex.run(&Effect::PatchParent {
        patch,
        checklist: None,
    })
    .await?;
    ex.event(
        "review_passed",
        json!({ "issue": n.0, "by": reviewer, "mode": mode_name(mode), "first_time": first_time }),
    )
    .await?;
    ex.event(
        "task_transition",
        json!({ "from": from, "to": Status::Completed, "by": reviewer }),
    )
    .await?;
    settle(ctx, repo, &ex.parent).await?;
    Ok(ex.writes)
}

/// Fails the review of `fresh` with `feedback` (from `reviewer`, or the
/// checks when `None`) and sends it back to work. `slot` names the feedback
/// comment, one per failure. Returns the GitHub writes made on the task.
async fn fail<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    repo: &RepoName,
    fresh: Issue,
    reviewer: Option<&Login>,
    feedback: &str,
    slot: &str,
) -> Result<usize, AppError> {
    let from = status_of(&fresh.labels, cfg).unwrap_or(Status::Reviewing);
    let n = fresh.number;
    ctx.store
        .record_effect(&failed_key(repo, n), &json!({ "by": reviewer }), ctx.now())
        .await?;
    let holder = fresh.assignees.first().cloned();
    let available = match &holder {
        Some(h) => !is_away(&ctx.store, repo, h.as_str()).await?,
        None => false,
    };
    let (to, assignees, next) = match (&holder, available) {
        (Some(h), true) => (
            Status::Executing,
            fresh.assignees.clone(),
            format!(
                "Back to `executing` for @{h}: rework it, then close the issue again for another review."
            ),
        ),
        _ => (
            Status::Queued,
            Vec::new(),
            "Its agent is unavailable, so it is queued for another one.".to_owned(),
        ),
    };
    let body = review_failed_comment(
        &note_marker(slot),
        reviewer.map(Login::as_str),
        feedback,
        &next,
    )?;
    let patch = IssuePatch {
        // Failing checks can catch a task right at its close.
        state: Some(IssueState::Open),
        labels: Some(with_status(&fresh.labels, to, &[], cfg)),
        assignees: Some(assignees),
        ..IssuePatch::default()
    };
    let mut ex = Executor::new(ctx, repo.clone(), fresh, BTreeMap::new(), None);
    ex.run_all(&[
        Effect::Comment {
            on: Target::Parent,
            slot: slot.to_owned(),
            body,
            replace: false,
        },
        Effect::PatchParent {
            patch,
            checklist: None,
        },
    ])
    .await?;
    ex.event(
        "review_failed",
        json!({ "issue": n.0, "by": reviewer, "feedback": feedback }),
    )
    .await?;
    for (from, to) in [(from, Status::Rejected), (Status::Rejected, to)] {
        ex.event(
            "task_transition",
            json!({ "from": from, "to": to, "by": reviewer }),
        )
        .await?;
    }
    settle(ctx, repo, &ex.parent).await?;
    Ok(ex.writes)
}
