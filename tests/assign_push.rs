//! Push assignment against the simulated GitHub: the algorithm's pick, the
//! comment that explains it, idempotent redelivery and failover when the
//! agent goes away.

mod assign_common;
mod orchestrator_common;
mod support;

use assign_common::*;
use orchestrator_common::*;

#[tokio::test]
async fn push_picks_the_best_agent_and_explains_why() {
    let h = world("push", "").await;
    let (parent, audit) = planned(&h, &[]).await;
    let sub = h.sim.issue(REPO, audit);
    // bob: 0.6×0.8 + 0.4×(1−2/5) = 0.72 beats carol: 0.6×0.9 + 0.4×(1−4/5) = 0.62;
    // alice does not work on security.
    assert_eq!(sub.assignees, vec!["bob"]);
    assert_eq!(h.status(audit), vec!["status:assigned"]);
    let why = note(&h, audit, "assignment").expect("explanation");
    assert!(
        why.contains("**assigned to @bob: capability security, load 2/5, specialization 0.8**"),
        "{why}"
    );
    assert!(
        why.contains("| `carol` | security | 4/5 | 0.9 | 0.62 |"),
        "{why}"
    );
    assert!(why.contains("`alice` (not capable)"), "{why}");
    // The subtasks that wait are nobody's yet.
    assert!(
        h.sim
            .issue(REPO, h.subs(parent)["fix"])
            .assignees
            .is_empty()
    );
    // The parent's checklist shows the assignment in the same run.
    let body = h.sim.issue(REPO, parent).body.unwrap_or_default();
    assert!(body.contains("assigned"), "{body}");
    assert_eq!(
        h.writes_of(&h.labeled(parent)).await,
        0,
        "redelivery writes nothing"
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn an_agent_at_capacity_is_passed_over() {
    let h = world("push", "carol-full").await;
    // carol holds 4 of 4; make bob the one at capacity instead by giving him 3 more.
    for i in 0..3 {
        h.sim
            .repo(REPO)
            .issue()
            .title(&format!("more {i}"))
            .label("status:assigned")
            .assignee("bob")
            .open();
    }
    let (_, audit) = planned(&h, &[]).await;
    let why = note(&h, audit, "assignment").expect("note");
    assert!(why.contains("Not assigned yet: every capable agent is unavailable (bob: at capacity 5/5; carol: at capacity 4/4)"), "{why}");
    assert_eq!(h.status(audit), vec!["status:queued"]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn an_agent_going_away_loses_its_unstarted_task_to_the_next_best() {
    let h = world("push", "").await;
    let (_, audit) = planned(&h, &[]).await;
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["bob"]);
    h.handle(&h.comment(audit, "bob", "/vayu away")).await;
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["carol"]);
    let why = note(&h, audit, "assignment").expect("note");
    assert!(
        why.contains("assigned to @carol: capability security, load 4/5"),
        "{why}"
    );
    assert!(
        why.contains("Reassigned from `bob`: its agent is marked away."),
        "{why}"
    );
    assert!(why.contains("`bob` (excluded)"), "{why}");
    // Back again: nothing moves by itself, but bob can take new work.
    h.handle(&h.comment(audit, "bob", "/vayu back")).await;
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["carol"]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn assign_to_an_owner_moves_an_unstarted_task_to_that_domains_best_agent() {
    let h = world("push", "").await;
    let (_, audit) = planned(&h, &[]).await;
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["bob"]);

    // Not an owner of this repository: the reply names the ones there are.
    h.handle(&h.comment(audit, "dave", "/vayu assign frontend"))
        .await;
    let r = replies(&h, audit);
    assert!(r[0].contains("`frontend` is not an owner"), "{}", r[0]);
    assert!(r[0].contains("`development`"), "{}", r[0]);
    assert!(
        h.sim
            .issue(REPO, audit)
            .labels
            .contains(&"owner:security".to_owned())
    );

    // bob lets go; alice, development's best (0.6×0.9 + 0.4×(1−0/5)), takes it.
    h.handle(&h.comment(audit, "dave", "/vayu assign development"))
        .await;
    let sub = h.sim.issue(REPO, audit);
    assert!(
        sub.labels.contains(&"owner:development".to_owned()),
        "{:?}",
        sub.labels
    );
    assert!(
        !sub.labels.contains(&"owner:security".to_owned()),
        "{:?}",
        sub.labels
    );
    assert_eq!(sub.assignees, vec!["alice"]);
    assert_eq!(h.status(audit), vec!["status:assigned"]);
    let why = note(&h, audit, "assignment").expect("explanation");
    assert!(
        why.contains("assigned to @alice: capability development"),
        "{why}"
    );
    let changed: Vec<String> = h
        .event_kinds()
        .await
        .into_iter()
        .filter(|k| k == "owner_changed")
        .collect();
    assert_eq!(changed.len(), 1);

    // Once work has started the owner stays.
    h.handle(&h.comment(audit, "alice", "/vayu start")).await;
    assert_eq!(h.status(audit), vec!["status:executing"]);
    h.handle(&h.comment(audit, "dave", "/vayu assign security"))
        .await;
    let r = replies(&h, audit);
    assert!(
        r.last()
            .expect("reply")
            .contains("only a task that has not started"),
        "{r:?}"
    );
    assert!(
        h.sim
            .issue(REPO, audit)
            .labels
            .contains(&"owner:development".to_owned())
    );
    h.sim.assert_conformant();
}

/// Load is weighted by history: an agent whose finished tasks took twice the
/// usual time counts its open tasks double, and the next task goes elsewhere.
#[tokio::test]
async fn a_slow_history_weighs_on_an_agents_load() {
    use vayu::store::{NewEvent, Store};
    let h = world("push", "").await;
    let t0 = chrono::DateTime::<chrono::Utc>::from_timestamp(1_700_000_000, 0).expect("t0");
    let mut n = 900;
    for (who, minutes) in [("bob", 120), ("carol", 30), ("alice", 30)] {
        for _ in 0..3 {
            n += 1;
            for (at, kind, data) in [
                (
                    0,
                    "status_changed",
                    serde_json::json!({ "to": "assigned", "assignees": [who] }),
                ),
                (
                    minutes,
                    "task_closed",
                    serde_json::json!({ "completed": true, "assignees": [who] }),
                ),
            ] {
                h.ctx
                    .store
                    .append_event(&NewEvent {
                        ts: t0 + chrono::TimeDelta::minutes(at),
                        kind: kind.into(),
                        repo: Some(repo()),
                        issue: Some(vayu::core::ids::IssueNumber(n)),
                        data,
                    })
                    .await
                    .expect("event");
            }
        }
    }
    // Without history bob wins the audit (see the first test); twice as
    // slow as usual (pace 2: 120 min against a median of 30), his 2 open
    // tasks weigh 4 and carol's 0.62 beats his 0.56.
    let (_, audit) = planned(&h, &[]).await;
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["carol"]);
    let why = note(&h, audit, "assignment").expect("explanation");
    assert!(
        why.contains("| `bob` | security | 2/5 × pace 2 | 0.8 | 0.56 |"),
        "{why}"
    );
    h.sim.assert_conformant();
}
