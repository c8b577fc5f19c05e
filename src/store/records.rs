//! The rows the store keeps besides jobs: deliveries, tasks, plans, events, effects.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::core::ids::{DeliveryId, InstallationId, IssueNumber, Login, RepoName, TaskKey};
use crate::core::task::{Priority, Progress, Status, TaskType};

use super::error::{StoreError, StoreResult};
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
    /// The raw body, compressed.
    pub payload: DeliveryBody,
}

/// A delivery's body exactly as signed, LZ4-compressed (a size-prepended
/// block). GitHub's JSON repeats its URLs; a 13.8 KB `issues.labeled` body
/// becomes 3 KB, so every group commit writes a quarter of the bytes to the
/// WAL and the checkpoint copies a quarter back. Compressing costs ~10 µs on
/// the request's own thread, off the single writer's path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryBody {
    lz4: Vec<u8>,
}

impl DeliveryBody {
    /// Compresses a raw body.
    pub fn compress(raw: &[u8]) -> Self {
        Self {
            lz4: lz4_flex::compress_prepend_size(raw),
        }
    }

    /// The stored form (`encoding = 'lz4'`).
    pub fn compressed(&self) -> &[u8] {
        &self.lz4
    }

    /// The raw body back.
    pub fn decompress(&self) -> StoreResult<Vec<u8>> {
        decode_lz4(&self.lz4)
    }
}

impl From<&str> for DeliveryBody {
    fn from(raw: &str) -> Self {
        Self::compress(raw.as_bytes())
    }
}

impl From<String> for DeliveryBody {
    fn from(raw: String) -> Self {
        Self::compress(raw.as_bytes())
    }
}

/// Above GitHub's 25 MB payload cap, with room to spare.
const MAX_STORED_BODY: usize = 32 * 1024 * 1024;

/// The `encoding` column of a [`DeliveryBody`]. Rows stored before bodies
/// were compressed say `json`: they hold the JSON itself.
pub(crate) const LZ4_ENCODING: &str = "lz4";

/// A stored body back to the raw bytes, by its `encoding` column.
pub(crate) fn decode_stored_body(encoding: &str, stored: &[u8]) -> StoreResult<Vec<u8>> {
    match encoding {
        "json" => Ok(stored.to_vec()),
        LZ4_ENCODING => decode_lz4(stored),
        other => Err(StoreError::Corrupt {
            what: "delivery body encoding",
            detail: format!("`{other}` is not `json` or `lz4`"),
        }),
    }
}

fn decode_lz4(stored: &[u8]) -> StoreResult<Vec<u8>> {
    // The size prefix decides the allocation; a damaged row must not ask for
    // gigabytes. GitHub caps bodies at 25 MB.
    let size = stored
        .first_chunk::<4>()
        .map_or(0, |b| u32::from_le_bytes(*b) as usize);
    if size > MAX_STORED_BODY {
        return Err(StoreError::Corrupt {
            what: "delivery body",
            detail: format!("it claims {size} bytes, more than GitHub ever sends"),
        });
    }
    lz4_flex::decompress_size_prepended(stored).map_err(|e| StoreError::Corrupt {
        what: "delivery body",
        detail: e.to_string(),
    })
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

/// Whether `batch` must be stored item by item rather than by the backends'
/// multi-row inserts: requeueing a done job is an UPDATE that depends on the
/// row's state. Webhook jobs never ask for it, so this is the rare batch.
pub(crate) fn needs_row_by_row(batch: &[DeliveryWithJobs]) -> bool {
    batch.iter().any(|i| i.jobs.iter().any(|j| j.requeue_done))
}

/// One outcome per item of `batch`, from the ids a multi-row insert
/// returned. An id twice in one batch is stored once: its first occurrence
/// owns it, and any later one is a duplicate.
pub(crate) fn batch_outcomes(batch: &[DeliveryWithJobs], inserted: &[String]) -> Vec<Recorded> {
    let mut new_ids: HashSet<&str> = inserted.iter().map(String::as_str).collect();
    batch
        .iter()
        .map(|item| {
            if new_ids.remove(item.delivery.id.as_str()) {
                Recorded::Inserted
            } else {
                Recorded::Duplicate
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_bodies_decode_by_their_encoding() {
        let raw = br#"{"action":"labeled","zen":"Keep it logically awesome."}"#;
        let body = DeliveryBody::compress(raw);
        assert_eq!(
            decode_stored_body("lz4", body.compressed()).expect("lz4 decodes"),
            raw
        );
        // Rows from before compression hold the JSON itself.
        assert_eq!(
            decode_stored_body("json", raw).expect("json passes through"),
            raw
        );
        let unknown = decode_stored_body("gzip", raw).expect_err("unknown encoding");
        assert!(unknown.to_string().contains("`gzip` is not"), "{unknown}");
    }

    #[test]
    fn a_damaged_body_is_an_error_not_a_huge_allocation() {
        // A size prefix of 4 GiB - 1 followed by garbage.
        let claims_4gib = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        let err = decode_stored_body("lz4", &claims_4gib).expect_err("refused");
        assert!(
            err.to_string().contains("more than GitHub ever sends"),
            "{err}"
        );
        let whole = DeliveryBody::compress(&[b'x'; 4096]);
        assert!(decode_stored_body("lz4", &whole.compressed()[..8]).is_err());
    }
}
