//! The task lifecycle state machine (seed 003 §2, DESIGN §3): one pure
//! function from a task and an event to the updated task and the effects the
//! app layer must carry out. Status labels change only through here.

mod block;
mod effect;
mod event;

#[cfg(test)]
mod tests;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

use crate::core::ids::TaskRef;
use crate::core::task::{Assignment, Progress, ReviewStatus, Status, Task};

pub use block::BlockReason;
pub use effect::{CloseReason, CommentKind, Effect};
pub use event::{EventKind, LifecycleEvent};

/// The outcome of an allowed event: where the task went and what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The status before the event.
    pub from: Status,
    /// The status after the event (equal to `from` for heartbeats and checkpoints).
    pub to: Status,
    /// What the app layer must do, in order; starts with exactly one
    /// [`Effect::SetStatusLabel`] when the status changed, and has none otherwise.
    pub effects: Vec<Effect>,
    /// The task with every field the event changes updated.
    pub task: Task,
}

impl Transition {
    /// Whether the event moved the task to another status.
    pub fn status_changed(&self) -> bool {
        self.from != self.to
    }
}

/// Why an event cannot be applied to a task in its current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The event makes no sense in this status.
    #[error("cannot `{event}` a task that is `{from}`: {}", not_allowed_hint(.from))]
    NotAllowed {
        /// The task's status.
        from: Status,
        /// The event's name ([`EventKind::as_str`]).
        event: &'static str,
    },
    /// A review outcome for a task that is not waiting for one.
    #[error(
        "cannot `{event}` a task that is `{status}`: only a task in `reviewing` takes a review outcome"
    )]
    NotInReview {
        /// The task's status.
        status: Status,
        /// The event's name.
        event: &'static str,
    },
    /// The task is blocked on dependencies, which a retry cannot lift.
    #[error(
        "cannot `{event}` a task that is `blocked` {}: it is queued again when they complete, or `/vayu cancel` abandons it",
        waiting_reason(.waiting_on)
    )]
    WaitingOnDependencies {
        /// The event's name.
        event: &'static str,
        /// The tasks still being waited for.
        waiting_on: Vec<TaskRef>,
    },
    /// The task was escalated after repeated failures; only a human retry lifts that.
    #[error(
        "cannot `{event}` a task that is `blocked` after failing {failures} times ({reason}): a maintainer must `/vayu retry` it once the cause is fixed"
    )]
    Escalated {
        /// The event's name.
        event: &'static str,
        /// How many times it failed.
        failures: u32,
        /// The last failure.
        reason: String,
    },
}

fn not_allowed_hint(from: &Status) -> String {
    let allowed = allowed_events(*from);
    if allowed.is_empty() {
        return format!("`{from}` is final, nothing more can happen to it");
    }
    let names: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
    format!("a `{from}` task accepts {}", names.join(", "))
}

/// The events a task in `status` may accept, for help and status displays.
///
/// For `blocked` this is the union over both [`BlockReason`]s: a task waiting
/// on dependencies takes `dependencies_*`, an escalated one takes `retry`.
pub fn allowed_events(status: Status) -> &'static [EventKind] {
    use EventKind as K;
    match status {
        Status::Created => &[K::Validate, K::Invalid, K::DependenciesUnmet, K::Cancel],
        Status::Queued => &[K::Invalid, K::DependenciesUnmet, K::Assign, K::Cancel],
        Status::Assigned => &[K::Reassign, K::Start, K::Fail, K::Cancel],
        Status::Executing => &[
            K::Heartbeat,
            K::Checkpoint,
            K::HeartbeatLost,
            K::Pause,
            K::Finish,
            K::Fail,
            K::Cancel,
        ],
        Status::Reviewing => &[K::ReviewPass, K::ReviewFail, K::Cancel],
        Status::Failed => &[K::Retry, K::Cancel],
        Status::Paused => &[K::Resume, K::Cancel],
        Status::Rejected => &[K::Reassign, K::Rework, K::Cancel],
        Status::Blocked => &[
            K::DependenciesUnmet,
            K::DependenciesMet,
            K::Retry,
            K::Cancel,
        ],
        Status::Completed | Status::Cancelled => &[],
    }
}

/// Whether an executing task's worker has been silent for longer than `timeout`
/// (the sweep then applies [`LifecycleEvent::HeartbeatLost`]).
pub fn is_zombie(task: &Task, now: DateTime<Utc>, timeout: TimeDelta) -> bool {
    let last_sign = task.execution.last_heartbeat.unwrap_or(task.updated_at);
    task.status == Status::Executing && now - last_sign > timeout
}

/// Applies `event` to `task` at time `now`: the updated task and the effects,
/// or why the event is not allowed. Never panics; `task` is left unchanged.
pub fn transition(
    task: &Task,
    event: &LifecycleEvent,
    now: DateTime<Utc>,
) -> Result<Transition, LifecycleError> {
    let from = task.status;
    let kind = event.kind();
    // Terminal states refuse everything, including review outcomes, so the
    // message for them is always the same.
    if from.is_terminal() {
        return Err(LifecycleError::NotAllowed {
            from,
            event: kind.as_str(),
        });
    }
    let mut next = task.clone();
    let mut effects = Vec::new();
    let Next { to, reason } = step(&mut next, event, now, &mut effects)?;
    if to != from {
        effects.insert(0, Effect::SetStatusLabel(to));
    }
    next.status = to;
    next.status_reason = reason;
    next.updated_at = now;
    Ok(Transition {
        from,
        to,
        effects,
        task: next,
    })
}

/// Where a step leads: the new status and its `status_reason`.
struct Next {
    to: Status,
    reason: Option<String>,
}

fn go(to: Status, reason: Option<String>) -> Result<Next, LifecycleError> {
    Ok(Next { to, reason })
}

/// The transition table. `task` is the copy to update; effects other than the
/// status label are pushed in the order the app should run them.
fn step(
    task: &mut Task,
    event: &LifecycleEvent,
    now: DateTime<Utc>,
    fx: &mut Vec<Effect>,
) -> Result<Next, LifecycleError> {
    use LifecycleEvent as E;
    use Status as S;
    let from = task.status;
    let name = event.kind().as_str();
    let stay = |task: &Task| go(from, task.status_reason.clone());
    match (from, event) {
        (_, E::Cancel { reason }) => {
            if from == S::Executing {
                fx.push(Effect::StopWorker);
            }
            fx.push(Effect::Comment(CommentKind::Cancelled {
                reason: reason.clone(),
            }));
            fx.push(Effect::CloseIssue {
                reason: CloseReason::NotPlanned,
            });
            go(S::Cancelled, reason.clone())
        }
        (S::Created, E::Validate) => {
            fx.extend([Effect::Comment(CommentKind::Queued), Effect::Dispatch]);
            go(S::Queued, None)
        }
        (S::Created | S::Queued, E::Invalid { reason }) => {
            fx.push(Effect::Comment(CommentKind::Invalid {
                reason: reason.clone(),
            }));
            fx.push(Effect::NotifyRequester);
            go(S::Failed, Some(reason.clone()))
        }
        (S::Created | S::Queued, E::DependenciesUnmet { waiting_on }) => {
            fx.push(Effect::Comment(CommentKind::WaitingOnDependencies {
                waiting_on: waiting_on.clone(),
            }));
            go(S::Blocked, Some(waiting_reason(waiting_on)))
        }
        (S::Blocked, E::DependenciesUnmet { waiting_on }) => {
            not_escalated(task, name)?;
            // The waiting list changed; nothing to announce.
            go(S::Blocked, Some(waiting_reason(waiting_on)))
        }
        (S::Blocked, E::DependenciesMet) => {
            not_escalated(task, name)?;
            fx.extend([
                Effect::Comment(CommentKind::DependenciesMet),
                Effect::Dispatch,
            ]);
            go(S::Queued, None)
        }
        (S::Blocked, E::Retry) => match BlockReason::of(task) {
            Some(BlockReason::Escalated { .. }) => {
                // A human looked at it: grant a fresh retry budget.
                task.metadata.retry_count = 0;
                fx.extend([Effect::Comment(CommentKind::RetryGranted), Effect::Dispatch]);
                go(S::Queued, None)
            }
            Some(BlockReason::Dependencies { waiting_on }) => {
                Err(LifecycleError::WaitingOnDependencies {
                    event: name,
                    waiting_on,
                })
            }
            None => Err(LifecycleError::NotAllowed { from, event: name }),
        },
        (S::Queued, E::Assign { agent, method }) => {
            task.assignment = Assignment {
                primary_agent: Some(agent.clone()),
                collaborators: std::mem::take(&mut task.assignment.collaborators),
                assigned_at: Some(now),
                assignment_method: Some(*method),
            };
            fx.push(Effect::AddAssignee(agent.clone()));
            fx.push(Effect::Comment(CommentKind::Assigned {
                agent: agent.clone(),
                method: *method,
            }));
            go(S::Assigned, None)
        }
        (S::Assigned | S::Rejected, E::Reassign) => {
            let previous = std::mem::take(&mut task.assignment).primary_agent;
            if let Some(login) = &previous {
                fx.push(Effect::RemoveAssignee(login.clone()));
            }
            fx.push(Effect::Comment(CommentKind::Unassigned { previous }));
            fx.push(Effect::Dispatch);
            go(S::Queued, None)
        }
        (S::Assigned, E::Start) => {
            task.execution.started_at.get_or_insert(now);
            task.execution.last_heartbeat = Some(now);
            fx.push(Effect::Comment(CommentKind::Started));
            go(S::Executing, None)
        }
        (S::Executing, E::Heartbeat { progress, step }) => {
            let exec = &mut task.execution;
            exec.last_heartbeat = Some(now);
            if let Some(p) = progress {
                exec.progress = *p;
            }
            if let Some(s) = step {
                exec.current_step = Some(s.clone());
            }
            fx.push(Effect::UpdateProgress {
                progress: exec.progress,
                step: exec.current_step.clone(),
            });
            stay(task)
        }
        (S::Executing, E::Checkpoint { text }) => {
            task.execution.last_heartbeat = Some(now);
            task.execution
                .checkpoints
                .push(crate::core::task::Checkpoint {
                    at: now,
                    text: text.clone(),
                });
            fx.push(Effect::RecordCheckpoint { text: text.clone() });
            stay(task)
        }
        (S::Executing, E::HeartbeatLost) => {
            let last_seen = task.execution.last_heartbeat;
            let reason = match last_seen {
                Some(at) => format!(
                    "no heartbeat since {}",
                    at.to_rfc3339_opts(SecondsFormat::Secs, true)
                ),
                None => "the worker never sent a heartbeat".to_owned(),
            };
            fx.push(Effect::Comment(CommentKind::HeartbeatLost { last_seen }));
            fx.push(schedule_retry(task));
            go(S::Failed, Some(reason))
        }
        (S::Executing, E::Pause { reason }) => {
            fx.push(Effect::StopWorker);
            fx.push(Effect::Comment(CommentKind::Paused {
                reason: reason.clone(),
            }));
            go(S::Paused, reason.clone())
        }
        (S::Paused, E::Resume) => {
            // A fresh baseline, or the sweep would call it a zombie at once.
            task.execution.last_heartbeat = Some(now);
            fx.extend([Effect::Comment(CommentKind::Resumed), Effect::Dispatch]);
            go(S::Executing, None)
        }
        (S::Executing, E::Finish { review_required }) => {
            task.execution.progress = Progress::DONE;
            if *review_required {
                task.review.status = ReviewStatus::Pending;
                task.review.feedback = None;
                fx.push(Effect::Comment(CommentKind::ReviewRequested));
                go(S::Reviewing, None)
            } else {
                complete(task, now, fx)
            }
        }
        (S::Assigned | S::Executing, E::Fail { reason, transient }) => {
            fx.push(Effect::Comment(CommentKind::Failed {
                reason: reason.clone(),
                transient: *transient,
            }));
            fx.push(if *transient {
                schedule_retry(task)
            } else {
                Effect::NotifyRequester
            });
            go(S::Failed, Some(reason.clone()))
        }
        (S::Failed, E::Retry) => retry_or_escalate(task, fx),
        (S::Reviewing, E::ReviewPass { reviewer }) => {
            task.review.status = ReviewStatus::Passed;
            if reviewer.is_some() {
                task.review.reviewer.clone_from(reviewer);
            }
            complete(task, now, fx)
        }
        (S::Reviewing, E::ReviewFail { reviewer, feedback }) => {
            task.review.status = ReviewStatus::Failed;
            task.review.feedback = Some(feedback.clone());
            if reviewer.is_some() {
                task.review.reviewer.clone_from(reviewer);
            }
            fx.push(Effect::Comment(CommentKind::ReviewFailed {
                feedback: feedback.clone(),
            }));
            go(S::Rejected, Some(feedback.clone()))
        }
        (_, E::ReviewPass { .. } | E::ReviewFail { .. }) => Err(LifecycleError::NotInReview {
            status: from,
            event: name,
        }),
        (S::Rejected, E::Rework) => {
            task.execution.last_heartbeat = Some(now);
            fx.extend([Effect::Comment(CommentKind::Rework), Effect::Dispatch]);
            go(S::Executing, None)
        }
        _ => Err(LifecycleError::NotAllowed { from, event: name }),
    }
}

fn waiting_reason(waiting_on: &[TaskRef]) -> String {
    BlockReason::Dependencies {
        waiting_on: waiting_on.to_vec(),
    }
    .to_string()
}

/// Dependency events must not lift an escalation: that takes a human `retry`.
fn not_escalated(task: &Task, event: &'static str) -> Result<(), LifecycleError> {
    match BlockReason::of(task) {
        Some(BlockReason::Escalated { failures, reason }) => Err(LifecycleError::Escalated {
            event,
            failures,
            reason,
        }),
        _ => Ok(()),
    }
}

/// The retry that follows a transient failure; it escalates when the budget is spent.
fn schedule_retry(task: &Task) -> Effect {
    Effect::ScheduleRetry {
        attempt: task.metadata.retry_count.saturating_add(1),
    }
}

fn retry_or_escalate(task: &mut Task, fx: &mut Vec<Effect>) -> Result<Next, LifecycleError> {
    let meta = &mut task.metadata;
    if meta.retry_count < meta.max_retries {
        meta.retry_count += 1;
        fx.push(Effect::Comment(CommentKind::Retrying {
            attempt: meta.retry_count,
            max: meta.max_retries,
        }));
        fx.push(Effect::Dispatch);
        return go(Status::Queued, None);
    }
    // The first run plus every retry failed.
    let failures = meta.retry_count.saturating_add(1);
    let last = task
        .status_reason
        .clone()
        .unwrap_or_else(|| "no reason recorded".to_owned());
    let blocked = BlockReason::Escalated {
        failures,
        reason: last.clone(),
    }
    .to_string();
    fx.push(Effect::Comment(CommentKind::Escalated {
        failures,
        reason: last,
    }));
    fx.push(Effect::Escalate {
        reason: blocked.clone(),
    });
    fx.push(Effect::NotifyRequester);
    go(Status::Blocked, Some(blocked))
}

fn complete(
    task: &mut Task,
    now: DateTime<Utc>,
    fx: &mut Vec<Effect>,
) -> Result<Next, LifecycleError> {
    task.execution.progress = Progress::DONE;
    let minutes = task
        .execution
        .started_at
        .and_then(|start| u32::try_from((now - start).num_minutes().max(0)).ok());
    if minutes.is_some() {
        task.metadata.actual_duration = minutes;
    }
    fx.extend([
        Effect::Comment(CommentKind::Completed {
            actual_minutes: minutes,
        }),
        Effect::DispatchDependents,
        Effect::NotifyRequester,
        Effect::CloseIssue {
            reason: CloseReason::Completed,
        },
    ]);
    go(Status::Completed, None)
}
