//! What the app layer must do after a transition: structured data, rendered
//! and executed elsewhere.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::ids::{Login, TaskRef};
use crate::core::task::{AssignmentMethod, Progress, Status};

/// One consequence of a transition for the app layer to carry out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Replace the issue's status label with this status's.
    SetStatusLabel(Status),
    /// Post a comment of this kind (rendered by the templates).
    Comment(CommentKind),
    /// Hand the task to a worker: assign it if queued, then run it.
    Dispatch,
    /// The task completed: start the tasks that were waiting for it.
    DispatchDependents,
    /// A transient failure: apply [`Retry`](super::LifecycleEvent::Retry) later, with backoff.
    ScheduleRetry {
        /// Which retry this will be (1 for the first).
        attempt: u32,
    },
    /// Stop the running worker (cancel the workflow run).
    StopWorker,
    /// Hand the task to a human: it failed too often to retry on its own.
    Escalate {
        /// Why, as stored in the task's `status_reason`.
        reason: String,
    },
    /// Mention the requester: they have something to read or do.
    NotifyRequester,
    /// Add this login to the issue's assignees.
    AddAssignee(Login),
    /// Remove this login from the issue's assignees.
    RemoveAssignee(Login),
    /// Update the progress comment in place.
    UpdateProgress {
        /// The percentage now.
        progress: Progress,
        /// The step being worked on, when known.
        step: Option<String>,
    },
    /// Add a milestone to the progress comment.
    RecordCheckpoint {
        /// What was reached.
        text: String,
    },
    /// Close the issue with this state reason.
    CloseIssue {
        /// `completed` or `not_planned`, as GitHub names them.
        reason: CloseReason,
    },
}

/// Why an issue is closed, in GitHub's `state_reason` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The work was done.
    Completed,
    /// The work was abandoned.
    NotPlanned,
}

impl CloseReason {
    /// GitHub's `state_reason` value.
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Completed => "completed",
            CloseReason::NotPlanned => "not_planned",
        }
    }
}

/// Which comment to post and the facts it shows; the wording lives in templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentKind {
    /// The task is valid and waits for a worker.
    Queued,
    /// The task cannot be worked on as written.
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// The task waits for other tasks.
    WaitingOnDependencies {
        /// The tasks still being waited for.
        waiting_on: Vec<TaskRef>,
    },
    /// The tasks this one waited for are done.
    DependenciesMet,
    /// An agent owns the task now.
    Assigned {
        /// The agent.
        agent: Login,
        /// How it came to own it.
        method: AssignmentMethod,
    },
    /// The task has no assignee any more.
    Unassigned {
        /// Who had it, when anyone did.
        previous: Option<Login>,
    },
    /// Work began.
    Started,
    /// The worker stopped sending heartbeats.
    HeartbeatLost {
        /// Its last sign of life, when there was one.
        last_seen: Option<DateTime<Utc>>,
    },
    /// Work is suspended.
    Paused {
        /// Why, when given.
        reason: Option<String>,
    },
    /// Work continues.
    Resumed,
    /// The result waits for a review.
    ReviewRequested,
    /// The task is done.
    Completed {
        /// Minutes from first start to completion, when known.
        actual_minutes: Option<u32>,
    },
    /// The work failed.
    Failed {
        /// What went wrong.
        reason: String,
        /// Whether vayu will retry on its own.
        transient: bool,
    },
    /// vayu tries again.
    Retrying {
        /// Which retry this is (1 for the first).
        attempt: u32,
        /// How many retries are allowed.
        max: u32,
    },
    /// Retries are exhausted; a human must decide.
    Escalated {
        /// How many times the task failed.
        failures: u32,
        /// The last failure.
        reason: String,
    },
    /// A human unblocked an escalated task with a fresh retry budget.
    RetryGranted,
    /// The review sent the result back.
    ReviewFailed {
        /// What must change.
        feedback: String,
    },
    /// Work on a rejected result starts again.
    Rework,
    /// The task was abandoned.
    Cancelled {
        /// Why, when given.
        reason: Option<String>,
    },
}
