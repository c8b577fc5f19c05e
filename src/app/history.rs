//! The task history behind `vayu report`: every status label change and
//! close, whoever made it (vayu, the Action, a person), recorded from the
//! webhook before any other handling, so the analytics see all actors.

use serde_json::{Value, json};

use super::ctx::Ctx;
use super::error::AppError;
use super::event::{CloseReason, Event};
use super::ports::{GitHub, Ledger, LedgerEvent};
use crate::core::config::{Config, LabelMeaning};
use crate::core::report::{Happening, TaskEvent};
use crate::core::task::Status;
use crate::store::EventRow;

/// Event kind: a status label was added.
pub const STATUS_CHANGED: &str = "status_changed";
/// Event kind: a task issue was closed.
pub const TASK_CLOSED: &str = "task_closed";

/// Appends the history entry `event` carries, if any. Status labels are read
/// with the default prefixes, as the trigger check is: reading the repository
/// configuration for every label event would cost a request.
pub async fn record<G: GitHub, S: Ledger>(ctx: &Ctx<G, S>, event: &Event) -> Result<(), AppError> {
    let cfg = Config::default();
    let (origin, issue, kind, data) = match event {
        Event::IssueLabeled {
            origin,
            issue,
            label,
        } => match cfg.labels.parse_label(label) {
            Some(LabelMeaning::Status(to)) => (
                origin,
                issue,
                STATUS_CHANGED,
                json!({ "to": to, "assignees": issue.assignees }),
            ),
            _ => return Ok(()),
        },
        Event::IssueClosed {
            origin,
            issue,
            reason,
        } if is_task(&issue.labels, &cfg) => (
            origin,
            issue,
            TASK_CLOSED,
            json!({ "completed": matches!(reason, CloseReason::Completed), "assignees": issue.assignees }),
        ),
        _ => return Ok(()),
    };
    ctx.store
        .append_event(&LedgerEvent {
            ts: ctx.now(),
            kind,
            repo: origin.repo.clone(),
            issue: issue.number,
            data,
        })
        .await?;
    Ok(())
}

fn is_task(labels: &[String], cfg: &Config) -> bool {
    labels.iter().any(|l| {
        matches!(
            cfg.labels.parse_label(l),
            Some(LabelMeaning::Trigger | LabelMeaning::Status(_))
        )
    })
}

/// The analytics' view of stored events: which task each concerns and what
/// happened to it. Events of other kinds are skipped.
pub fn task_events(rows: &[EventRow]) -> Vec<TaskEvent> {
    rows.iter()
        .filter_map(|row| {
            let e = &row.event;
            let repo = e.repo.as_ref()?;
            let issue = e.issue?;
            let (number, what) = match e.kind.as_str() {
                // Recorded on the parent, naming the sub-issue it created.
                "subtask_created" => (e.data.get("issue")?.as_u64()?, Happening::Created),
                "orchestration_started" | "task_routed" => (issue.0, Happening::Created),
                STATUS_CHANGED => (
                    issue.0,
                    Happening::Status {
                        to: e.data.get("to")?.as_str()?.parse::<Status>().ok()?,
                        assignees: logins(&e.data),
                    },
                ),
                TASK_CLOSED => (
                    issue.0,
                    Happening::Closed {
                        completed: e.data.get("completed")?.as_bool()?,
                    },
                ),
                _ => return None,
            };
            Some(TaskEvent {
                at: e.ts,
                task: format!("{repo}#{number}"),
                what,
            })
        })
        .collect()
}

fn logins(data: &Value) -> Vec<String> {
    data.get("assignees")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
