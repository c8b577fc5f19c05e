//! `vayu action --mode sweep` and `--mode report` against the simulated GitHub.

mod support;

use chrono::{SecondsFormat, Utc};
use serde_json::json;
use support::GitHubSim;
use support::action::{BOT, REPO, planned, run_action, seed_comment, set_status};

fn progress_comment(key: &str, heartbeat: &str, retries: u32) -> String {
    format!(
        "<!-- vayu:progress v=1 key={key} -->\n<!-- vayu:heartbeat v=1 at={heartbeat} -->\n<!-- vayu:retries v=1 count={retries} -->\n⏳ running"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_heartbeat_is_a_zombie_and_is_dispatched_again() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    set_status(&sim, p.a, "executing");
    let id = seed_comment(
        &sim,
        p.a,
        BOT,
        &progress_comment("a", "2020-01-01T00:00:00Z", 0),
    );
    let run = run_action(&sim, "sweep", "schedule", &json!({}), &[]).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains(
        "::warning title=vayu::#2: no heartbeat since 2020-01-01T00:00:00Z; marked lost"
    ));
    let a = sim.issue(REPO, p.a);
    assert_eq!(a.labels.last().map(String::as_str), Some("status:queued"));
    assert_eq!(a.comments.len(), 1);
    let body = sim.world().repos[REPO].comments[&id].body.clone();
    assert!(body.contains("<!-- vayu:retries v=1 count=1 -->"), "{body}");
    assert!(
        body.contains("**Failed** (the worker stopped reporting); retry 1 of 3 dispatched."),
        "{body}"
    );
    let d = sim.dispatches();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].body["inputs"], json!({ "task": "2" }));
    assert_eq!(run.output("ready").as_deref(), Some("[2]"));
    assert!(
        run.summary
            .contains("- #2: zombie (last heartbeat 2020-01-01T00:00:00Z), dispatched again")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_zombie_without_retries_left_is_escalated() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    set_status(&sim, p.a, "executing");
    seed_comment(
        &sim,
        p.a,
        BOT,
        &progress_comment("a", "2020-01-01T00:00:00Z", 3),
    );
    let run = run_action(&sim, "sweep", "schedule", &json!({}), &[]).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let a = sim.issue(REPO, p.a);
    assert_eq!(a.labels.last().map(String::as_str), Some("status:blocked"));
    assert_eq!(
        a.comments[1],
        "@alice: #2 needs a human. It is now `status:blocked`: failed 4 times: no heartbeat since 2020-01-01T00:00:00Z.\n\nFix the cause, then comment `/vayu retry`."
    );
    assert!(sim.dispatches().is_empty());
    assert_eq!(run.output("ready").as_deref(), Some("[]"));
    assert!(
        a.labels.iter().any(|l| l == "vayu:escalated"),
        "{:?}",
        a.labels
    );

    // The next sweep's reconcile sees the needs met but must leave an
    // escalated subtask alone: it waits for `/vayu retry`, not for its needs.
    let again = run_action(&sim, "sweep", "schedule", &json!({}), &[]).await;
    assert_eq!(again.code, 0, "{}", again.stdout);
    let after = sim.issue(REPO, p.a);
    assert_eq!(after.labels, a.labels);
    assert_eq!(after.comments.len(), a.comments.len());
    assert!(sim.dispatches().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_heartbeat_or_a_forged_one_changes_nothing() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    set_status(&sim, p.a, "executing");
    set_status(&sim, p.b, "executing");
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    seed_comment(&sim, p.a, BOT, &progress_comment("a", &now, 0));
    // Only a user's comment has a heartbeat for b: not ours, so b is not judged.
    seed_comment(
        &sim,
        p.b,
        "mallory",
        &progress_comment("b", "2020-01-01T00:00:00Z", 0),
    );
    let before = sim.write_count();
    let run = run_action(&sim, "sweep", "schedule", &json!({}), &[]).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let writes: Vec<String> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.write)
        .skip(before)
        // The reconcile rewrites the parent's checklist to show `executing`.
        .filter(|r| r.path != format!("/repos/{REPO}/issues/{}", p.parent))
        .map(|r| format!("{} {} {}", r.method, r.path, r.body))
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");
    assert!(sim.dispatches().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parent_whose_subtasks_are_all_done_is_closed() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    {
        let mut w = sim.world();
        for n in [p.a, p.b, p.c] {
            let i = w.issue_mut(REPO, n).expect("sub");
            i.state = "closed".into();
            i.state_reason = Some("completed".into());
        }
    }
    let run = run_action(&sim, "sweep", "schedule", &json!({}), &[]).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let parent = sim.issue(REPO, p.parent);
    assert_eq!(parent.state, "closed");
    let body = parent.body.expect("body");
    assert!(body.contains("**Subtasks** (3/3 done)"), "{body}");
    assert!(run.summary.contains("- reconcile: "), "{}", run.summary);
}

#[tokio::test(flavor = "multi_thread")]
async fn report_posts_one_comment_with_states_graph_and_progress() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    {
        let mut w = sim.world();
        let i = w.issue_mut(REPO, p.a).expect("a");
        i.state = "closed".into();
        i.state_reason = Some("completed".into());
    }
    let event = json!({ "action": "labeled", "issue": { "number": p.parent } });
    let first = run_action(&sim, "report", "issues", &event, &[]).await;
    assert_eq!(first.code, 0, "{}", first.stdout);
    let second = run_action(
        &sim,
        "report",
        "schedule",
        &json!({}),
        &[("INPUT_TASK", "3")],
    )
    .await;
    assert_eq!(second.code, 0, "{}", second.stdout);
    let parent = sim.issue(REPO, p.parent);
    let reports: Vec<&String> = parent
        .comments
        .iter()
        .filter(|c| c.starts_with("<!-- vayu:report v=1 -->"))
        .collect();
    assert_eq!(reports.len(), 1, "edited in place");
    let body = reports[0];
    assert!(body.starts_with("<!-- vayu:report v=1 -->\n### Progress report: 1/3 subtasks done"));
    assert!(body.contains("`███░░░░░░░` **33%**"), "{body}");
    assert!(
        body.contains("- [x] #2 Design · `a` · **completed**"),
        "{body}"
    );
    assert!(
        body.contains("- [ ] #3 Build · `b` · **blocked**"),
        "{body}"
    );
    assert!(body.contains("```mermaid\ngraph TD\n"), "{body}");
    assert!(body.contains("class t_a completed"), "{body}");
    assert!(
        second
            .summary
            .contains("### Progress report: 1/3 subtasks done")
    );
    assert_eq!(second.output("task").as_deref(), Some("1"));
    assert_eq!(second.output("progress").as_deref(), Some("33"));
}
