//! `mode: report`: the parent's progress report comment and step summary.

use chrono::{DateTime, Utc};

use super::progress::find_own_comment;
use super::{ActionError, Cx, Finished, Outputs, task_number};
use crate::app::observe::observe;
use crate::app::ports::GitHub;
use crate::app::subtasks::{entries_of, repo_plan_of, status_of};
use crate::core::marker::{Marker, find_task};
use crate::core::task::Status;
use crate::render::{overall_progress, progress_report};

pub(crate) async fn report<G: GitHub>(
    cx: &Cx<'_, G>,
    now: DateTime<Utc>,
) -> Result<Finished, ActionError> {
    let repo = &cx.env.repo;
    let n = task_number(cx.env)?.ok_or_else(|| ActionError::Input {
        name: "task",
        message: "is empty and the event names no issue: give the parent issue's number".into(),
    })?;
    let mut parent = cx.gh.get_issue(repo, n).await?;
    // Asked about a sub-issue: report on its parent.
    if let Some(m) = find_task(&parent.body) {
        parent = cx.gh.get_issue(repo, m.parent).await?;
    }
    let obs = observe(cx.gh, repo, parent.number, false).await?;
    let plan = repo_plan_of(cx.gh, repo, &obs.parent, &cx.config, &cx.app.templates)
        .await?
        .ok_or_else(|| {
        ActionError::Refused(format!(
            "#{} has no plan to report on: it was not decomposed (add a ```vayu block or a task list, or comment `/vayu decompose`)",
            parent.number
        ))
    })?;
    let entries = entries_of(&obs, &cx.config);
    let body = progress_report(&plan, &entries, now)?;
    match find_own_comment(
        cx.gh,
        repo,
        parent.number,
        &Marker::Report,
        &cx.env.bot_login,
    )
    .await?
    {
        Some(c) => {
            cx.gh.update_comment(repo, c.id, &body).await?;
        }
        None => {
            cx.gh.create_comment(repo, parent.number, &body).await?;
        }
    }
    cx.console.summary(&body)?;
    let done = entries
        .iter()
        .filter(|e| e.status == Some(Status::Completed))
        .count();
    Ok(Finished {
        outputs: Outputs {
            task: Some(parent.number.0),
            status: status_of(&parent, &cx.config)
                .map_or("queued", Status::as_str)
                .into(),
            progress: overall_progress(done, plan.subtasks.len()).get(),
            ready: Vec::new(),
        },
        failure: None,
    })
}
