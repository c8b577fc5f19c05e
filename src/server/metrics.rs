//! Prometheus metrics: one process-wide recorder, rendered at `/metrics`.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Counter `deliveries_total{event, outcome}`.
pub const DELIVERIES: &str = "deliveries_total";
/// Histogram `job_duration_seconds{kind}`.
pub const JOB_DURATION: &str = "job_duration_seconds";
/// Gauge `queue_depth`: jobs queued or running.
pub const QUEUE_DEPTH: &str = "queue_depth";
/// Gauge `rate_limit_remaining{resource}`: GitHub's last `x-ratelimit-remaining`.
pub const RATE_LIMIT_REMAINING: &str = "rate_limit_remaining";

/// Events that get their own label value; anything else is `other`, so an
/// unauthenticated client cannot grow the label set; `unknown` is for
/// deliveries rejected before their event name is trusted.
const KNOWN_EVENTS: &[&str] = &[
    "unknown",
    "issues",
    "issue_comment",
    "sub_issues",
    "issue_dependencies",
    "installation",
    "installation_repositories",
    "workflow_run",
    "workflow_job",
    "repository_dispatch",
    "workflow_dispatch",
    "ping",
];

/// The handle of the process-wide recorder, installed on first use.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = || {
                PrometheusBuilder::new()
                    .set_buckets_for_metric(
                        Matcher::Full(JOB_DURATION.to_owned()),
                        &[0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0],
                    )
                    .unwrap_or_else(|_| PrometheusBuilder::new())
            };
            let handle = builder()
                .install_recorder()
                // Another recorder is installed (an embedding program's): render ours, empty.
                .unwrap_or_else(|_| builder().build_recorder().handle());
            describe();
            handle
        })
        .clone()
}

fn describe() {
    metrics::describe_counter!(DELIVERIES, "Webhook deliveries by event and outcome");
    metrics::describe_histogram!(JOB_DURATION, metrics::Unit::Seconds, "Time to run one job");
    metrics::describe_gauge!(QUEUE_DEPTH, "Jobs queued or running");
    metrics::describe_gauge!(
        RATE_LIMIT_REMAINING,
        "GitHub API requests left in the current rate-limit window"
    );
    metrics::gauge!(QUEUE_DEPTH).set(0.0);
}

/// Counts one delivery; `event` is the header value, bounded to the known set.
pub fn count_delivery(event: &str, outcome: &'static str) {
    let event = KNOWN_EVENTS
        .iter()
        .find(|known| **known == event)
        .copied()
        .unwrap_or("other");
    metrics::counter!(DELIVERIES, "event" => event, "outcome" => outcome).increment(1);
}

/// Records GitHub's `x-ratelimit-remaining` for `resource` (`core`, `graphql`).
pub fn record_rate_limit(resource: &str, remaining: u64) {
    metrics::gauge!(RATE_LIMIT_REMAINING, "resource" => resource.to_owned()).set(remaining as f64);
}
