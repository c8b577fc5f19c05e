//! Group commit: requests hand their delivery to one task that stores
//! whatever is pending (up to a bound) in a single [`Ingest::record_batch`]
//! call, so many deliveries share one transaction and one fsync. Each request
//! waits for its own answer, so nothing is acknowledged before it is durable.

use std::sync::Arc;

use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::ingest::{IncomingDelivery, Ingest, IngestError, Recorded};

type Reply = oneshot::Sender<Result<Recorded, IngestError>>;

/// The sending side of the group-commit task; cheap to clone.
#[derive(Debug, Clone)]
pub struct Batcher {
    tx: mpsc::Sender<(IncomingDelivery, Reply)>,
}

impl Batcher {
    /// Starts the commit task: batches of at most `max_batch` deliveries,
    /// `poke` notified after a batch that enqueued jobs. The task ends once
    /// every `Batcher` clone is dropped and the pending deliveries are stored.
    pub fn spawn(
        ingest: Arc<dyn Ingest>,
        max_batch: usize,
        poke: Arc<Notify>,
    ) -> (Self, JoinHandle<()>) {
        let max_batch = max_batch.max(1);
        // The channel bound is backpressure: at most a few batches wait.
        let (tx, rx) = mpsc::channel(max_batch * 4);
        let task = tokio::spawn(commit_loop(rx, ingest, max_batch, poke));
        (Self { tx }, task)
    }

    /// Deliveries handed over and not yet taken into a batch.
    pub fn waiting(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Stores one delivery through the next batch and waits until it is durable.
    pub async fn submit(&self, delivery: IncomingDelivery) -> Result<Recorded, IngestError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((delivery, reply))
            .await
            .map_err(|_| IngestError::Closed)?;
        answer.await.unwrap_or(Err(IngestError::Closed))
    }
}

async fn commit_loop(
    mut rx: mpsc::Receiver<(IncomingDelivery, Reply)>,
    ingest: Arc<dyn Ingest>,
    max_batch: usize,
    poke: Arc<Notify>,
) {
    let mut pending = Vec::with_capacity(max_batch);
    while rx.recv_many(&mut pending, max_batch).await > 0 {
        let (batch, replies): (Vec<_>, Vec<_>) = pending.drain(..).unzip();
        let has_jobs: Vec<bool> = batch.iter().map(|d| !d.jobs.is_empty()).collect();
        let expected = batch.len();
        let results = ingest.record_batch(batch).await;
        let mut enqueued = false;
        if results.len() == expected {
            for ((result, reply), jobs) in results.into_iter().zip(replies).zip(has_jobs) {
                enqueued |= jobs && result == Ok(Recorded::Inserted);
                // A requester that hung up still had its delivery stored; nothing to do.
                let _ = reply.send(result);
            }
        } else {
            let error = IngestError::Store {
                message: format!(
                    "the store answered {} results for a batch of {expected}",
                    results.len()
                ),
            };
            for reply in replies {
                let _ = reply.send(Err(error.clone()));
            }
        }
        if enqueued {
            poke.notify_waiters();
        }
    }
}
