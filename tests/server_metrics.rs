//! `/metrics` renders the Prometheus text (its own test binary: the recorder is process-wide).
#![allow(clippy::unwrap_used)]

mod server_support;

use axum::http::StatusCode;
use server_support::*;
use vayu::server::signature::sign;

#[tokio::test]
async fn metrics_count_deliveries_by_event_and_outcome() {
    let h = harness();
    send(&h.app.router, signed(labeled(), "issues", "m-1")).await;
    send(&h.app.router, signed(labeled(), "issues", "m-1")).await;
    let wrong = sign("nope", &labeled());
    send(
        &h.app.router,
        delivery(labeled(), "made_up_event", "m-2", Some(wrong)),
    )
    .await;
    vayu::server::metrics::record_rate_limit("core", 4999);

    let (status, text) = get(&h.app.router, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    for line in [
        r#"deliveries_total{event="issues",outcome="accepted"} 1"#,
        r#"deliveries_total{event="issues",outcome="duplicate"} 1"#,
        r#"deliveries_total{event="unknown",outcome="bad_signature"} 1"#,
        r#"rate_limit_remaining{resource="core"} 4999"#,
        "# TYPE queue_depth gauge",
        "# TYPE deliveries_total counter",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
}
