//! Review gates against the simulated GitHub: a finished subtask waits in
//! `reviewing` until the configured reviewer passes it; a fail sends it back
//! with the feedback.

mod assign_common;
mod orchestrator_common;
mod support;

use assign_common::*;
use orchestrator_common::*;

fn kinds_with_data(events: &[(String, serde_json::Value)], kind: &str) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter(|(k, _)| k == kind)
        .map(|(_, d)| d.clone())
        .collect()
}

async fn events(h: &H) -> Vec<(String, serde_json::Value)> {
    use vayu::store::Store;
    h.ctx
        .store
        .events_since(0, 10_000)
        .await
        .expect("events")
        .into_iter()
        .map(|e| (e.event.kind, e.event.data))
        .collect()
}

#[tokio::test]
async fn peer_review_holds_completion_until_a_different_capable_agent_passes() {
    let h = world("push", "review:\n  default: peer\n").await;
    let (parent, audit) = planned(&h, &[]).await;
    let fix = h.subs(parent)["fix"];
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["bob"]);

    // bob closes his work: it goes to review instead of counting as done.
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.sim.issue(REPO, audit).state, "open");
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    assert_eq!(h.status(fix), vec!["status:blocked"]);
    let ask = note(&h, audit, "review").expect("review request");
    assert!(ask.contains("Another capable agent (`carol`)"), "{ask}");

    // Not by the assignee, not by an agent outside security.
    h.handle(&h.comment(audit, "bob", "/vayu review pass"))
        .await;
    h.handle(&h.comment(audit, "alice", "/vayu review pass"))
        .await;
    let r = replies(&h, audit);
    assert!(r[0].contains("`bob` worked on #"), "{}", r[0]);
    assert!(
        r[1].contains("`alice` is not an agent that works on `security`"),
        "{}",
        r[1]
    );
    assert_eq!(h.status(audit), vec!["status:reviewing"]);

    // carol fails it: back to bob, executing, with her words.
    h.handle(&h.comment(
        audit,
        "carol",
        "/vayu review fail No threat model for @mallory's token replay",
    ))
    .await;
    assert_eq!(h.status(audit), vec!["status:executing"]);
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["bob"]);
    let failed = h
        .sim
        .issue(REPO, audit)
        .comments
        .into_iter()
        .find(|c| c.contains("### Review failed"))
        .expect("feedback comment");
    assert!(
        failed.contains("> No threat model for @\u{200b}mallory's token replay"),
        "{failed}"
    );
    assert!(failed.contains("Back to `executing` for @bob"), "{failed}");
    assert_eq!(h.status(fix), vec!["status:blocked"]);

    // Done again, reviewed again, passed: completed, and the next subtask is freed.
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    h.handle(&h.comment(audit, "carol", "/vayu review pass"))
        .await;
    let a = h.sim.issue(REPO, audit);
    assert_eq!(
        (a.state.as_str(), a.state_reason.as_deref()),
        ("closed", Some("completed"))
    );
    assert_eq!(h.status(audit), vec!["status:completed"]);
    assert_eq!(h.status(fix), vec!["status:assigned"]);
    assert_eq!(h.sim.issue(REPO, fix).assignees, vec!["alice"]);

    let ev = events(&h).await;
    let passed = kinds_with_data(&ev, "review_passed");
    assert_eq!(passed.len(), 1);
    assert_eq!(passed[0]["first_time"], false);
    assert_eq!(passed[0]["by"], "carol");
    let transitions: Vec<(String, String)> = kinds_with_data(&ev, "task_transition")
        .iter()
        .map(|d| {
            (
                d["from"].as_str().unwrap_or_default().to_owned(),
                d["to"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        transitions.contains(&("reviewing".into(), "rejected".into())),
        "{transitions:?}"
    );
    assert!(
        transitions.contains(&("rejected".into(), "executing".into())),
        "{transitions:?}"
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_self_review_passes_when_the_assignee_ticks_every_box_the_first_time() {
    let h = world("push", "review:\n  default: self\n").await;
    let (parent, audit) = planned(&h, &[]).await;
    h.handle(&h.close(audit, true)).await;
    let ask = note(&h, audit, "review").expect("checklist");
    assert!(ask.contains("- [ ] Correctness"), "{ask}");

    // Someone else ticking the boxes does not count.
    let ticked = ask.replace("- [ ]", "- [x]");
    let edit = |by: &str| {
        let id = {
            let mut w = h.sim.world();
            let c = w
                .repos
                .get_mut(REPO)
                .expect("repo")
                .comments
                .values_mut()
                .find(|c| c.body == ask || c.body == ticked)
                .expect("comment");
            c.body = ticked.clone();
            c.id
        };
        vayu::app::event::Event::CommentEdited {
            origin: origin(by),
            issue: h.issue(audit),
            comment: vayu::app::event::Comment {
                id: vayu::core::ids::CommentId(id),
                body: ticked.clone(),
                author: user("vayu-bot"),
                author_association: "NONE".into(),
            },
            old_body: Some(ask.clone()),
        }
    };
    h.handle(&edit("carol")).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    h.handle(&edit("bob")).await;
    assert_eq!(h.status(audit), vec!["status:completed"]);
    assert_eq!(h.status(h.subs(parent)["fix"]), vec!["status:assigned"]);
    let passed = kinds_with_data(&events(&h).await, "review_passed");
    assert_eq!(passed[0]["first_time"], true);
    assert_eq!(passed[0]["mode"], "self");
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_user_review_is_the_requesters_and_a_type_without_review_just_completes() {
    let h = world("push", "review:\n  default: none\n  security: user\n").await;
    // Tasks of type security are reviewed by the requester (octocat opened the parent).
    let (_, audit) = planned(&h, &["type:security"]).await;
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    h.handle(&h.comment(audit, "carol", "/vayu review pass"))
        .await;
    assert!(
        replies(&h, audit)[0].contains("only `octocat`, who asked for it"),
        "{:?}",
        replies(&h, audit)
    );
    h.sim
        .repo(REPO)
        .collaborator("octocat", crate::support::Permission::Write);
    h.handle(&h.comment(audit, "octocat", "/vayu review pass"))
        .await;
    assert_eq!(h.status(audit), vec!["status:completed"]);

    let (_, plain) = planned(&h, &[]).await;
    h.handle(&h.close(plain, true)).await;
    assert_eq!(h.sim.issue(REPO, plain).state, "closed");
    assert!(note(&h, plain, "review").is_none());
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_simple_task_is_gated_too_and_records_its_agent_in_the_store() {
    use vayu::store::Store;
    let h = world("push", "review:\n  default: user\n").await;
    h.sim
        .repo(REPO)
        .collaborator("octocat", crate::support::Permission::Write);
    let simple = include_str!("../examples/simple-task.md");
    let (title, body) = simple.split_once("\n\n").expect("title and body");
    let n = h.task(title, body);
    h.handle(&h.labeled(n)).await;
    assert_eq!(h.sim.issue(REPO, n).assignees, vec!["alice"]);
    let row = h
        .ctx
        .store
        .get_task(&repo(), vayu::core::ids::IssueNumber(n))
        .await
        .expect("read")
        .expect("row");
    assert_eq!(row.owner.map(|l| l.to_string()), Some("alice".to_owned()));

    h.handle(&h.close(n, true)).await;
    assert_eq!(h.sim.issue(REPO, n).state, "open");
    assert_eq!(h.status(n), vec!["status:reviewing"]);
    h.handle(&h.comment(n, "octocat", "/vayu review pass"))
        .await;
    assert_eq!(h.sim.issue(REPO, n).state, "closed");
    assert_eq!(h.status(n), vec!["status:completed"]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn without_declared_agents_any_other_permitted_person_is_a_peer() {
    let h = setup().await;
    h.sim
        .repo(REPO)
        .file(".github/vayu.yml", "review:\n  default: peer\n");
    let parent = h.task("Harden login", PLAN);
    h.handle(&h.labeled(parent)).await;
    let audit = h.subs(parent)["audit"];
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    h.handle(&h.comment(audit, "reader", "/vayu review pass"))
        .await;
    assert!(
        replies(&h, audit)[0].contains("needs `write` permission"),
        "{:?}",
        replies(&h, audit)
    );
    h.handle(&h.comment(audit, "maintainer", "/vayu review pass"))
        .await;
    assert_eq!(h.status(audit), vec!["status:completed"]);
    h.sim.assert_conformant();
}

fn feedback_comments(h: &H, n: u64) -> Vec<String> {
    h.sim
        .issue(REPO, n)
        .comments
        .into_iter()
        .filter(|c| c.contains("### Review failed"))
        .collect()
}

#[tokio::test]
async fn an_automated_review_follows_the_checks_of_the_pull_requests_that_close_the_task() {
    let h = world("push", "review:\n  default: automated\n").await;
    let (parent, audit) = planned(&h, &[]).await;
    let fix = h.subs(parent)["fix"];
    let node = h.sim.issue(REPO, audit).node_id;

    // Closed before any pull request: it waits in review and says for what.
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.sim.issue(REPO, audit).state, "open");
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    let ask = note(&h, audit, "review").expect("review request");
    assert!(
        ask.contains("Now: no open or merged pull request closes this issue yet"),
        "{ask}"
    );

    // Checks still running (an abandoned pull request's failure does not
    // count): a reconcile judges again and writes nothing.
    h.sim.link_pr(&node, 7, "OPEN", Some("PENDING"));
    h.sim.link_pr(&node, 5, "CLOSED", Some("FAILURE"));
    assert_eq!(h.reconcile().await.writes(), 0);
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    assert_eq!(h.status(fix), vec!["status:blocked"]);

    // They fail: back to bob, executing, the failing pull request named.
    h.sim.link_pr(&node, 7, "OPEN", Some("FAILURE"));
    assert!(h.reconcile().await.writes() > 0);
    assert_eq!(h.sim.issue(REPO, audit).state, "open");
    assert_eq!(h.status(audit), vec!["status:executing"]);
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["bob"]);
    let failed = feedback_comments(&h, audit);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].contains("The checks of the pull requests that close this issue sent it back"),
        "{}",
        failed[0]
    );
    assert!(
        failed[0].contains("> The checks of #7 (failure) failed."),
        "{}",
        failed[0]
    );
    // The task left `reviewing`: later reconciles leave it to bob.
    assert_eq!(h.reconcile().await.writes(), 0);

    // bob pushes a fix, its checks pass, he closes the issue: the close
    // counts at once, without a round trip through `reviewing`.
    h.sim.link_pr(&node, 7, "OPEN", Some("SUCCESS"));
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.sim.issue(REPO, audit).state, "closed");
    assert_eq!(h.status(audit), vec!["status:completed"]);
    assert_eq!(h.status(fix), vec!["status:assigned"]);
    let passed = kinds_with_data(&events(&h).await, "review_passed");
    assert_eq!(passed.len(), 1, "{passed:?}");
    assert_eq!(passed[0]["mode"], "automated");
    assert_eq!(passed[0]["by"], serde_json::Value::Null);
    assert_eq!(passed[0]["first_time"], false);
    assert_eq!(feedback_comments(&h, audit).len(), 1);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn failing_checks_at_the_close_send_the_task_back_once_per_failing_commit() {
    let h = world("push", "review:\n  default: automated\n").await;
    let (_, audit) = planned(&h, &[]).await;
    let node = h.sim.issue(REPO, audit).node_id;
    h.sim.link_pr(&node, 7, "OPEN", Some("ERROR"));

    let close = h.close(audit, true);
    h.handle(&close).await;
    assert_eq!(h.sim.issue(REPO, audit).state, "open");
    assert_eq!(h.status(audit), vec!["status:executing"]);
    assert_eq!(feedback_comments(&h, audit).len(), 1);
    // No review request was posted: the checks had already decided.
    assert!(note(&h, audit, "review").is_none());

    // The same close delivered again changes nothing.
    assert_eq!(h.writes_of(&close).await, 0);

    // Closed again with the same red commit: sent back again, with the
    // feedback already given for that commit, not a second copy.
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:executing"]);
    assert_eq!(feedback_comments(&h, audit).len(), 1);

    // A new push that fails again is a new failure to report.
    h.sim.link_pr(&node, 7, "OPEN", Some("FAILURE"));
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:executing"]);
    let failed = feedback_comments(&h, audit);
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed[1].contains("#7 (failure)"), "{}", failed[1]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_maintainer_can_still_pass_an_automated_review_that_has_no_checks() {
    let h = world("push", "review:\n  default: automated\n").await;
    let (_, audit) = planned(&h, &[]).await;
    let node = h.sim.issue(REPO, audit).node_id;
    h.sim.link_pr(&node, 9, "MERGED", None);
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    let ask = note(&h, audit, "review").expect("review request");
    assert!(ask.contains("#9 (no checks reported)"), "{ask}");
    assert_eq!(h.reconcile().await.writes(), 0);

    h.handle(&h.comment(audit, "carol", "/vayu review pass"))
        .await;
    assert_eq!(h.sim.issue(REPO, audit).state, "closed");
    assert_eq!(h.status(audit), vec!["status:completed"]);
    let passed = kinds_with_data(&events(&h).await, "review_passed");
    assert_eq!(passed[0]["by"], "carol");
    h.sim.assert_conformant();
}

#[tokio::test]
async fn without_access_to_checks_an_automated_review_waits_and_says_why() {
    let h = world("push", "review:\n  default: automated\n").await;
    let (_, audit) = planned(&h, &[]).await;
    let node = h.sim.issue(REPO, audit).node_id;
    h.sim.link_pr(&node, 7, "OPEN", Some("SUCCESS"));
    h.sim.world().linked_prs_forbidden = true;

    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    let ask = note(&h, audit, "review").expect("review request");
    assert!(
        ask.contains("give the App read access to pull requests, checks and commit statuses"),
        "{ask}"
    );
    assert_eq!(h.reconcile().await.writes(), 0);

    // Once the permission is granted, the next reconcile passes it.
    h.sim.world().linked_prs_forbidden = false;
    assert!(h.reconcile().await.writes() > 0);
    assert_eq!(h.sim.issue(REPO, audit).state, "closed");
    assert_eq!(h.status(audit), vec!["status:completed"]);
    h.sim.assert_conformant();
}

/// The server's periodic reconcile judges automated reviews in its
/// per-parent `converge` jobs, under the parent's lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_converge_job_passes_an_automated_review_once_the_checks_are_green() {
    use std::sync::Arc;
    use std::time::Duration;
    use vayu::core::ids::IssueNumber;
    use vayu::server::WorkerPool;
    use vayu::server::orchestrate::{OrchestratorHandler, converge_job};
    use vayu::server::store_runner::StoreRunner;
    use vayu::store::{JobState, Store};

    let h = world("push", "review:\n  default: automated\n").await;
    let (parent, audit) = planned(&h, &[]).await;
    let node = h.sim.issue(REPO, audit).node_id;
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    h.sim.link_pr(&node, 7, "MERGED", Some("SUCCESS"));

    let store = h.ctx.store.clone();
    let now = chrono::Utc::now();
    store
        .enqueue(&converge_job(&repo(), IssueNumber(parent), now), now)
        .await
        .expect("enqueue");
    let ctx = context(&h.sim, store.clone(), &h.clock);
    let runner = StoreRunner::new(
        Arc::new(store.clone()),
        OrchestratorHandler::new(ctx),
        "reviewer",
        Duration::from_secs(60),
    );
    let pool = WorkerPool::spawn(
        Arc::new(runner),
        1,
        Arc::new(tokio::sync::Notify::new()),
        Duration::from_millis(20),
    );
    for _ in 0..400 {
        if !store
            .list_jobs(JobState::Done)
            .await
            .expect("jobs")
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    pool.shutdown().await;
    assert_eq!(h.sim.issue(REPO, audit).state, "closed");
    assert_eq!(h.status(audit), vec!["status:completed"]);
    assert_eq!(h.status(h.subs(parent)["fix"]), vec!["status:assigned"]);
    h.sim.assert_conformant();
}

/// Without agents nobody is assigned (the Action's own runs, too): a self
/// review is then given by whoever may review, instead of by no one.
#[tokio::test]
async fn a_self_review_of_an_unassigned_task_is_given_by_whoever_may_review() {
    let h = setup().await;
    h.sim
        .repo(REPO)
        .file(".github/vayu.yml", "review:\n  default: self\n");
    let parent = h.task("Harden login", PLAN);
    h.handle(&h.labeled(parent)).await;
    let audit = h.subs(parent)["audit"];
    assert!(h.sim.issue(REPO, audit).assignees.is_empty());
    h.handle(&h.close(audit, true)).await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    h.handle(&h.comment(audit, "reader", "/vayu review pass"))
        .await;
    assert_eq!(h.status(audit), vec!["status:reviewing"]);
    h.handle(&h.comment(audit, "maintainer", "/vayu review pass"))
        .await;
    assert_eq!(h.status(audit), vec!["status:completed"]);
    h.sim.assert_conformant();
}
