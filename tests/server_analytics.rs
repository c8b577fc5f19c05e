//! The report's analytics on `/metrics` (own binary: the recorder is process-wide).

use std::sync::LazyLock;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use vayu::core::ids::{IssueNumber, RepoName};
use vayu::server::analytics::{Feed, publish};
use vayu::store::{NewEvent, SqliteStore, Store};

/// One clock reading for every event, so durations between them are exact.
static NOW: LazyLock<DateTime<Utc>> = LazyLock::new(Utc::now);

fn event(minutes_ago: i64, kind: &str, issue: u64, data: serde_json::Value) -> NewEvent {
    NewEvent {
        ts: *NOW - TimeDelta::minutes(minutes_ago),
        kind: kind.into(),
        repo: Some("octo/app".parse::<RepoName>().expect("repo")),
        issue: Some(IssueNumber(issue)),
        data,
    }
}

#[tokio::test]
async fn gauges_follow_the_history_as_it_grows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.path().join("a.db").display()))
        .await
        .expect("store");
    let handle = vayu::server::metrics::handle();
    let mut feed = Feed::default();

    store
        .append_event(&event(90, "task_routed", 1, json!({})))
        .await
        .expect("append");
    store
        .append_event(&event(
            80,
            "status_changed",
            1,
            json!({ "to": "executing", "assignees": ["alice"] }),
        ))
        .await
        .expect("append");
    publish(&feed.refresh(&store).await.expect("refresh"));
    let text = handle.render();
    for line in [
        "vayu_tasks_created_7d 1",
        "vayu_tasks_completed_7d 0",
        r#"vayu_agent_active_tasks{agent="alice"} 1"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
    // No task ended yet: no completion rate rather than a misleading 0.
    assert!(!text.contains("vayu_completion_rate "), "{text}");

    // The next refresh reads only what was appended, and the gauges move.
    store
        .append_event(&event(20, "task_closed", 1, json!({ "completed": true })))
        .await
        .expect("append");
    publish(&feed.refresh(&store).await.expect("refresh"));
    let text = handle.render();
    for line in [
        "vayu_tasks_completed_7d 1",
        "vayu_completion_rate 1",
        "vayu_first_time_success_rate 1",
        r#"vayu_time_to_resolution_minutes{quantile="0.5"} 70"#,
        r#"vayu_agent_active_tasks{agent="alice"} 0"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
}
