//! What can happen to a task: the inputs of the lifecycle state machine.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::ids::{Login, TaskRef};
use crate::core::task::{AssignmentMethod, Progress};

/// One thing that happened to a task, with the data the transition needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleEvent {
    /// The task (and its plan, if any) passed validation.
    Validate,
    /// The task or its plan is invalid and cannot be worked on as written.
    Invalid {
        /// What is wrong, for the requester.
        reason: String,
    },
    /// The task waits for other tasks to finish first.
    DependenciesUnmet {
        /// The tasks still being waited for.
        waiting_on: Vec<TaskRef>,
    },
    /// Every task this one waits for has finished.
    DependenciesMet,
    /// An agent takes the task (`/vayu claim`, `/vayu assign`, or vayu's choice).
    Assign {
        /// The accountable agent.
        agent: Login,
        /// How the agent came to own it.
        method: AssignmentMethod,
    },
    /// The assignee lets go (`/vayu unclaim`) or a rejected task goes to someone else.
    Reassign,
    /// Work begins (`/vayu start`, or the worker reports in).
    Start,
    /// The worker is alive and reports where it is.
    Heartbeat {
        /// New percentage, when reported.
        progress: Option<Progress>,
        /// The step being worked on, when reported.
        step: Option<String>,
    },
    /// The worker reached a milestone.
    Checkpoint {
        /// What was reached.
        text: String,
    },
    /// The sweep found no heartbeat for too long (a zombie).
    HeartbeatLost,
    /// Work is suspended (`/vayu pause`).
    Pause {
        /// Why, when given.
        reason: Option<String>,
    },
    /// Suspended work continues (`/vayu resume`).
    Resume,
    /// The worker finished the work.
    Finish {
        /// Whether the result must be reviewed before it counts as done.
        review_required: bool,
    },
    /// The work failed.
    Fail {
        /// What went wrong.
        reason: String,
        /// Whether trying again may succeed without anyone changing anything.
        transient: bool,
    },
    /// Try a failed task again, or unblock an escalated one (`/vayu retry`).
    Retry,
    /// The review accepted the result (`/vayu review pass`).
    ReviewPass {
        /// Who reviewed, when known.
        reviewer: Option<Login>,
    },
    /// The review sent the result back (`/vayu review fail <feedback>`).
    ReviewFail {
        /// Who reviewed, when known.
        reviewer: Option<Login>,
        /// What must change.
        feedback: String,
    },
    /// Work on a rejected result starts again.
    Rework,
    /// The task is abandoned (`/vayu cancel`).
    Cancel {
        /// Why, when given.
        reason: Option<String>,
    },
}

/// The name of an event without its data, for messages, help and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// See [`LifecycleEvent::Validate`].
    Validate,
    /// See [`LifecycleEvent::Invalid`].
    Invalid,
    /// See [`LifecycleEvent::DependenciesUnmet`].
    DependenciesUnmet,
    /// See [`LifecycleEvent::DependenciesMet`].
    DependenciesMet,
    /// See [`LifecycleEvent::Assign`].
    Assign,
    /// See [`LifecycleEvent::Reassign`].
    Reassign,
    /// See [`LifecycleEvent::Start`].
    Start,
    /// See [`LifecycleEvent::Heartbeat`].
    Heartbeat,
    /// See [`LifecycleEvent::Checkpoint`].
    Checkpoint,
    /// See [`LifecycleEvent::HeartbeatLost`].
    HeartbeatLost,
    /// See [`LifecycleEvent::Pause`].
    Pause,
    /// See [`LifecycleEvent::Resume`].
    Resume,
    /// See [`LifecycleEvent::Finish`].
    Finish,
    /// See [`LifecycleEvent::Fail`].
    Fail,
    /// See [`LifecycleEvent::Retry`].
    Retry,
    /// See [`LifecycleEvent::ReviewPass`].
    ReviewPass,
    /// See [`LifecycleEvent::ReviewFail`].
    ReviewFail,
    /// See [`LifecycleEvent::Rework`].
    Rework,
    /// See [`LifecycleEvent::Cancel`].
    Cancel,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [EventKind] = &[
        EventKind::Validate,
        EventKind::Invalid,
        EventKind::DependenciesUnmet,
        EventKind::DependenciesMet,
        EventKind::Assign,
        EventKind::Reassign,
        EventKind::Start,
        EventKind::Heartbeat,
        EventKind::Checkpoint,
        EventKind::HeartbeatLost,
        EventKind::Pause,
        EventKind::Resume,
        EventKind::Finish,
        EventKind::Fail,
        EventKind::Retry,
        EventKind::ReviewPass,
        EventKind::ReviewFail,
        EventKind::Rework,
        EventKind::Cancel,
    ];

    /// The event's name; the `/vayu` verb where one corresponds (`start`, `review pass`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Validate => "validate",
            EventKind::Invalid => "invalid",
            EventKind::DependenciesUnmet => "dependencies_unmet",
            EventKind::DependenciesMet => "dependencies_met",
            EventKind::Assign => "assign",
            EventKind::Reassign => "reassign",
            EventKind::Start => "start",
            EventKind::Heartbeat => "heartbeat",
            EventKind::Checkpoint => "checkpoint",
            EventKind::HeartbeatLost => "heartbeat_lost",
            EventKind::Pause => "pause",
            EventKind::Resume => "resume",
            EventKind::Finish => "finish",
            EventKind::Fail => "fail",
            EventKind::Retry => "retry",
            EventKind::ReviewPass => "review pass",
            EventKind::ReviewFail => "review fail",
            EventKind::Rework => "rework",
            EventKind::Cancel => "cancel",
        }
    }

    /// Whether this kind records a review outcome.
    pub fn is_review(self) -> bool {
        matches!(self, EventKind::ReviewPass | EventKind::ReviewFail)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl LifecycleEvent {
    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self {
            LifecycleEvent::Validate => EventKind::Validate,
            LifecycleEvent::Invalid { .. } => EventKind::Invalid,
            LifecycleEvent::DependenciesUnmet { .. } => EventKind::DependenciesUnmet,
            LifecycleEvent::DependenciesMet => EventKind::DependenciesMet,
            LifecycleEvent::Assign { .. } => EventKind::Assign,
            LifecycleEvent::Reassign => EventKind::Reassign,
            LifecycleEvent::Start => EventKind::Start,
            LifecycleEvent::Heartbeat { .. } => EventKind::Heartbeat,
            LifecycleEvent::Checkpoint { .. } => EventKind::Checkpoint,
            LifecycleEvent::HeartbeatLost => EventKind::HeartbeatLost,
            LifecycleEvent::Pause { .. } => EventKind::Pause,
            LifecycleEvent::Resume => EventKind::Resume,
            LifecycleEvent::Finish { .. } => EventKind::Finish,
            LifecycleEvent::Fail { .. } => EventKind::Fail,
            LifecycleEvent::Retry => EventKind::Retry,
            LifecycleEvent::ReviewPass { .. } => EventKind::ReviewPass,
            LifecycleEvent::ReviewFail { .. } => EventKind::ReviewFail,
            LifecycleEvent::Rework => EventKind::Rework,
            LifecycleEvent::Cancel { .. } => EventKind::Cancel,
        }
    }
}
