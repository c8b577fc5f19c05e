//! `vayu action --mode execute`, the real binary against the simulated GitHub.

mod support;

use serde_json::json;
use support::GitHubSim;
use support::action::{BOT, REPO, planned, run_action, seed_comment};

const STEP: &str = "echo 'progress 30 build' >> \"$VAYU_PROGRESS\"\necho 'checkpoint compiled' >> \"$VAYU_PROGRESS\"\necho 'artifact report https://example.com/r' >> \"$VAYU_PROGRESS\"\necho 'progress 100 done' >> \"$VAYU_PROGRESS\"\necho \"task=$VAYU_TASK parent=$VAYU_PARENT\"\n";

fn dispatch_event(task: u64) -> serde_json::Value {
    json!({ "ref": "refs/heads/main", "workflow": ".github/workflows/vayu-execute.yml",
            "inputs": { "task": task.to_string() },
            "repository": { "full_name": REPO }, "sender": { "login": "alice", "id": 1 } })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ready_subtask_runs_reports_completes_and_dispatches_what_became_ready() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    let run = run_action(
        &sim,
        "execute",
        "workflow_dispatch",
        &dispatch_event(p.a),
        &[("INPUT_RUN", STEP)],
    )
    .await;
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.contains("task=2 parent=1"), "{}", run.stdout);

    // One progress comment, created once and edited in place.
    let a = sim.issue(REPO, p.a);
    assert_eq!(a.comments.len(), 1, "{:#?}", a.comments);
    let body = &a.comments[0];
    assert!(body.starts_with("<!-- vayu:progress v=1 key=a -->\n<!-- vayu:heartbeat v=1 at="));
    assert!(body.contains("<!-- vayu:retries v=1 count=0 -->"));
    assert!(body.contains("### ✅ `a`: completed"), "{body}");
    assert!(body.contains("`██████████` **100%** · done"), "{body}");
    assert!(body.contains("- compiled"), "{body}");
    assert!(body.contains("- [report](https://example.com/r)"), "{body}");
    assert!(body.contains("[Workflow run](https://github.com/octo-org/hello/actions/runs/77)"));
    let log = sim.request_log();
    let posts = log
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(&format!("/issues/{}/comments", p.a)))
        .count();
    let edits = log
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.contains("/issues/comments/"))
        .count();
    assert_eq!(posts, 1);
    assert!(edits >= 1, "the comment was never edited");

    // Closed as completed, status label replaced.
    assert_eq!(a.state, "closed");
    assert_eq!(a.state_reason.as_deref(), Some("completed"));
    assert_eq!(
        a.labels,
        ["owner:development", "priority:normal", "status:completed"]
    );

    // The parent checklist is ticked for a, not for b.
    let parent = sim.issue(REPO, p.parent).body.expect("parent body");
    assert!(
        parent.contains("- [x] #2 Design · `a` · development"),
        "{parent}"
    );
    assert!(
        parent.contains("- [ ] #3 Build · `b` · development · needs `a` · _queued_"),
        "{parent}"
    );
    assert!(
        parent.starts_with("Ship the auth system."),
        "the user's text is kept"
    );

    // b became ready: queued and dispatched; c still waits.
    assert_eq!(
        sim.issue(REPO, p.b).labels,
        ["owner:development", "priority:normal", "status:queued"]
    );
    assert_eq!(
        sim.issue(REPO, p.c).labels,
        ["owner:docs", "priority:normal", "status:blocked"]
    );
    let dispatches = sim.dispatches();
    assert_eq!(dispatches.len(), 1, "{dispatches:?}");
    assert_eq!(dispatches[0].workflow.as_deref(), Some("vayu-execute.yml"));
    assert_eq!(
        dispatches[0].body,
        json!({ "ref": "main", "inputs": { "task": "3" } })
    );

    assert_eq!(
        run.outputs(),
        [
            ("task".to_owned(), "2".to_owned()),
            ("status".to_owned(), "completed".to_owned()),
            ("progress".to_owned(), "100".to_owned()),
            ("ready".to_owned(), "[3]".to_owned()),
        ]
    );
    assert!(
        run.summary.contains("### vayu: #2 completed"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("Ready and dispatched: #3"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blocked_subtask_is_refused_without_any_write() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    let before = sim.write_count();
    let run = run_action(
        &sim,
        "execute",
        "workflow_dispatch",
        &dispatch_event(p.b),
        &[("INPUT_RUN", "touch should-not-run")],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "::error title=vayu::#3 cannot run yet: it is blocked by #2 (open); it is dispatched when they complete"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(sim.write_count(), before, "no write");
    assert!(!run.dir.join("should-not-run").exists());
    assert_eq!(run.output("status").as_deref(), Some("refused"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_step_with_retries_left_is_dispatched_again() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    let run = run_action(
        &sim,
        "execute",
        "workflow_dispatch",
        &dispatch_event(p.a),
        &[(
            "INPUT_RUN",
            "echo 'progress 40 tests' >> \"$VAYU_PROGRESS\"; exit 3",
        )],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::error title=vayu::#2: `run` exited with code 3")
    );
    let a = sim.issue(REPO, p.a);
    assert_eq!(a.state, "open");
    assert_eq!(
        a.labels,
        ["owner:development", "priority:normal", "status:queued"]
    );
    assert_eq!(a.comments.len(), 1);
    assert!(a.comments[0].contains("<!-- vayu:retries v=1 count=1 -->"));
    assert!(
        a.comments[0].contains("**Failed** (`run` exited with code 3); retry 1 of 3 dispatched."),
        "{}",
        a.comments[0]
    );
    assert!(a.comments[0].contains("**40%** · tests"));
    let dispatches = sim.dispatches();
    assert_eq!(dispatches.len(), 1);
    assert_eq!(dispatches[0].body["inputs"], json!({ "task": "2" }));
    assert_eq!(run.output("status").as_deref(), Some("failed"));
    assert_eq!(run.output("progress").as_deref(), Some("40"));
    assert_eq!(run.output("ready").as_deref(), Some("[]"));
}

/// Subtask `task` (key `a`) whose progress comment says every retry is
/// spent, run once more with a failing step: its comment id and the run.
async fn fail_with_no_retries_left(
    sim: &GitHubSim,
    task: u64,
) -> (u64, support::action::ActionRun) {
    let progress = seed_comment(
        sim,
        task,
        BOT,
        "<!-- vayu:progress v=1 key=a -->\n<!-- vayu:heartbeat v=1 at=2025-01-01T00:00:00Z -->\n<!-- vayu:retries v=1 count=3 -->\nold",
    );
    let run = run_action(
        sim,
        "execute",
        "workflow_dispatch",
        &dispatch_event(task),
        &[("INPUT_RUN", "exit 1")],
    )
    .await;
    (progress, run)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_step_without_retries_left_escalates_to_the_requester() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    let (progress, run) = fail_with_no_retries_left(&sim, p.a).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    let a = sim.issue(REPO, p.a);
    assert_eq!(
        a.labels,
        [
            "owner:development",
            "priority:normal",
            "vayu:escalated",
            "status:blocked"
        ]
    );
    assert_eq!(a.comments.len(), 2, "{:#?}", a.comments);
    // The progress comment was reused, not duplicated.
    assert!(
        sim.world().repos[REPO].comments[&progress]
            .body
            .contains("count=3")
    );
    assert_eq!(
        a.comments[1],
        "@alice: #2 needs a human. It is now `status:blocked`: failed 4 times: `run` exited with code 1.\n\nFix the cause, then comment `/vayu retry`."
    );
    assert!(sim.dispatches().is_empty());
    assert_eq!(run.output("status").as_deref(), Some("failed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_progress_comment_by_a_user_is_ignored() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    // Mallory claims all retries are spent, hoping to block the task.
    seed_comment(
        &sim,
        p.a,
        "mallory",
        "<!-- vayu:progress v=1 key=a -->\n<!-- vayu:retries v=1 count=99 -->",
    );
    let run = run_action(
        &sim,
        "execute",
        "workflow_dispatch",
        &dispatch_event(p.a),
        &[("INPUT_RUN", "exit 1")],
    )
    .await;
    assert_eq!(run.code, 1);
    let a = sim.issue(REPO, p.a);
    assert_eq!(a.comments.len(), 2, "ours is a new comment");
    assert!(a.comments[0].contains("count=99"), "mallory's is untouched");
    assert!(a.comments[1].contains("<!-- vayu:retries v=1 count=1 -->"));
    assert_eq!(
        a.labels,
        ["owner:development", "priority:normal", "status:queued"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_task_input_and_repository_dispatch_payload_name_the_subtask() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    let run = run_action(
        &sim,
        "execute",
        "repository_dispatch",
        &json!({ "action": "vayu-execute", "client_payload": { "task": p.a } }),
        &[("INPUT_RUN", "true")],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.output("task").as_deref(), Some("2"));
    let run = run_action(
        &sim,
        "execute",
        "schedule",
        &json!({}),
        &[("INPUT_RUN", "true"), ("INPUT_TASK", "3")],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.output("ready").as_deref(), Some("[4]"));
}

/// The Action's own transitions show on the project board, as the server's
/// do: here a step that spends the last retry leaves the item `Blocked`.
#[tokio::test(flavor = "multi_thread")]
async fn the_actions_own_transitions_show_on_the_project_board() {
    const STATUSES: &[&str] = support::sim::BOARD_STATUSES;
    let sim = GitHubSim::start().await;
    sim.repo(REPO).file(
        ".github/vayu.yml",
        "project:\n  owner: octo-org\n  number: 7\n",
    );
    let board = sim.vayu_board(STATUSES);
    let p = planned(&sim).await;
    let status_of = |n: u64| -> String {
        let node = sim.issue(REPO, n).node_id;
        let values = board.values_of(&node).expect("an item on the board");
        let id = values["Status"].as_str().unwrap_or_default().to_owned();
        let i: usize = id
            .strip_prefix("opt_status_")
            .and_then(|i| i.parse().ok())
            .expect("an option id");
        STATUSES[i].to_owned()
    };
    assert_eq!(status_of(p.a), "Queued");

    let (_, run) = fail_with_no_retries_left(&sim, p.a).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        sim.issue(REPO, p.a)
            .labels
            .contains(&"status:blocked".to_owned())
    );
    assert_eq!(status_of(p.a), "Blocked");
    sim.assert_conformant();
}
