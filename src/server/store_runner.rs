//! The sqlx [`Store`]'s job queue as the worker pool's [`JobRunner`]: lease
//! one due job, run it through a [`JobHandler`] (the orchestrator, wired by
//! the caller), then complete it or record the failure (the store backs off
//! in SQL and marks the job dead after its last attempt).
//!
//! Jobs about the same parent issue never run at once: before running, the
//! runner takes the store's advisory lock on the key the handler names, and
//! a job whose parent is busy is deferred (queued again shortly, no attempt
//! spent) rather than waiting, so it holds neither a worker nor a connection.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use tracing::{Instrument, debug, info_span, warn};

use super::ingest::BoxFuture;
use super::workers::{JobDone, JobError, JobRunner};
use crate::core::ids::{IssueNumber, RepoName};
use crate::store::{Failed, LeasedJob, NewEvent, Store, StoreError};

/// Runs one leased job; `Err` carries the message stored as the job's last error.
pub trait JobHandler: Send + Sync + 'static {
    /// Does the job's work; must be safe to run again (leases expire, jobs retry).
    fn handle<'a>(&'a self, job: &'a LeasedJob) -> BoxFuture<'a, Result<(), String>>;

    /// The parent issue the job works on, if any: jobs with the same key
    /// never run at once.
    fn lock_key(&self, job: &LeasedJob) -> Option<(RepoName, IssueNumber)> {
        let _ = job;
        None
    }

    /// How long `job` must wait before it can run (GitHub is held back by a
    /// circuit breaker); the runner then defers it without spending an attempt.
    fn wait_before(&self, _job: &LeasedJob) -> Option<Duration> {
        None
    }
}

/// How long a job whose parent issue is busy waits before it is tried again.
pub const DEFAULT_DEFER: Duration = Duration::from_secs(1);

/// Leases from a [`Store`] and runs jobs through a [`JobHandler`].
#[derive(Debug)]
pub struct StoreRunner<S, H> {
    store: Arc<S>,
    handler: H,
    worker: String,
    lease_for: Duration,
    defer_for: Duration,
}

impl<S, H> StoreRunner<S, H> {
    /// A runner leasing as `worker` for `lease_for` (longer than any job should take).
    pub fn new(store: Arc<S>, handler: H, worker: impl Into<String>, lease_for: Duration) -> Self {
        Self {
            store,
            handler,
            worker: worker.into(),
            lease_for,
            defer_for: DEFAULT_DEFER,
        }
    }

    /// The same runner, deferring a job whose parent is busy by `defer_for`.
    pub fn with_defer(mut self, defer_for: Duration) -> Self {
        self.defer_for = defer_for;
        self
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

impl<S: Store + 'static, H: JobHandler> StoreRunner<S, H> {
    /// Runs `job` under its parent's lock, or defers it when the parent is
    /// busy; true when it ran.
    async fn run_locked(&self, job: &LeasedJob) -> Result<bool, StoreError> {
        let key = self.handler.lock_key(job);
        let Some((repo, issue)) = &key else {
            return self.run(job, None).await;
        };
        let guard = match self.store.try_advisory_lock(repo, *issue).await {
            Ok(Some(guard)) => guard,
            Ok(None) => {
                debug!(%repo, %issue, "another job works on this issue; deferred");
                self.defer(job, self.defer_for).await?;
                return Ok(false);
            }
            Err(e) => {
                // Not the job's fault: give it back without spending an attempt.
                self.defer(job, self.defer_for).await?;
                return Err(e);
            }
        };
        let ran = self.run(job, key.as_ref()).await;
        let unlocked = self.store.unlock(guard).await;
        let ran = ran?;
        unlocked.map(|()| ran)
    }

    /// Gives `job` back, queued again after `wait`, without spending an attempt.
    async fn defer(&self, job: &LeasedJob, wait: Duration) -> Result<(), StoreError> {
        let now = Utc::now();
        let later = chrono::Duration::from_std(wait)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(now);
        self.store.defer(job.id, job.lease, later, now).await
    }

    /// Runs the handler and records the outcome on the job and in the event
    /// log, under the job's parent `key` when it has one; false when the job
    /// was put back because GitHub is held back.
    async fn run(
        &self,
        job: &LeasedJob,
        key: Option<&(RepoName, IssueNumber)>,
    ) -> Result<bool, StoreError> {
        // While GitHub is held back, neither running nor failing the job: it
        // waits, its attempts untouched.
        let outcome = match self.handler.wait_before(job) {
            Some(_) => Err("not run: GitHub calls are paused (circuit open)".to_owned()),
            None => self.handler.handle(job).await,
        };
        // Asked after a failure too: the breaker may have opened during the job.
        let held = match &outcome {
            Ok(()) => None,
            Err(_) => self.handler.wait_before(job),
        };
        let (recorded, event) = match outcome {
            Ok(()) => (
                self.store.complete(job.id, job.lease, Utc::now()).await,
                ("job.done", None),
            ),
            Err(message) if held.is_some() => {
                let wait = held.unwrap_or_default();
                warn!(error = %message, ?wait, "GitHub is held back; job deferred");
                (self.defer(job, wait).await, ("job.deferred", Some(message)))
            }
            Err(message) => {
                let failed = self
                    .store
                    .fail(job.id, job.lease, &message, Utc::now())
                    .await;
                let kind = match &failed {
                    Ok(Failed::RetryAt(at)) => {
                        warn!(error = %message, retry_at = %at, "job failed; will retry");
                        "job.failed"
                    }
                    Ok(Failed::Dead) => {
                        warn!(error = %message, "job failed its last attempt; it is dead");
                        "job.dead"
                    }
                    Err(_) => "job.failed",
                };
                (failed.map(|_| ()), (kind, Some(message)))
            }
        };
        let ran = held.is_none();
        match recorded {
            // Someone else holds it now (our lease expired); their run counts.
            Err(StoreError::LeaseLost { .. }) => {
                warn!("lease expired before the job finished; another worker owns it");
                Ok(ran)
            }
            Err(e) => Err(e),
            Ok(()) => {
                self.log_outcome(job, key, event.0, event.1).await;
                Ok(ran)
            }
        }
    }

    /// Appends the job's outcome to the event log (`vayu events`); losing
    /// this line must not fail the job, whose state is already stored.
    async fn log_outcome(
        &self,
        job: &LeasedJob,
        key: Option<&(RepoName, IssueNumber)>,
        kind: &str,
        error: Option<String>,
    ) {
        let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str());
        let (repo, issue) = match key {
            Some((repo, issue)) => (Some(repo.clone()), Some(*issue)),
            None => (field("repo").and_then(|r| r.parse().ok()), None),
        };
        let mut data = json!({
            "job": job.id.0,
            "kind": job.kind,
            "attempt": job.attempts + 1,
            "max_attempts": job.max_attempts,
        });
        if let Some(delivery) = field("delivery") {
            data["delivery"] = json!(delivery);
        }
        if let Some(event) = job.payload.get("event").and_then(|e| e.get("kind")) {
            data["event"] = event.clone();
        }
        if let Some(error) = error {
            data["error"] = json!(error);
        }
        let event = NewEvent {
            ts: Utc::now(),
            kind: kind.to_owned(),
            repo,
            issue,
            data,
        };
        if let Err(e) = self.store.append_event(&event).await {
            warn!(error = %e, "could not log the job's outcome");
        }
    }
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
            let ran = self
                .run_locked(&job)
                .instrument(span)
                .await
                .map_err(queue_error)?;
            Ok(Some(if ran {
                JobDone::ran(job.kind)
            } else {
                JobDone::deferred(job.kind)
            }))
        })
    }

    fn queue_depth(&self) -> BoxFuture<'_, Result<u64, JobError>> {
        Box::pin(async move {
            let depth = self.store.queue_depth().await.map_err(queue_error)?;
            Ok(depth.queued + depth.running)
        })
    }
}
