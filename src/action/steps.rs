//! The lifecycle paths the Action walks, as sequences of core events: from
//! wherever a subtask is to `executing`, and from a failure to a retry or an
//! escalation. Pure: the effects are returned for the caller to carry out.

use chrono::{DateTime, Utc};

use crate::core::config::Config;
use crate::core::ids::Login;
use crate::core::lifecycle::{BlockReason, Effect, LifecycleError, LifecycleEvent, transition};
use crate::core::task::{AssignmentMethod, Status, Task};

/// The result of several transitions in a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The status before the first event.
    pub from: Status,
    /// The task after the last.
    pub task: Task,
    /// Every effect, in order.
    pub effects: Vec<Effect>,
}

impl Applied {
    /// Whether any effect is `effect`.
    pub fn has(&self, pred: impl Fn(&Effect) -> bool) -> bool {
        self.effects.iter().any(pred)
    }
}

/// Applies `events` in order, stopping at the first one not allowed.
pub fn apply_all(
    task: &Task,
    events: &[LifecycleEvent],
    now: DateTime<Utc>,
) -> Result<Applied, LifecycleError> {
    let mut applied = Applied {
        from: task.status,
        task: task.clone(),
        effects: Vec::new(),
    };
    for e in events {
        let t = transition(&applied.task, e, now)?;
        applied.effects.extend(t.effects);
        applied.task = t.task;
    }
    Ok(applied)
}

/// The events that take a subtask from its current status to `executing`,
/// or why it may not start now (a sentence for the user).
pub fn path_to_executing(task: &Task, agent: &Login) -> Result<Vec<LifecycleEvent>, String> {
    let assign = LifecycleEvent::Assign {
        agent: agent.clone(),
        method: AssignmentMethod::Assigned,
    };
    let issue = task
        .issue
        .as_ref()
        .map_or_else(|| "the task".to_owned(), |r| format!("#{}", r.number));
    match task.status {
        Status::Created => Ok(vec![
            LifecycleEvent::Validate,
            assign,
            LifecycleEvent::Start,
        ]),
        Status::Queued => Ok(vec![assign, LifecycleEvent::Start]),
        Status::Assigned => Ok(vec![LifecycleEvent::Start]),
        Status::Rejected => Ok(vec![LifecycleEvent::Rework]),
        Status::Blocked => match BlockReason::of(task) {
            Some(BlockReason::Escalated { failures, .. }) => Err(format!(
                "{issue} is blocked after failing {failures} times: a maintainer must comment `/vayu retry` once the cause is fixed"
            )),
            _ => Ok(vec![
                LifecycleEvent::DependenciesMet,
                assign,
                LifecycleEvent::Start,
            ]),
        },
        Status::Failed if task.metadata.retry_count < task.metadata.max_retries => {
            Ok(vec![LifecycleEvent::Retry, assign, LifecycleEvent::Start])
        }
        Status::Failed => Err(format!(
            "{issue} failed and its {} retries are spent: a maintainer must comment `/vayu retry`",
            task.metadata.max_retries
        )),
        Status::Executing => Err(format!(
            "{issue} is already executing in another run; if that run died, the sweep will mark it lost and dispatch it again"
        )),
        Status::Paused => Err(format!(
            "{issue} is paused: comment `/vayu resume` to let it run"
        )),
        Status::Reviewing => Err(format!(
            "{issue} is waiting for review: comment `/vayu review pass` or `/vayu review fail <reason>`"
        )),
        Status::Completed | Status::Cancelled => Err(format!(
            "{issue} is already {}: nothing to run",
            task.status
        )),
    }
}

/// After a failure (`Fail` or `HeartbeatLost`), the retry the Action applies
/// at once: the task ends `queued` (with a `Dispatch` effect) while retries
/// remain, else `blocked` and escalated.
pub fn fail_then_retry(
    task: &Task,
    failure: LifecycleEvent,
    now: DateTime<Utc>,
) -> Result<Applied, LifecycleError> {
    apply_all(task, &[failure, LifecycleEvent::Retry], now)
}

/// Whether the config asks for a review of this task's type.
pub fn review_required(task: &Task, config: &Config) -> bool {
    config.review.mode_for(task.kind) != crate::core::config::ReviewMode::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::TaskId;
    use crate::core::task::{Requester, RequesterKind, TaskType};

    fn now() -> DateTime<Utc> {
        "2025-02-01T10:00:00Z".parse().expect("time")
    }

    fn task(status: Status, retries: u32) -> Task {
        let mut t = Task::new(
            TaskId("t".into()),
            "t",
            TaskType::Feature,
            Requester {
                kind: RequesterKind::Human,
                id: "octocat".into(),
                context: None,
            },
            now(),
        );
        t.status = status;
        t.metadata.retry_count = retries;
        t
    }

    fn bot() -> Login {
        Login("github-actions[bot]".into())
    }

    #[test]
    fn every_startable_status_reaches_executing() {
        for status in [
            Status::Created,
            Status::Queued,
            Status::Assigned,
            Status::Blocked,
            Status::Failed,
            Status::Rejected,
        ] {
            let t = task(status, 0);
            let path = path_to_executing(&t, &bot()).expect("startable");
            let applied = apply_all(&t, &path, now()).expect("allowed");
            assert_eq!(applied.task.status, Status::Executing, "from {status}");
        }
    }

    #[test]
    fn refuses_with_a_reason() {
        let err = path_to_executing(&task(Status::Paused, 0), &bot()).expect_err("paused");
        assert_eq!(
            err,
            "the task is paused: comment `/vayu resume` to let it run"
        );
        let mut escalated = task(Status::Blocked, 3);
        escalated.status_reason = Some("failed 4 times: exit 1".into());
        assert!(
            path_to_executing(&escalated, &bot())
                .expect_err("escalated")
                .contains("failing 4 times")
        );
        assert!(path_to_executing(&task(Status::Failed, 3), &bot()).is_err());
    }

    #[test]
    fn a_failure_retries_then_escalates() {
        let fail = LifecycleEvent::Fail {
            reason: "exit 1".into(),
            transient: true,
        };
        let retried =
            fail_then_retry(&task(Status::Executing, 0), fail.clone(), now()).expect("allowed");
        assert_eq!(retried.task.status, Status::Queued);
        assert_eq!(retried.task.metadata.retry_count, 1);
        assert!(retried.has(|e| matches!(e, Effect::Dispatch)));

        let spent = fail_then_retry(&task(Status::Executing, 3), fail, now()).expect("allowed");
        assert_eq!(spent.task.status, Status::Blocked);
        assert!(spent.has(|e| matches!(e, Effect::Escalate { .. })));
        assert!(spent.has(|e| matches!(e, Effect::NotifyRequester)));
    }

    #[test]
    fn status_labels_are_replaced() {
        let labels = vec!["vayu".to_owned(), "status:queued".to_owned()];
        assert_eq!(
            crate::app::labels::with_status(&labels, Status::Executing, &[], &Config::default()),
            ["vayu", "status:executing"]
        );
    }
}
