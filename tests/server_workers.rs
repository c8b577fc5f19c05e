//! The worker pool: woken by ingest, bounded, and drained on shutdown.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use server_support::*;
use tokio::sync::{Semaphore, mpsc};
use vayu::server::memory::MemoryQueue;
use vayu::server::{BoxFuture, JobDone, JobError, JobRunner, WorkerPool};

/// Long enough that only a poke can wake an idle worker during a test.
const NEVER: Duration = Duration::from_secs(3600);

/// Runs `MemoryQueue` jobs and reports each one.
struct Reporting {
    queue: Arc<MemoryQueue>,
    ran: mpsc::UnboundedSender<String>,
}

impl JobRunner for Reporting {
    fn run_next(&self) -> BoxFuture<'_, Result<Option<JobDone>, JobError>> {
        Box::pin(async move {
            let done = self.queue.run_next().await?;
            if let Some(d) = &done {
                let _ = self.ran.send(d.kind.clone());
            }
            Ok(done)
        })
    }
    fn queue_depth(&self) -> BoxFuture<'_, Result<u64, JobError>> {
        self.queue.queue_depth()
    }
}

#[tokio::test]
async fn an_accepted_delivery_pokes_an_idle_worker() {
    let h = harness();
    let (ran, mut ran_rx) = mpsc::unbounded_channel();
    let runner = Arc::new(Reporting {
        queue: h.queue.clone(),
        ran,
    });
    let pool = WorkerPool::spawn(runner, 2, h.poke.clone(), NEVER);
    let (status, _) = send(&h.app.router, signed(labeled(), "issues", "w-1")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(ran_rx.recv().await.as_deref(), Some("event"));
    assert_eq!(h.queue.done()[0].dedupe_key, "delivery:w-1");
    assert!(h.queue.queued().is_empty());
    pool.shutdown().await;
}

/// Jobs that block until the test releases them, counting how many run at once.
struct Blocking {
    jobs: AtomicUsize,
    running: AtomicUsize,
    max_running: AtomicUsize,
    finished: AtomicUsize,
    started: mpsc::UnboundedSender<()>,
    release: Semaphore,
}

impl Blocking {
    fn new(jobs: usize) -> (Arc<Self>, mpsc::UnboundedReceiver<()>) {
        let (started, rx) = mpsc::unbounded_channel();
        let runner = Self {
            jobs: AtomicUsize::new(jobs),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            started,
            release: Semaphore::new(0),
        };
        (Arc::new(runner), rx)
    }
}

impl JobRunner for Blocking {
    fn run_next(&self) -> BoxFuture<'_, Result<Option<JobDone>, JobError>> {
        Box::pin(async move {
            let leased = self
                .jobs
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if !leased {
                return Ok(None);
            }
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_running.fetch_max(now, Ordering::SeqCst);
            let _ = self.started.send(());
            self.release.acquire().await.unwrap().forget();
            self.running.fetch_sub(1, Ordering::SeqCst);
            self.finished.fetch_add(1, Ordering::SeqCst);
            Ok(Some(JobDone::ran("slow")))
        })
    }
    fn queue_depth(&self) -> BoxFuture<'_, Result<u64, JobError>> {
        Box::pin(std::future::ready(Ok(
            self.jobs.load(Ordering::SeqCst) as u64
        )))
    }
}

#[tokio::test]
async fn shutdown_waits_for_the_job_in_flight() {
    let (runner, mut started) = Blocking::new(1);
    let pool = WorkerPool::spawn(
        runner.clone(),
        1,
        Arc::new(tokio::sync::Notify::new()),
        NEVER,
    );
    started.recv().await.unwrap();
    let shutdown = tokio::spawn(pool.shutdown());
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert!(
        !shutdown.is_finished(),
        "shutdown returned while a job was running"
    );
    assert_eq!(runner.finished.load(Ordering::SeqCst), 0);
    runner.release.add_permits(1);
    shutdown.await.unwrap();
    assert_eq!(runner.finished.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn no_more_jobs_run_at_once_than_there_are_workers() {
    let (runner, mut started) = Blocking::new(5);
    let pool = WorkerPool::spawn(
        runner.clone(),
        2,
        Arc::new(tokio::sync::Notify::new()),
        NEVER,
    );
    started.recv().await.unwrap();
    started.recv().await.unwrap();
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert_eq!(runner.running.load(Ordering::SeqCst), 2);
    runner.release.add_permits(5);
    for _ in 0..3 {
        started.recv().await.unwrap();
    }
    pool.shutdown().await;
    assert_eq!(runner.finished.load(Ordering::SeqCst), 5);
    assert_eq!(runner.max_running.load(Ordering::SeqCst), 2);
}

/// A runner whose every job is put back for later (its parent is busy),
/// until `limit` calls, after which nothing is due.
struct AlwaysDeferred {
    calls: AtomicUsize,
    limit: usize,
}

impl JobRunner for AlwaysDeferred {
    fn run_next(&self) -> BoxFuture<'_, Result<Option<JobDone>, JobError>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let done = (n < self.limit).then(|| JobDone::deferred("event"));
        Box::pin(std::future::ready(Ok(done)))
    }
    fn queue_depth(&self) -> BoxFuture<'_, Result<u64, JobError>> {
        Box::pin(std::future::ready(Ok(1)))
    }
}

#[tokio::test(start_paused = true)]
async fn a_worker_that_puts_jobs_back_pauses_before_leasing_again() {
    // Without the pause the worker would lease (and put back) all 1,000
    // queued jobs of a busy parent at once, two writes each.
    let runner = Arc::new(AlwaysDeferred {
        calls: AtomicUsize::new(0),
        limit: 1_000,
    });
    let pool = WorkerPool::spawn(runner.clone(), 1, Arc::default(), NEVER);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let calls = runner.calls.load(Ordering::SeqCst);
    // Pauses of 10, 20, 40 … ms, at most 1 s: 8 or 9 leases in 2 s.
    assert!((5..=12).contains(&calls), "{calls} leases in 2 s");
    pool.shutdown().await;
}
