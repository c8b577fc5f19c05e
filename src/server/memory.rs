//! An in-process, non-durable [`Ingest`] + [`JobRunner`]: for tests and for
//! `--database-url memory:` until the sqlx store is wired in. It keeps every
//! delivery in memory, so it is not for production.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::ingest::{BoxFuture, IncomingDelivery, Ingest, IngestError, NewJob, Recorded};
use super::workers::{JobDone, JobError, JobRunner};
use crate::core::ids::DeliveryId;

/// Deliveries and jobs in memory; jobs "run" by being taken off the queue.
#[derive(Debug, Default)]
pub struct MemoryQueue {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    ids: HashSet<DeliveryId>,
    deliveries: Vec<IncomingDelivery>,
    queued: VecDeque<NewJob>,
    done: Vec<NewJob>,
    batches: Vec<usize>,
    keep_payloads: bool,
}

impl MemoryQueue {
    /// An empty queue that keeps whole deliveries (for tests).
    pub fn new() -> Self {
        Self::with_payloads(true)
    }

    /// An empty queue; with `keep_payloads = false` bodies are dropped after
    /// dedupe, so a long load test does not grow memory by the body size.
    pub fn with_payloads(keep_payloads: bool) -> Self {
        Self {
            inner: Mutex::new(Inner {
                keep_payloads,
                ..Inner::default()
            }),
        }
    }

    /// The stored deliveries, oldest first.
    pub fn deliveries(&self) -> Vec<IncomingDelivery> {
        self.lock().deliveries.clone()
    }

    /// Jobs not yet run, oldest first.
    pub fn queued(&self) -> Vec<NewJob> {
        self.lock().queued.iter().cloned().collect()
    }

    /// Jobs that ran, in the order they ran.
    pub fn done(&self) -> Vec<NewJob> {
        self.lock().done.clone()
    }

    /// The size of every batch [`Ingest::record_batch`] received.
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.lock().batches.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Ingest for MemoryQueue {
    fn record_batch(
        &self,
        batch: Vec<IncomingDelivery>,
    ) -> BoxFuture<'_, Vec<Result<Recorded, IngestError>>> {
        let mut inner = self.lock();
        inner.batches.push(batch.len());
        let results = batch
            .into_iter()
            .map(|mut delivery| {
                if !inner.ids.insert(delivery.id.clone()) {
                    return Ok(Recorded::Duplicate);
                }
                inner.queued.extend(delivery.jobs.iter().cloned());
                if inner.keep_payloads {
                    inner.deliveries.push(delivery);
                } else {
                    delivery.payload = Default::default();
                    delivery.jobs.clear();
                }
                Ok(Recorded::Inserted)
            })
            .collect();
        Box::pin(std::future::ready(results))
    }

    fn ready(&self) -> BoxFuture<'_, bool> {
        Box::pin(std::future::ready(true))
    }
}

impl JobRunner for MemoryQueue {
    fn run_next(&self) -> BoxFuture<'_, Result<Option<JobDone>, JobError>> {
        let mut inner = self.lock();
        let done = inner.queued.pop_front().map(|job| {
            let kind = job.kind.clone();
            if inner.keep_payloads {
                inner.done.push(job);
            }
            JobDone::ran(kind)
        });
        Box::pin(std::future::ready(Ok(done)))
    }

    fn queue_depth(&self) -> BoxFuture<'_, Result<u64, JobError>> {
        let depth = self.lock().queued.len() as u64;
        Box::pin(std::future::ready(Ok(depth)))
    }
}
