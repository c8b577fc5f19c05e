//! The task data model of seed 003 §1, as vayu keeps it for one GitHub issue.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{Login, TaskId, TaskRef};

/// Error returned when a vocabulary word (type, status, priority…) is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{got}`: expected one of {expected}")]
pub struct UnknownWord {
    /// Which vocabulary was asked for (`task type`, `status`, …).
    pub what: &'static str,
    /// The word that was given.
    pub got: String,
    /// The valid words, comma separated.
    pub expected: String,
}

/// Declares a closed vocabulary enum with its canonical snake_case words,
/// `Display`/`FromStr` and the list of all values.
macro_rules! vocabulary {
    (
        $(#[$doc:meta])* $name:ident, $what:literal {
            $( $(#[$vdoc:meta])* $variant:ident = $word:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $word $(, alias = $alias)*)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical word used in labels, JSON and commands.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let lower = s.trim().to_ascii_lowercase();
                match lower.as_str() {
                    $( $word $(| $alias)* => Ok($name::$variant), )+
                    _ => Err(UnknownWord {
                        what: $what,
                        got: s.to_owned(),
                        expected: [$($word),+].join(", "),
                    }),
                }
            }
        }
    };
}

vocabulary!(
    /// What kind of work a task is (seed 003 §1 and §4; `user_request` is a feature).
    TaskType, "task type" {
        /// A user-requested feature (`user_request` in seed 003).
        Feature = "feature" | "user_request" | "user-request",
        /// A defect to fix.
        Bug = "bug",
        /// System maintenance.
        Maintenance = "maintenance",
        /// A recurring task started by a schedule.
        Scheduled = "scheduled",
        /// Research: problem → literature → hypothesis → experiment → analysis → report.
        Research = "research",
        /// Learning: skill gap → curriculum → practice → assessment.
        Learning = "learning",
        /// Security work (audit, vulnerability fix).
        Security = "security",
        /// Preparing and publishing a release.
        Release = "release",
    }
);

vocabulary!(
    /// Where a task is in its lifecycle (seed 003 §2, plus `blocked` and `cancelled`).
    Status, "status" {
        /// Instantiated, validation pending.
        Created = "created",
        /// Valid and waiting for an owner.
        Queued = "queued",
        /// An owner is allocated; preparing.
        Assigned = "assigned",
        /// Work in progress.
        Executing = "executing",
        /// Quality check before it counts as done.
        Reviewing = "reviewing",
        /// Finished and accepted.
        Completed = "completed",
        /// Execution failed; may be retried.
        Failed = "failed",
        /// Temporarily suspended.
        Paused = "paused",
        /// Review failed; needs rework.
        Rejected = "rejected",
        /// Waiting on unmet dependencies or escalated to a human.
        Blocked = "blocked",
        /// Abandoned on purpose.
        Cancelled = "cancelled",
    }
);

impl Status {
    /// Whether no further transition is expected.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }
}

vocabulary!(
    /// How urgent a task is.
    Priority, "priority" {
        /// Drop everything.
        Critical = "critical",
        /// Soon.
        High = "high",
        /// The default.
        Normal = "normal",
        /// When there is time.
        Low = "low",
    }
);

// The enum comes from `vocabulary!`, which cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for Priority {
    fn default() -> Self {
        Priority::Normal
    }
}

vocabulary!(
    /// Who asked for a task.
    RequesterKind, "requester type" {
        /// A person.
        Human = "human",
        /// An automated agent (a bot account or workflow).
        Agent = "agent",
        /// vayu itself (schedules, retries).
        System = "system",
    }
);

vocabulary!(
    /// How the primary agent came to own a task.
    AssignmentMethod, "assignment method" {
        /// The agent took it (`/vayu claim`).
        Claimed = "claimed",
        /// vayu or a maintainer gave it.
        Assigned = "assigned",
        /// The agent offered (an auction bid).
        Volunteered = "volunteered",
    }
);

vocabulary!(
    /// How hard a task is judged to be.
    Complexity, "complexity" {
        /// One owner, no decomposition.
        Simple = "simple",
        /// Borderline; still one owner.
        Moderate = "moderate",
        /// Decomposed into subtasks.
        Complex = "complex",
    }
);

vocabulary!(
    /// The outcome of a review.
    ReviewStatus, "review status" {
        /// Not reviewed yet.
        Pending = "pending",
        /// Accepted.
        Passed = "passed",
        /// Sent back.
        Failed = "failed",
    }
);

/// Who asked for the task and in what context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    /// A person, an agent or vayu itself.
    #[serde(rename = "type")]
    pub kind: RequesterKind,
    /// The login (or `vayu` for the system).
    pub id: String,
    /// Free-form context, e.g. the comment that asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// Who works on the task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The accountable agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_agent: Option<Login>,
    /// Helpers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collaborators: Vec<Login>,
    /// When the primary agent was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<DateTime<Utc>>,
    /// How the primary agent was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_method: Option<AssignmentMethod>,
}

/// Tasks this one waits for and tasks waiting for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependencies {
    /// Tasks that wait for this one.
    #[serde(default)]
    pub blocking: Vec<TaskRef>,
    /// Tasks this one waits for.
    #[serde(default)]
    pub blocked_by: Vec<TaskRef>,
}

/// A named output of a task (a report, a build, a pull request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// What it is.
    pub name: String,
    /// Where it is.
    pub url: String,
}

/// A milestone reached during execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// When it was reached.
    pub at: DateTime<Utc>,
    /// What was reached.
    pub text: String,
}

/// Progress of the work itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    /// When execution first started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// 0–100.
    #[serde(default)]
    pub progress: Progress,
    /// The step being worked on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<String>,
    /// Milestones, oldest first.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// Outputs.
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
    /// Log lines worth keeping.
    #[serde(default)]
    pub logs: Vec<String>,
    /// The last sign of life from the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heartbeat: Option<DateTime<Utc>>,
}

/// A percentage, always within 0–100.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct Progress(u8);

/// Error for a progress value over 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("progress {0} is out of range: expected 0-100")]
pub struct ProgressOutOfRange(pub u32);

impl Progress {
    /// Nothing done.
    pub const ZERO: Progress = Progress(0);
    /// All done.
    pub const DONE: Progress = Progress(100);

    /// Checks and wraps a percentage.
    pub fn new(value: u32) -> Result<Self, ProgressOutOfRange> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 100)
            .map(Progress)
            .ok_or(ProgressOutOfRange(value))
    }

    /// The percentage.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Progress {
    type Error = ProgressOutOfRange;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Self::new(u32::from(v))
    }
}

impl From<Progress> for u8 {
    fn from(p: Progress) -> Self {
        p.0
    }
}

/// The quality check of seed 003 §8.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Who reviews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<Login>,
    /// The outcome so far.
    pub status: ReviewStatus,
    /// What the reviewer said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    /// A 0.0–1.0 quality score, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_score: Option<f32>,
}

impl Default for Review {
    fn default() -> Self {
        Self {
            reviewer: None,
            status: ReviewStatus::Pending,
            feedback: None,
            quality_score: None,
        }
    }
}

/// The default number of retries before a failed task is escalated.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

fn default_max_retries() -> u32 {
    DEFAULT_MAX_RETRIES
}

/// Estimates, measurements and bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Estimated minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_duration: Option<u32>,
    /// Measured minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_duration: Option<u32>,
    /// Judged difficulty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<Complexity>,
    /// Free categories.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Retries spent so far.
    #[serde(default)]
    pub retry_count: u32,
    /// Retries allowed before escalation.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
}

impl Default for Metadata {
    fn default() -> Self {
        Self {
            estimated_duration: None,
            actual_duration: None,
            complexity: None,
            tags: Vec::new(),
            retry_count: 0,
            max_retries: DEFAULT_MAX_RETRIES,
        }
    }
}

/// One task: an issue that vayu manages (seed 003 §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Stable id.
    pub task_id: TaskId,
    /// The issue on GitHub, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<TaskRef>,
    /// The parent task, for a subtask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<TaskRef>,
    /// Short title.
    pub title: String,
    /// What kind of work.
    #[serde(rename = "type")]
    pub kind: TaskType,
    /// Lifecycle state.
    pub status: Status,
    /// Why the task is `blocked`/`failed`, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Urgency.
    #[serde(default)]
    pub priority: Priority,
    /// The owner domain (`owner:` label, seed 004's master).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Who asked.
    pub requester: Requester,
    /// Who works on it.
    #[serde(default)]
    pub assignment: Assignment,
    /// Links to other tasks.
    #[serde(default)]
    pub dependencies: Dependencies,
    /// Progress of the work.
    #[serde(default)]
    pub execution: Execution,
    /// Quality check.
    #[serde(default)]
    pub review: Review,
    /// Estimates and bookkeeping.
    #[serde(default)]
    pub metadata: Metadata,
}

impl Task {
    /// A freshly created task with defaults for everything not given.
    pub fn new(
        task_id: TaskId,
        title: impl Into<String>,
        kind: TaskType,
        requester: Requester,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            task_id,
            issue: None,
            parent: None,
            title: title.into(),
            kind,
            status: Status::Created,
            status_reason: None,
            created_at: now,
            updated_at: now,
            priority: Priority::Normal,
            owner: None,
            requester,
            assignment: Assignment::default(),
            dependencies: Dependencies::default(),
            execution: Execution::default(),
            review: Review::default(),
            metadata: Metadata::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::IssueNumber;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("timestamp")
    }

    fn full_task() -> Task {
        let mut t = Task::new(
            TaskId("t-1".into()),
            "Add authentication",
            TaskType::Feature,
            Requester {
                kind: RequesterKind::Human,
                id: "octocat".into(),
                context: Some("issue comment".into()),
            },
            at("2025-11-05T18:00:00Z"),
        );
        t.issue = Some("o/r#12".parse().expect("ref"));
        t.priority = Priority::High;
        t.owner = Some("development".into());
        t.assignment = Assignment {
            primary_agent: Some(Login("alice".into())),
            collaborators: vec![Login("bob".into())],
            assigned_at: Some(at("2025-11-05T18:01:00Z")),
            assignment_method: Some(AssignmentMethod::Claimed),
        };
        t.dependencies.blocked_by.push(TaskRef {
            repo: "o/r".parse().expect("repo"),
            number: IssueNumber(11),
        });
        t.execution = Execution {
            started_at: Some(at("2025-11-05T18:02:00Z")),
            progress: Progress::new(40).expect("in range"),
            current_step: Some("compiling".into()),
            checkpoints: vec![Checkpoint {
                at: at("2025-11-05T18:03:00Z"),
                text: "schema done".into(),
            }],
            artifacts: vec![Artifact {
                name: "report".into(),
                url: "https://example.com/r".into(),
            }],
            logs: vec!["started".into()],
            last_heartbeat: Some(at("2025-11-05T18:04:00Z")),
        };
        t.review = Review {
            reviewer: Some(Login("carol".into())),
            status: ReviewStatus::Failed,
            feedback: Some("missing tests".into()),
            quality_score: Some(0.5),
        };
        t.metadata.estimated_duration = Some(90);
        t.metadata.complexity = Some(Complexity::Complex);
        t.metadata.tags = vec!["auth".into()];
        t.metadata.retry_count = 1;
        t
    }

    #[test]
    fn every_field_round_trips_through_json() {
        let t = full_task();
        let json = serde_json::to_string(&t).expect("serialize");
        let back: Task = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, t);
    }

    #[test]
    fn seed_words_parse_including_aliases() {
        let t: Task = serde_json::from_value(serde_json::json!({
            "task_id": "x", "title": "t", "type": "user_request", "status": "queued",
            "created_at": "2025-11-05T18:00:00Z", "updated_at": "2025-11-05T18:00:00Z",
            "requester": {"type": "system", "id": "vayu"}
        }))
        .expect("minimal task");
        assert_eq!(t.kind, TaskType::Feature);
        assert_eq!(t.priority, Priority::Normal);
        assert_eq!(t.metadata.max_retries, 3);
        assert_eq!(t.execution.progress, Progress::ZERO);
    }

    #[test]
    fn vocabulary_parses_and_names_valid_words() {
        assert_eq!("Critical".parse::<Priority>(), Ok(Priority::Critical));
        assert_eq!("user-request".parse::<TaskType>(), Ok(TaskType::Feature));
        let err = "urgent".parse::<Priority>().expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "unknown priority `urgent`: expected one of critical, high, normal, low"
        );
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(*s));
        }
    }

    #[test]
    fn progress_is_bounded() {
        assert!(Progress::new(100).is_ok());
        assert_eq!(Progress::new(101), Err(ProgressOutOfRange(101)));
        assert!(serde_json::from_str::<Progress>("101").is_err());
    }
}
