//! The sqlx [`Store`]'s job queue as the worker pool's [`JobRunner`]: lease
//! one due job, run it through a [`JobHandler`] (the orchestrator, wired by
//! the caller), then complete it or record the failure (the store backs off
//! in SQL and marks the job dead after its last attempt).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tracing::{Instrument, info_span, warn};

use super::ingest::BoxFuture;
use super::workers::{JobDone, JobError, JobRunner};
use crate::store::{Failed, LeasedJob, Store, StoreError};

/// Runs one leased job; `Err` carries the message stored as the job's last error.
pub trait JobHandler: Send + Sync + 'static {
    /// Does the job's work; must be safe to run again (leases expire, jobs retry).
    fn handle<'a>(&'a self, job: &'a LeasedJob) -> BoxFuture<'a, Result<(), String>>;

    /// How long `job` must wait before it can run (GitHub is held back by a
    /// circuit breaker); the runner then defers it without spending an attempt.
    fn wait_before(&self, _job: &LeasedJob) -> Option<Duration> {
        None
    }
}

/// Leases from a [`Store`] and runs jobs through a [`JobHandler`].
#[derive(Debug)]
pub struct StoreRunner<S, H> {
    store: Arc<S>,
    handler: H,
    worker: String,
    lease_for: Duration,
}

impl<S, H> StoreRunner<S, H> {
    /// A runner leasing as `worker` for `lease_for` (longer than any job should take).
    pub fn new(store: Arc<S>, handler: H, worker: impl Into<String>, lease_for: Duration) -> Self {
        Self {
            store,
            handler,
            worker: worker.into(),
            lease_for,
        }
    }
}

fn queue_error(e: StoreError) -> JobError {
    JobError {
        message: e.to_string(),
    }
}

/// The span fields every job log line carries: delivery id and repository,
/// read from the normalized event the webhook enqueued.
fn job_span(job: &LeasedJob) -> tracing::Span {
    let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str()).unwrap_or("");
    info_span!(
        "job",
        id = %job.id,
        kind = %job.kind,
        attempt = job.attempts + 1,
        delivery = field("delivery"),
        repo = field("repo"),
    )
}

impl<S: Store + 'static, H: JobHandler> JobRunner for StoreRunner<S, H> {
    fn run_next(&self) -> BoxFuture<'_, Result<Option<JobDone>, JobError>> {
        Box::pin(async move {
            let leased = self
                .store
                .lease(&self.worker, None, self.lease_for, Utc::now(), 1)
                .await
                .map_err(queue_error)?;
            let Some(job) = leased.into_iter().next() else {
                return Ok(None);
            };
            let span = job_span(&job);
            async {
                // While GitHub is held back, neither running nor failing the
                // job: it waits, its attempts untouched.
                let outcome = match self.handler.wait_before(&job) {
                    Some(_) => Err("not run: GitHub calls are paused (circuit open)".to_owned()),
                    None => self.handler.handle(&job).await,
                }
                .map_err(|message| (message, self.handler.wait_before(&job)));
                let finished = match outcome {
                    Ok(()) => self.store.complete(job.id, job.lease, Utc::now()).await,
                    Err((message, Some(wait))) => {
                        let at = Utc::now()
                            + chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::MAX);
                        warn!(error = %message, retry_at = %at, "GitHub is held back; job deferred");
                        self.store.defer(job.id, job.lease, at, Utc::now()).await
                    }
                    Err((message, None)) => {
                        match self
                            .store
                            .fail(job.id, job.lease, &message, Utc::now())
                            .await
                        {
                            Ok(Failed::RetryAt(at)) => {
                                warn!(error = %message, retry_at = %at, "job failed; will retry");
                                Ok(())
                            }
                            Ok(Failed::Dead) => {
                                warn!(error = %message, "job failed its last attempt; it is dead");
                                Ok(())
                            }
                            Err(e) => Err(e),
                        }
                    }
                };
                match finished {
                    // Someone else holds it now (our lease expired); their run counts.
                    Err(StoreError::LeaseLost { .. }) => {
                        warn!("lease expired before the job finished; another worker owns it");
                        Ok(())
                    }
                    other => other.map_err(queue_error),
                }
            }
            .instrument(span)
            .await?;
            Ok(Some(JobDone { kind: job.kind }))
        })
    }

    fn queue_depth(&self) -> BoxFuture<'_, Result<u64, JobError>> {
        Box::pin(async move {
            let depth = self.store.queue_depth().await.map_err(queue_error)?;
            Ok(depth.queued + depth.running)
        })
    }
}
