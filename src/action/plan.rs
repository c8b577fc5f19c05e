//! `mode: plan`: on `issues` / `issue_comment` events, exactly what the
//! server does for the same delivery: [`crate::app::handle`].

use super::progress::find_progress_comment;
use super::workflow_commands::Level;
use super::{ActionError, Cx, Finished, Outputs, read_event_bytes};
use crate::app::Outcome;
use crate::app::assess::Verdict;
use crate::app::desired::verdicts;
use crate::app::handle;
use crate::app::labels;
use crate::app::observe::observe;
use crate::app::ports::GitHub;
use crate::app::ports::IssueState;
use crate::app::subtasks::repo_plan_of;
use crate::core::ids::IssueNumber;
use crate::core::marker::find_task;
use crate::core::task::Status;
use crate::github::webhook::{Normalized, normalize};

pub(crate) async fn plan<G: GitHub>(cx: &Cx<'_, G>) -> Result<Finished, ActionError> {
    let env = cx.env;
    let Some(body) = read_event_bytes(env)? else {
        return Err(ActionError::Input {
            name: "GITHUB_EVENT_PATH",
            message: "is not set: mode `plan` acts on the workflow's triggering event".into(),
        });
    };
    let event = match normalize(&env.event_name, &body) {
        Ok(Normalized::Event(e)) => e,
        Ok(Normalized::Ignored { reason }) => {
            cx.console.info(&format!("ignored: {reason}"));
            return Ok(finished(None, "ignored"));
        }
        Err(e) => {
            return Err(ActionError::Event {
                path: env
                    .event_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                message: e.to_string(),
            });
        }
    };
    let issue = super::task_number(env)?.map(|n| n.0);
    let outcome = handle(&event, cx.app).await?;
    let status = match &outcome {
        Outcome::Ignored { why } => {
            cx.console.info(&format!("ignored: {why}"));
            "ignored"
        }
        Outcome::AlreadyDone => "unchanged",
        Outcome::Routed { .. } => "routed",
        Outcome::Planned {
            completed: true, ..
        } => "completed",
        Outcome::Planned { .. } => "planned",
        Outcome::Rejected { reason, .. } => {
            cx.console.annotate(Level::Warning, reason);
            "rejected"
        }
        Outcome::Commands { .. } => "commands",
        Outcome::Reconciled { .. } => "reconciled",
        Outcome::Installation { .. } => "installation",
        Outcome::Reviewing { .. } => "reviewing",
        Outcome::Reviewed { passed: true, .. } => "review passed",
        Outcome::Reviewed { passed: false, .. } => "review failed",
    };
    cx.console.info(&format!(
        "plan: {status} ({} GitHub writes)",
        outcome.writes()
    ));
    // Events made with GITHUB_TOKEN start no workflow: start the subtasks
    // that are ready and were never started. Only when something changed,
    // so a comment on a planned issue does not dispatch twice.
    let mut ready = Vec::new();
    if let (Some(n), true) = (issue, outcome.writes() > 0) {
        for sub in startable(cx, IssueNumber(n)).await? {
            cx.dispatch(sub).await?;
            ready.push(sub.0);
        }
    }
    cx.console.summary(&format!(
        "### vayu plan\n\n`{status}` for #{}",
        issue.unwrap_or(0)
    ))?;
    let mut done = finished(issue, status);
    done.outputs.ready = ready;
    Ok(done)
}

/// The open, queued subtasks of `n`'s plan (or of its parent's) that the
/// orchestrator judges ready and that have no progress comment yet.
async fn startable<G: GitHub>(
    cx: &Cx<'_, G>,
    n: IssueNumber,
) -> Result<Vec<IssueNumber>, ActionError> {
    let repo = &cx.env.repo;
    let issue = cx.gh.get_issue(repo, n).await?;
    let parent = find_task(&issue.body).map_or(n, |m| m.parent);
    let obs = observe(cx.gh, repo, parent, false).await?;
    let Some(plan) = repo_plan_of(cx.gh, repo, &obs.parent, &cx.config, &cx.app.templates).await?
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (key, verdict) in verdicts(&plan, &obs) {
        let Some((sub, _)) = obs.subs.get(&key) else {
            continue;
        };
        let queued = sub.state == IssueState::Open
            && labels::status_of(&sub.labels, &cx.config) == Some(Status::Queued);
        if verdict == Verdict::Ready
            && queued
            && find_progress_comment(cx.gh, repo, sub.number, &key, &cx.env.bot_login)
                .await?
                .is_none()
        {
            out.push(sub.number);
        }
    }
    out.sort();
    Ok(out)
}

fn finished(task: Option<u64>, status: &str) -> Finished {
    Finished {
        outputs: Outputs {
            task,
            status: status.into(),
            progress: 0,
            ready: Vec::new(),
        },
        failure: None,
    }
}
