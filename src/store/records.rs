//! The rows the store keeps besides jobs: deliveries, tasks, plans, events, effects.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::core::ids::{DeliveryId, InstallationId, IssueNumber, Login, RepoName, TaskKey};
use crate::core::task::{Priority, Progress, Status, TaskType};

use super::job::NewJob;

/// A verified webhook delivery to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    /// `X-GitHub-Delivery`; a redelivery keeps it, so it deduplicates.
    pub id: DeliveryId,
    /// `X-GitHub-Event`.
    pub event: String,
    /// The payload's `action`, when it has one.
    pub action: Option<String>,
    /// The App installation it came through.
    pub installation_id: Option<InstallationId>,
    /// The repository it concerns.
    pub repo: Option<RepoName>,
    /// When vayu received it.
    pub received_at: DateTime<Utc>,
    /// The raw body.
    pub payload: String,
}

/// A delivery and the jobs it causes, stored together or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryWithJobs {
    /// The delivery.
    pub delivery: NewDelivery,
    /// Its jobs (deduplicated by their keys).
    pub jobs: Vec<NewJob>,
}

/// Whether a delivery was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored, with its jobs.
    Inserted,
    /// Seen before; nothing was stored or enqueued.
    Duplicate,
}

/// vayu's cached view of one task issue.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    /// Repository.
    pub repo: RepoName,
    /// The task's issue.
    pub issue_number: IssueNumber,
    /// The parent issue, for a subtask.
    pub parent: Option<IssueNumber>,
    /// The subtask key within the parent's plan.
    pub key: Option<TaskKey>,
    /// Kind of work.
    pub task_type: TaskType,
    /// Urgency.
    pub priority: Priority,
    /// Primary owner.
    pub owner: Option<Login>,
    /// Lifecycle status.
    pub status: Status,
    /// Percent done.
    pub progress: Progress,
    /// Last sign of life from the executor.
    pub heartbeat_at: Option<DateTime<Utc>>,
    /// Retries so far.
    pub retries: u32,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
}

/// Which tasks to list; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    /// Only this repository.
    pub repo: Option<RepoName>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only this owner.
    pub owner: Option<Login>,
}

/// The last plan vayu computed for a parent issue.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// Repository.
    pub repo: RepoName,
    /// The parent issue.
    pub issue_number: IssueNumber,
    /// Hash of the plan's input, to skip replanning an unchanged issue.
    pub hash: String,
    /// The plan.
    pub json: Value,
    /// When it was stored.
    pub updated_at: DateTime<Utc>,
}

/// A dashboard event to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// When it happened.
    pub ts: DateTime<Utc>,
    /// What happened (`task.status`, `plan.created`, …).
    pub kind: String,
    /// Repository, when it concerns one.
    pub repo: Option<RepoName>,
    /// Issue, when it concerns one.
    pub issue: Option<IssueNumber>,
    /// Details.
    pub data: Value,
}

/// A stored event; ids increase in append order.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Position in the log.
    pub id: i64,
    /// The event.
    pub event: NewEvent,
}

/// An effect that has been executed, by idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectRecord {
    /// When it was recorded.
    pub done_at: DateTime<Utc>,
    /// What it produced (the created issue's number, …).
    pub result: Value,
}
