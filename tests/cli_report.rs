//! `vayu report` on a seeded history: every figure can be checked by hand
//! from the events below.

use std::process::Command;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use vayu::core::ids::{IssueNumber, RepoName};
use vayu::store::{NewEvent, Store, connect};

const REPO: &str = "octo/app";

fn event(at: DateTime<Utc>, kind: &str, issue: u64, data: Value) -> NewEvent {
    NewEvent {
        ts: at,
        kind: kind.into(),
        repo: Some(REPO.parse::<RepoName>().expect("repo")),
        issue: Some(IssueNumber(issue)),
        data,
    }
}

/// Parent #1 decomposed into #2 and #3 two hours ago; #2 assigned to alice
/// after 10 minutes and completed after 70; #3 assigned to bob after 30,
/// failed once, and is executing again. A simple task #4 was routed a day
/// ago and closed as not planned. A task #9 finished 30 days ago is outside
/// the 7-day window.
async fn seed(url: &str) {
    let store = connect(url).await.expect("store");
    let now = Utc::now();
    let t0 = now - TimeDelta::hours(2);
    let m = |minutes: i64| t0 + TimeDelta::minutes(minutes);
    let status = |to: &str, who: &[&str]| json!({ "to": to, "assignees": who });
    let events = [
        event(now - TimeDelta::days(30), "task_routed", 9, json!({})),
        event(
            now - TimeDelta::days(30) + TimeDelta::hours(1),
            "task_closed",
            9,
            json!({ "completed": true }),
        ),
        event(now - TimeDelta::days(1), "task_routed", 4, json!({})),
        event(m(0), "orchestration_started", 1, json!({ "subtasks": 2 })),
        event(
            m(0),
            "subtask_created",
            1,
            json!({ "key": "a", "issue": 2 }),
        ),
        event(
            m(0),
            "subtask_created",
            1,
            json!({ "key": "b", "issue": 3 }),
        ),
        event(m(1), "status_changed", 2, status("queued", &[])),
        event(m(10), "status_changed", 2, status("assigned", &["alice"])),
        event(m(15), "status_changed", 2, status("executing", &["alice"])),
        event(m(30), "status_changed", 3, status("assigned", &["bob"])),
        event(m(35), "status_changed", 3, status("executing", &["bob"])),
        event(m(40), "task_closed", 4, json!({ "completed": false })),
        event(m(50), "status_changed", 3, status("failed", &["bob"])),
        event(m(60), "status_changed", 3, status("executing", &["bob"])),
        event(m(70), "task_closed", 2, json!({ "completed": true })),
        event(m(71), "unrelated_kind", 2, json!({})),
    ];
    for e in &events {
        store.append_event(e).await.expect("append");
    }
}

fn report(url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vayu"))
        .args(["report", "--database-url", url])
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run vayu report")
}

#[tokio::test(flavor = "multi_thread")]
async fn report_prints_the_seed_metrics_from_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("vayu.db").display());
    seed(&url).await;
    let config = dir.path().join("vayu.yml");
    std::fs::write(
        &config,
        "assignment:\n  agents:\n    - login: alice\n      capacity: 2\n    - login: bob\n      capacity: 4\n",
    )
    .expect("config");

    let out = report(
        &url,
        &[
            "--format",
            "json",
            "--config",
            config.to_str().expect("utf-8"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    // Taken on in the window: #1, #2, #3, #4 (not #9).
    assert_eq!(r["created"], 4);
    assert_eq!(r["completed"], 1);
    assert!((r["throughput_per_day"].as_f64().expect("f64") - 1.0 / 7.0).abs() < 1e-3);
    // #2 completed, #4 not planned.
    assert_eq!(r["completion_rate"], 0.5);
    // Latencies: #2 10 min, #3 30 min.
    assert_eq!(r["assignment_latency_minutes"]["median"], 10.0);
    assert_eq!(r["assignment_latency_minutes"]["p90"], 30.0);
    assert_eq!(r["time_to_resolution_minutes"]["median"], 70.0);
    assert_eq!(r["first_time_success"], 1.0);
    // #2 and #3 started; #3 failed.
    assert_eq!(r["error_rate"], 0.5);
    assert_eq!(r["tasks_queued"], 0);
    assert_eq!(r["jobs_queued"], 0);
    assert_eq!(
        r["agents"],
        json!([
            { "login": "bob", "active": 1, "completed": 0, "utilization": 0.25 },
            { "login": "alice", "active": 0, "completed": 1, "utilization": 0.0 },
        ])
    );

    let table = report(&url, &[]);
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).expect("utf-8");
    assert!(text.contains("completion rate      50.0%"), "{text}");
    assert!(
        text.contains("time to resolution   median 70.0 min, p90 70.0 min (n=1)"),
        "{text}"
    );
    assert!(text.contains("error rate           50.0%"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_window_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("vayu.db").display());
    let out = report(&url, &["--since", "seven days"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--since"), "{err}");
}
