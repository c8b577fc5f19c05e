//! The job queue's vocabulary: jobs to enqueue, leased jobs, states, backoff.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

/// A job's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Proof of one lease on one job: a fresh token per lease, so a worker whose
/// lease expired and was taken over cannot complete or fail the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaseToken(pub Uuid);

/// Where a job is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for `run_at`, then for a worker.
    Queued,
    /// Leased by a worker until `lease_until`.
    Running,
    /// Finished.
    Done,
    /// Failed `max_attempts` times; waits for `retry_dead`.
    Dead,
}

impl JobState {
    /// Every state, in queue order.
    pub const ALL: [JobState; 4] = [Self::Queued, Self::Running, Self::Done, Self::Dead];

    /// The word stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    /// Parses the `state` column.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Which handler runs it (`issue_event`, `plan`, …).
    pub kind: String,
    /// At most one job ever exists per key; `None` never deduplicates.
    pub dedupe_key: Option<String>,
    /// The handler's input.
    pub payload: JobPayload,
    /// Failures after which the job is dead.
    pub max_attempts: u32,
    /// Not leased before this instant.
    pub run_at: DateTime<Utc>,
    /// When a `done` job has the same dedupe key, queue it again (fresh
    /// payload, zero attempts) instead of reporting a duplicate. A queued,
    /// running or dead job with the key is never touched.
    pub requeue_done: bool,
}

impl NewJob {
    /// A job of `kind` runnable at `run_at`, with 5 attempts and no dedupe key.
    pub fn new(
        kind: impl Into<String>,
        payload: impl Into<JobPayload>,
        run_at: DateTime<Utc>,
    ) -> Self {
        Self {
            kind: kind.into(),
            dedupe_key: None,
            payload: payload.into(),
            max_attempts: 5,
            run_at,
            requeue_done: false,
        }
    }

    /// The same job, deduplicated by `key`.
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// The same job, queued again if a finished job holds its dedupe key
    /// (a periodic reconcile that must run once more, say).
    pub fn requeue_if_done(mut self) -> Self {
        self.requeue_done = true;
        self
    }
}

/// A job's input: a JSON value, or JSON text serialized once where the job
/// was made. The webhook path uses the text: building a `Value` tree of the
/// event only to serialize it again in the commit was ~5% of a request's CPU.
#[derive(Debug, Clone)]
pub enum JobPayload {
    /// A value built in place (`json!`).
    Value(Value),
    /// Serialized JSON text, stored as it is.
    Raw(Box<RawValue>),
}

impl JobPayload {
    /// The payload as a value (parsing the text of a raw one).
    pub fn to_value(&self) -> serde_json::Result<Value> {
        match self {
            Self::Value(v) => Ok(v.clone()),
            Self::Raw(raw) => serde_json::from_str(raw.get()),
        }
    }
}

impl From<Value> for JobPayload {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

impl From<Box<RawValue>> for JobPayload {
    fn from(raw: Box<RawValue>) -> Self {
        Self::Raw(raw)
    }
}

impl Serialize for JobPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(v) => v.serialize(serializer),
            Self::Raw(raw) => raw.serialize(serializer),
        }
    }
}

/// Equal when they hold the same JSON, however it is written.
impl PartialEq for JobPayload {
    fn eq(&self, other: &Self) -> bool {
        match (self.to_value(), other.to_value()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// Whether `enqueue` added a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job with this id.
    New(JobId),
    /// The `done` job with the same dedupe key was queued again (only when
    /// [`NewJob::requeue_done`] asked for it).
    Requeued(JobId),
    /// A job with the same dedupe key already exists; nothing was added.
    Duplicate,
}

/// A job a worker holds a lease on.
#[derive(Debug, Clone, PartialEq)]
pub struct LeasedJob {
    /// The job.
    pub id: JobId,
    /// Which handler runs it.
    pub kind: String,
    /// The handler's input.
    pub payload: Value,
    /// Failures so far.
    pub attempts: u32,
    /// Failures after which the job is dead.
    pub max_attempts: u32,
    /// The lease to pass to `complete`/`fail`.
    pub lease: LeaseToken,
    /// When the lease expires and the job becomes leasable again.
    pub lease_until: DateTime<Utc>,
}

/// A job as stored, for listing (`vayu jobs`).
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// The job.
    pub id: JobId,
    /// Which handler runs it.
    pub kind: String,
    /// Its dedupe key.
    pub dedupe_key: Option<String>,
    /// The handler's input.
    pub payload: Value,
    /// Where it is in the queue.
    pub state: JobState,
    /// Failures so far.
    pub attempts: u32,
    /// Failures after which it is dead.
    pub max_attempts: u32,
    /// Not leased before this instant.
    pub run_at: DateTime<Utc>,
    /// When the current lease expires.
    pub lease_until: Option<DateTime<Utc>>,
    /// Which worker holds (or last held) the lease.
    pub leased_by: Option<String>,
    /// The last failure's message.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// What `fail` did with the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Queued again, not before this instant.
    RetryAt(DateTime<Utc>),
    /// Out of attempts: dead until `retry_dead`.
    Dead,
}

/// How long a failed job waits: `base · 2^(failures before this one)`,
/// never more than `cap`. Whole seconds, because both backends compute it in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Wait after the first failure.
    pub base: Duration,
    /// Longest wait.
    pub cap: Duration,
}

impl Default for Backoff {
    /// 30 s, doubling, at most one hour.
    fn default() -> Self {
        Self {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// `base` in whole seconds, as SQL takes it.
    pub(crate) fn base_secs(&self) -> i64 {
        i64::try_from(self.base.as_secs()).unwrap_or(i64::MAX)
    }
    /// `cap` in whole seconds, as SQL takes it.
    pub(crate) fn cap_secs(&self) -> i64 {
        i64::try_from(self.cap.as_secs()).unwrap_or(i64::MAX)
    }
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Waiting.
    pub queued: u64,
    /// Leased.
    pub running: u64,
    /// Finished.
    pub done: u64,
    /// Out of attempts.
    pub dead: u64,
}

impl QueueDepth {
    pub(crate) fn add(&mut self, state: JobState, n: u64) {
        match state {
            JobState::Queued => self.queued += n,
            JobState::Running => self.running += n,
            JobState::Done => self.done += n,
            JobState::Dead => self.dead += n,
        }
    }
}
