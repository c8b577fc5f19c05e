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
/// Counter `github_requests_total{method, route, status}`: every HTTP attempt
/// to GitHub, retries included, by route template (`/repos/{owner}/{repo}/issues/{issue_number}`)
/// and status (`error` when no response arrived).
pub const GITHUB_REQUESTS: &str = "github_requests_total";

/// Rate-limit resources GitHub names in `x-ratelimit-resource`; others are `other`.
const KNOWN_RESOURCES: &[&str] = &[
    "core",
    "graphql",
    "search",
    "code_search",
    "integration_manifest",
    "source_import",
    "code_scanning_upload",
    "actions_runner_registration",
    "scim",
    "dependency_snapshots",
    "audit_log",
];

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
    metrics::describe_counter!(
        GITHUB_REQUESTS,
        "GitHub API requests (attempts, retries included) by method, route template and status"
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

/// Records GitHub's `x-ratelimit-remaining` for `resource` (`core`, `graphql`;
/// a name GitHub may add later is `other`, so a response cannot grow the label set).
pub fn record_rate_limit(resource: &str, remaining: u64) {
    let resource = KNOWN_RESOURCES
        .iter()
        .find(|known| **known == resource)
        .copied()
        .unwrap_or("other");
    metrics::gauge!(RATE_LIMIT_REMAINING, "resource" => resource).set(remaining as f64);
}

/// Counts one GitHub request; `route` is a template (see
/// `github::transport::route_template`), never a concrete path.
pub fn count_github_call(method: &str, route: String, status: Option<u16>) {
    let status = status.map_or_else(|| "error".to_owned(), |s| s.to_string());
    metrics::counter!(
        GITHUB_REQUESTS,
        "method" => method.to_owned(),
        "route" => route,
        "status" => status
    )
    .increment(1);
}
