//! The worker pool: N workers lease and run jobs through a [`JobRunner`],
//! woken by a poke from ingest or a periodic poll (for retries and expired
//! leases). Shutdown stops leasing and waits for the jobs in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tracing::{Instrument, info_span, warn};

use super::ingest::BoxFuture;
use super::metrics::{JOB_DURATION, QUEUE_DEPTH};

/// One job that ran (whatever its outcome; the runner records failures and retries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobDone {
    /// The job's kind, for the duration histogram.
    pub kind: String,
    /// The job did not run but was put back for later (its parent issue was
    /// busy); the worker then pauses before leasing again.
    pub deferred: bool,
}

impl JobDone {
    /// A job that ran.
    pub fn ran(kind: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            deferred: false,
        }
    }

    /// A job put back for later without running.
    pub fn deferred(kind: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            deferred: true,
        }
    }
}

/// The first pause after a worker put a job back; it doubles with each job
/// put back in a row, up to [`MAX_DEFER_PAUSE`]. Without it, while one job
/// holds a busy parent, the other workers would lease and put back that
/// parent's queued jobs as fast as the database allows, two writes each.
const FIRST_DEFER_PAUSE: Duration = Duration::from_millis(10);
const MAX_DEFER_PAUSE: Duration = Duration::from_secs(1);

/// Why the runner could not lease or finish a job.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the job queue failed: {message}; check that the database is reachable")]
pub struct JobError {
    /// What went wrong.
    pub message: String,
}

/// What the worker pool calls: lease one due job and run it to the end.
pub trait JobRunner: Send + Sync + 'static {
    /// Leases one due job and runs it; `Ok(None)` when nothing is due.
    fn run_next(&self) -> BoxFuture<'_, Result<Option<JobDone>, JobError>>;

    /// Jobs queued or running, for the `queue_depth` gauge.
    fn queue_depth(&self) -> BoxFuture<'_, Result<u64, JobError>>;
}

/// A running pool of workers.
#[derive(Debug)]
pub struct WorkerPool {
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

impl WorkerPool {
    /// Starts `workers` workers (at least one); each runs one job at a time,
    /// so at most `workers` jobs run at once.
    pub fn spawn(
        runner: Arc<dyn JobRunner>,
        workers: usize,
        poke: Arc<Notify>,
        idle_poll: Duration,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let workers = (0..workers.max(1))
            .map(|n| {
                let worker = work(runner.clone(), poke.clone(), stopped.clone(), idle_poll);
                tokio::spawn(worker.instrument(info_span!("worker", n)))
            })
            .collect();
        Self { stop, workers }
    }

    /// Stops leasing new jobs and returns once every job in flight has finished.
    pub async fn shutdown(self) {
        // Receivers outlive the send only if a worker panicked; then there is nothing to stop.
        let _ = self.stop.send(true);
        for worker in self.workers {
            if let Err(e) = worker.await {
                warn!(error = %e, "a worker ended abnormally");
            }
        }
    }
}

async fn work(
    runner: Arc<dyn JobRunner>,
    poke: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
    idle_poll: Duration,
) {
    let mut deferred_in_a_row = 0u32;
    loop {
        if *stopped.borrow_and_update() {
            break;
        }
        // Registered before looking for work, so a poke during the look is not lost.
        let poked = poke.notified();
        tokio::pin!(poked);
        poked.as_mut().enable();
        let started = Instant::now();
        match runner.run_next().await {
            Ok(Some(done)) if done.deferred => {
                let pause = FIRST_DEFER_PAUSE
                    .saturating_mul(1 << deferred_in_a_row.min(10))
                    .min(MAX_DEFER_PAUSE);
                deferred_in_a_row = deferred_in_a_row.saturating_add(1);
                tokio::select! {
                    changed = stopped.changed() => if changed.is_err() { break },
                    () = tokio::time::sleep(pause) => {}
                }
                continue;
            }
            Ok(Some(done)) => {
                deferred_in_a_row = 0;
                metrics::histogram!(JOB_DURATION, "kind" => done.kind)
                    .record(started.elapsed().as_secs_f64());
                continue;
            }
            Ok(None) => {}
            Err(e) => warn!(error = %e, "could not run a job; waiting before the next try"),
        }
        if let Ok(depth) = runner.queue_depth().await {
            metrics::gauge!(QUEUE_DEPTH).set(depth as f64);
        }
        tokio::select! {
            () = &mut poked => {}
            changed = stopped.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(idle_poll) => {}
        }
    }
}
