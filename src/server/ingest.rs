//! What the server needs from the store: record verified deliveries (with
//! their jobs) durably, and say whether it is ready. The sqlx store
//! implements this; tests use [`MemoryQueue`](super::memory::MemoryQueue).

use std::future::Future;
use std::pin::Pin;

use crate::store::DeliveryBody;
use chrono::{DateTime, Utc};

use crate::core::ids::DeliveryId;

/// A boxed, sendable future, so the traits here can be used as `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A delivery whose signature checked out, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingDelivery {
    /// `X-GitHub-Delivery`: the dedupe key.
    pub id: DeliveryId,
    /// `X-GitHub-Event`.
    pub event: String,
    /// The payload's `action`, when it has one.
    pub action: Option<String>,
    /// The payload's `installation.id`, when it has one.
    pub installation_id: Option<u64>,
    /// The payload's `repository.full_name`, when it has one.
    pub repo: Option<String>,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// The body exactly as signed, compressed for storage.
    pub payload: DeliveryBody,
    /// Why vayu does nothing with it (kept for audit); `None` for handled events.
    pub ignored: Option<String>,
    /// Jobs to enqueue in the same transaction as the delivery.
    pub jobs: Vec<NewJob>,
}

/// A job to enqueue with its delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What the worker does with it (`event`).
    pub kind: String,
    /// Unique per job; a second job with the same key is not enqueued.
    pub dedupe_key: String,
    /// The job's input as JSON text (for `event`: the delivery id, the
    /// repository and the normalized [`Event`](crate::app::event::Event)).
    pub payload: crate::store::JobPayload,
}

/// What storing one delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored now, with its jobs.
    Inserted,
    /// A delivery with this id was already stored; nothing was enqueued.
    Duplicate,
}

/// Why a delivery could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The store refused or failed the write.
    #[error(
        "cannot store the delivery: {message}; check that the database is reachable and writable"
    )]
    Store {
        /// What the store said.
        message: String,
    },
    /// The server is shutting down and no longer accepts deliveries.
    #[error("the server is shutting down and did not store the delivery; GitHub can redeliver it")]
    Closed,
}

/// Durable storage of deliveries and their jobs, as the webhook needs it.
pub trait Ingest: Send + Sync + 'static {
    /// Stores every delivery of the batch with its jobs (one transaction per
    /// batch where possible); returns one result per delivery, in order, and
    /// only once each stored delivery is durable.
    fn record_batch(
        &self,
        batch: Vec<IncomingDelivery>,
    ) -> BoxFuture<'_, Vec<Result<Recorded, IngestError>>>;

    /// Whether the store is reachable and migrated, for `/readyz`.
    fn ready(&self) -> BoxFuture<'_, bool>;
}
