//! `mode: sweep` (on a schedule): zombies, due retries, finished parents.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

use super::progress::{ProgressDoc, find_progress_comment};
use super::workflow_commands::Level;
use super::{ActionError, Cx, Finished, Outputs};
use crate::app::ports::{GitHub, Issue, StateFilter};
use crate::app::reconcile;
use crate::app::subtasks::{key_of, task_from_issue};
use crate::core::lifecycle::{Effect, LifecycleEvent, is_zombie};
use crate::core::task::Status;

/// Every open issue carrying `label`, across pages.
async fn open_with_label<G: GitHub>(
    cx: &Cx<'_, G>,
    label: &str,
) -> Result<Vec<Issue>, ActionError> {
    Ok(cx
        .gh
        .issues_with_label(&cx.env.repo, label, StateFilter::Open)
        .await?)
}

pub(crate) async fn sweep<G: GitHub>(
    cx: &Cx<'_, G>,
    now: DateTime<Utc>,
) -> Result<Finished, ActionError> {
    let repo = &cx.env.repo;
    let labels = &cx.config.labels;
    let zombie_after = TimeDelta::seconds(
        i64::try_from(cx.config.monitoring.zombie_after.as_secs()).unwrap_or(i64::MAX),
    );
    let mut lines = Vec::new();
    let mut dispatched = Vec::new();

    // First the server's reconcile (missed closes, finished parents, drift),
    // so what follows sees GitHub in line with each plan. (Reconcile re-queues
    // a `blocked` subtask whose needs are met unless it is escalated.)
    let reconciled = reconcile(cx.app, repo).await?;
    if reconciled.writes() > 0 {
        lines.push(format!(
            "- reconcile: {} GitHub writes to bring plans in line",
            reconciled.writes()
        ));
    }

    // Scheduled tasks due since the last run (catching up once after a gap).
    for (name, n) in crate::app::schedules::sweep_schedules(cx.app, repo, now).await? {
        lines.push(format!("- schedule `{name}`: opened #{n}"));
    }

    // Zombies: executing, with a heartbeat of ours older than zombie_after.
    for issue in open_with_label(cx, &labels.status_label(Status::Executing)).await? {
        let key = key_of(&issue);
        let Some(c) =
            find_progress_comment(cx.gh, repo, issue.number, &key, &cx.env.bot_login).await?
        else {
            // Not run by the Action (a person works on it): no heartbeat to judge by.
            continue;
        };
        let mut doc = ProgressDoc::from_comment(key, &c);
        let mut task = task_from_issue(repo, &issue, &cx.config, now);
        task.metadata.retry_count = doc.retries;
        task.execution.last_heartbeat = doc.heartbeat;
        if !is_zombie(&task, now, zombie_after) {
            continue;
        }
        let seen = doc
            .heartbeat
            .map(|h| h.to_rfc3339_opts(SecondsFormat::Secs, true))
            .unwrap_or_else(|| "never".into());
        cx.console.annotate(
            Level::Warning,
            &format!("#{}: no heartbeat since {seen}; marked lost", issue.number),
        );
        let applied = cx
            .settle_failure(&issue, &task, &mut doc, LifecycleEvent::HeartbeatLost, now)
            .await?;
        let outcome = if applied.has(|e| matches!(e, Effect::Dispatch)) {
            dispatched.push(issue.number.0);
            "dispatched again"
        } else {
            "escalated"
        };
        lines.push(format!(
            "- #{}: zombie (last heartbeat {seen}), {outcome}",
            issue.number
        ));
    }

    // Retries due: failed tasks the Action did not get to retry.
    for issue in open_with_label(cx, &labels.status_label(Status::Failed)).await? {
        let key = key_of(&issue);
        let existing =
            find_progress_comment(cx.gh, repo, issue.number, &key, &cx.env.bot_login).await?;
        let mut doc = existing
            .as_ref()
            .map(|c| ProgressDoc::from_comment(key.clone(), c))
            .unwrap_or_else(|| ProgressDoc::new(key));
        let mut task = task_from_issue(repo, &issue, &cx.config, now);
        task.metadata.retry_count = doc.retries;
        let Ok(applied) = super::steps::apply_all(&task, &[LifecycleEvent::Retry], now) else {
            continue;
        };
        doc.status = applied.task.status;
        doc.retries = applied.task.metadata.retry_count;
        cx.publish(issue.number, &mut doc, now).await?;
        let escalated = applied.has(|e| matches!(e, Effect::Escalate { .. }));
        cx.relabel(&issue, applied.task.status, escalated).await?;
        if applied.has(|e| matches!(e, Effect::Dispatch)) {
            cx.dispatch(issue.number).await?;
            dispatched.push(issue.number.0);
            lines.push(format!("- #{}: retry due, dispatched", issue.number));
        } else {
            let reason = applied.task.status_reason.clone().unwrap_or_default();
            cx.escalate(&issue, &reason).await?;
            lines.push(format!("- #{}: retries spent, escalated", issue.number));
        }
    }

    let body = if lines.is_empty() {
        "Nothing to do.".to_owned()
    } else {
        lines.join("\n")
    };
    cx.console.summary(&format!("### vayu sweep\n\n{body}"))?;
    cx.console
        .info(&format!("sweep: {} action(s)", lines.len()));
    Ok(Finished {
        outputs: Outputs {
            task: None,
            status: "swept".into(),
            progress: 100,
            ready: dispatched,
        },
        failure: None,
    })
}
