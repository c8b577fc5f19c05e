//! `mode: execute`: run one subtask's step and report it on GitHub.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::progress::{ProgressDoc, Tail, find_progress_comment};
use super::protocol::parse_line;
use super::steps::{apply_all, path_to_executing, review_required};
use super::workflow_commands::{Level, random_token};
use super::{ActionError, Cx, Finished, Outputs, task_number};
use crate::app::converge::converge;
use crate::app::labels::with_status;
use crate::app::observe::observe;
use crate::app::ports::{GitHub, IssuePatch, IssueState, StateReason};
use crate::app::subtasks::{key_of, made_ready, repo_plan_of, task_from_issue, unmet_needs};
use crate::core::config::ReviewMode;
use crate::core::ids::{IssueNumber, Login};
use crate::core::lifecycle::{Effect, LifecycleEvent};
use crate::core::marker::find_task;
use crate::core::task::{Progress, Status};

/// How often the progress file is read while the step runs.
const POLL: Duration = Duration::from_millis(200);

pub(crate) async fn execute<G: GitHub>(
    cx: &Cx<'_, G>,
    now: DateTime<Utc>,
) -> Result<Finished, ActionError> {
    let repo = &cx.env.repo;
    let n = task_number(cx.env)?.ok_or_else(|| ActionError::Input {
        name: "task",
        message: "is empty and the event names no issue: dispatch with `task: <issue number>`"
            .into(),
    })?;
    let run = cx.env.run.clone().ok_or_else(|| ActionError::Input {
        name: "run",
        message: "is empty: give the command that does the subtask's work".into(),
    })?;
    let issue = cx.gh.get_issue(repo, n).await?;
    if issue.is_pull_request {
        return Err(ActionError::Refused(format!(
            "#{n} is a pull request, not a task"
        )));
    }
    let key = key_of(&issue);
    let parent = find_task(&issue.body).map(|m| m.parent);
    let existing = find_progress_comment(cx.gh, repo, n, &key, &cx.env.bot_login).await?;
    let mut doc = existing
        .as_ref()
        .map(|c| ProgressDoc::from_comment(key.clone(), c))
        .unwrap_or_else(|| ProgressDoc::new(key.clone()));
    let mut task = task_from_issue(repo, &issue, &cx.config, now);
    task.metadata.retry_count = doc.retries;
    if task.status == Status::Blocked
        && doc.retries >= task.metadata.max_retries
        && existing.is_some()
    {
        task.status_reason = Some(format!("failed {} times: escalated", doc.retries + 1));
    }

    // Refusals come before any write.
    let unmet = unmet_needs(cx.gh, repo, n).await?;
    if !unmet.is_empty() {
        let list: Vec<String> = unmet
            .iter()
            .map(|b| {
                let state = match b.state {
                    IssueState::Open => "open",
                    IssueState::Closed => "closed without being completed",
                };
                format!("#{} ({state})", b.number)
            })
            .collect();
        return Err(ActionError::Refused(format!(
            "#{n} cannot run yet: it is blocked by {}; it is dispatched when they complete",
            list.join(", ")
        )));
    }
    let agent = Login(
        cx.env
            .actor
            .clone()
            .unwrap_or_else(|| cx.env.bot_login.clone()),
    );
    let path = path_to_executing(&task, &agent).map_err(ActionError::Refused)?;
    let started = apply_all(&task, &path, now).map_err(|e| ActionError::Refused(e.to_string()))?;
    let mut task = started.task;

    cx.console.group(&format!("vayu: executing #{n}"));
    cx.console.untrusted(&format!("#{n} {}", issue.title));
    cx.set_status(&issue, Status::Executing).await?;
    doc.status = Status::Executing;
    doc.progress = Progress::ZERO;
    doc.step = None;
    doc.note = None;
    cx.publish(n, &mut doc, now).await?;
    cx.console.end_group();

    let exit = run_step(cx, &run, n, parent, &mut doc).await?;
    let end = Utc::now();
    let mut issue = cx.gh.get_issue(repo, n).await?;
    // Our own label edit is the one GitHub has; keep the copy in step.
    issue.labels = with_status(&issue.labels, Status::Executing, &[], &cx.config);

    if exit != Some(0) {
        let reason = match exit {
            Some(code) => format!("`run` exited with code {code}"),
            None => "`run` was killed by a signal".to_owned(),
        };
        cx.console
            .annotate(Level::Error, &format!("#{n}: {reason}"));
        task.status = Status::Executing;
        let applied = cx
            .settle_failure(
                &issue,
                &task,
                &mut doc,
                LifecycleEvent::Fail {
                    reason: reason.clone(),
                    transient: true,
                },
                end,
            )
            .await?;
        let outputs = Outputs {
            task: Some(n.0),
            status: Status::Failed.as_str().into(),
            progress: doc.progress.get(),
            ready: Vec::new(),
        };
        cx.console.summary(&format!(
            "### vayu: #{n} failed\n\n{reason}; it is now `{}`.",
            applied.task.status
        ))?;
        return Ok(Finished {
            outputs,
            failure: Some(format!("#{n}: {reason}")),
        });
    }

    let finish = LifecycleEvent::Finish {
        review_required: review_required(&task, &cx.config),
    };
    let done = apply_all(&task, &[finish], end).map_err(|e| ActionError::Refused(e.to_string()))?;
    let status = done.task.status;
    doc.status = status;
    doc.progress = Progress::DONE;
    let automated = cx.config.review.mode_for(task.kind) == ReviewMode::Automated;
    doc.note = Some(match status {
        Status::Reviewing if automated => "**Done**; waiting for the checks of the pull requests that close this issue (read at every sweep), or comment `/vayu review pass` or `/vayu review fail <reason>`.".into(),
        Status::Reviewing => "**Done**; waiting for review: comment `/vayu review pass` or `/vayu review fail <reason>`.".into(),
        _ => "**Done**.".into(),
    });
    cx.publish(n, &mut doc, end).await?;
    let labels = with_status(&issue.labels, status, &[], &cx.config);
    let close = done.has(|e| matches!(e, Effect::CloseIssue { .. }));
    cx.gh
        .update_issue(
            repo,
            n,
            &IssuePatch {
                labels: Some(labels),
                state: close.then_some(IssueState::Closed),
                state_reason: close.then_some(StateReason::Completed),
                ..IssuePatch::default()
            },
        )
        .await?;

    let mut ready = Vec::new();
    if let (true, Some(p)) = (
        done.has(|e| matches!(e, Effect::DispatchDependents)),
        parent,
    ) {
        // The server's own progress step: tick the checklist, queue what is
        // ready, skip what a `when` rules out, complete the parent.
        converge(cx.app, repo, p, false).await?;
        let obs = observe(cx.gh, repo, p, false).await?;
        if let Some(plan) =
            repo_plan_of(cx.gh, repo, &obs.parent, &cx.config, &cx.app.templates).await?
        {
            for dependent in made_ready(&plan, &obs, &key, &cx.config) {
                cx.dispatch(dependent.number).await?;
                ready.push(dependent.number.0);
            }
        }
    }
    let ready_list: Vec<String> = ready.iter().map(|r| format!("#{r}")).collect();
    cx.console.summary(&format!(
        "### vayu: #{n} {status}\n\nReady and dispatched: {}",
        if ready.is_empty() {
            "none".to_owned()
        } else {
            ready_list.join(", ")
        }
    ))?;
    Ok(Finished {
        outputs: Outputs {
            task: Some(n.0),
            status: status.as_str().into(),
            progress: 100,
            ready,
        },
        failure: None,
    })
}

/// Runs `sh -c <run>` with `VAYU_TASK`, `VAYU_PARENT` and `VAYU_PROGRESS`,
/// reflecting the progress file in the comment while it runs. Returns the
/// exit code (`None` when killed by a signal).
async fn run_step<G: GitHub>(
    cx: &Cx<'_, G>,
    run: &str,
    n: IssueNumber,
    parent: Option<IssueNumber>,
    doc: &mut ProgressDoc,
) -> Result<Option<i32>, ActionError> {
    let dir = cx.env.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
    let progress_path: PathBuf = dir.join(format!("vayu-progress-{n}-{}", random_token("")));
    std::fs::write(&progress_path, b"").map_err(|source| ActionError::Io {
        path: progress_path.display().to_string(),
        source,
    })?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(run)
        .env("VAYU_TASK", n.to_string())
        .env(
            "VAYU_PARENT",
            parent.map(|p| p.to_string()).unwrap_or_default(),
        )
        .env("VAYU_PROGRESS", &progress_path)
        // The step gets the token only if the workflow passes it explicitly.
        .env_remove("INPUT_GITHUB_TOKEN")
        .stdin(Stdio::null())
        .spawn()
        .map_err(ActionError::Spawn)?;
    let mut waiter = tokio::task::spawn_blocking(move || child.wait());
    let mut tail = Tail::new(&progress_path);
    let heartbeat_every = cx.config.monitoring.heartbeat_every.to_std();
    let mut last_edit = Instant::now();
    let mut dirty = false;
    let status = loop {
        tokio::select! {
            waited = &mut waiter => break waited,
            () = tokio::time::sleep(POLL) => {}
        }
        dirty |= absorb(cx, &mut tail, doc, false);
        let since = last_edit.elapsed();
        if (dirty && since >= cx.env.edit_interval) || since >= heartbeat_every {
            cx.publish(n, doc, Utc::now()).await?;
            last_edit = Instant::now();
            dirty = false;
        }
    };
    absorb(cx, &mut tail, doc, true);
    let _ = std::fs::remove_file(&progress_path);
    let status = status
        .map_err(|e| ActionError::Spawn(std::io::Error::other(e.to_string())))?
        .map_err(ActionError::Spawn)?;
    Ok(status.code())
}

/// Reads new protocol lines into `doc`; malformed ones become warnings.
fn absorb<G>(cx: &Cx<'_, G>, tail: &mut Tail, doc: &mut ProgressDoc, at_end: bool) -> bool {
    let lines = match tail.poll(at_end) {
        Ok(lines) => lines,
        Err(e) => {
            cx.console
                .annotate(Level::Warning, &format!("cannot read $VAYU_PROGRESS: {e}"));
            return false;
        }
    };
    let mut changed = false;
    for line in lines {
        match parse_line(&line) {
            Ok(Some(parsed)) => {
                doc.apply(parsed);
                changed = true;
            }
            Ok(None) => {}
            Err(e) => cx
                .console
                .annotate(Level::Warning, &format!("$VAYU_PROGRESS line skipped: {e}")),
        }
    }
    changed
}
