//! `vayu report`'s analytics as Prometheus gauges, refreshed in the
//! background from the store's event log (read incrementally, so a refresh
//! costs only the events since the last one).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::task::JoinHandle;

use crate::app::history::task_events;
use crate::core::report::{Report, ReportInput, TaskEvent, report};
use crate::store::{Store, StoreResult};

/// The window the gauges cover.
pub const WINDOW_DAYS: i64 = 7;

/// The history read so far.
#[derive(Debug, Default)]
pub struct Feed {
    events: Vec<TaskEvent>,
    after: i64,
}

impl Feed {
    /// Reads the events appended since the last call.
    pub async fn catch_up<S: Store>(&mut self, store: &S) -> StoreResult<()> {
        loop {
            let page = store.events_since(self.after, 5_000).await?;
            let Some(last) = page.last() else { break };
            self.after = last.id;
            self.events.extend(task_events(&page));
        }
        Ok(())
    }

    /// The task history read so far, oldest first.
    pub fn events(&self) -> &[TaskEvent] {
        &self.events
    }

    /// Reads the events appended since the last refresh and computes the
    /// report for the last [`WINDOW_DAYS`].
    pub async fn refresh<S: Store>(&mut self, store: &S) -> StoreResult<Report> {
        self.catch_up(store).await?;
        let depth = store.queue_depth().await?;
        let until = Utc::now();
        Ok(report(&ReportInput {
            since: until - TimeDelta::days(WINDOW_DAYS),
            until,
            events: &self.events,
            capacity: &BTreeMap::new(),
            jobs_queued: depth.queued,
        }))
    }
}

/// Sets the gauges from `r`; a ratio with no samples is left out rather than
/// reported as 0.
pub fn publish(r: &Report) {
    let set = |name: &'static str, v: f64| metrics::gauge!(name).set(v);
    set("vayu_tasks_created_7d", r.created as f64);
    set("vayu_tasks_completed_7d", r.completed as f64);
    set("vayu_throughput_per_day", r.throughput_per_day);
    set("vayu_tasks_queued", r.tasks_queued as f64);
    let ratios = [
        ("vayu_completion_rate", r.completion_rate),
        ("vayu_first_time_success_rate", r.first_time_success),
        ("vayu_error_rate", r.error_rate),
    ];
    for (name, v) in ratios {
        if let Some(v) = v {
            set(name, v);
        }
    }
    let spreads = [
        (
            "vayu_assignment_latency_minutes",
            r.assignment_latency_minutes,
        ),
        (
            "vayu_time_to_resolution_minutes",
            r.time_to_resolution_minutes,
        ),
    ];
    for (name, s) in spreads {
        if let Some(s) = s {
            metrics::gauge!(name, "quantile" => "0.5").set(s.median);
            metrics::gauge!(name, "quantile" => "0.9").set(s.p90);
        }
    }
    for a in &r.agents {
        metrics::gauge!("vayu_agent_active_tasks", "agent" => a.login.clone()).set(a.active as f64);
    }
}

/// Refreshes the gauges every `every` until the task is aborted.
pub fn spawn<S: Store + Send + Sync + 'static>(store: Arc<S>, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut feed = Feed::default();
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match feed.refresh(&*store).await {
                Ok(r) => publish(&r),
                Err(e) => {
                    tracing::warn!(error = %e, "analytics refresh failed; the gauges keep their last values")
                }
            }
        }
    })
}
