//! Pull, hybrid and auction against the simulated GitHub: each shows its
//! rule, including an agent at capacity and a tie.

mod assign_common;
mod orchestrator_common;
mod support;

use assign_common::*;
use orchestrator_common::*;
use vayu::app::reconcile;

#[tokio::test]
async fn pull_waits_for_a_capable_available_agent_to_claim() {
    let h = world("pull", "carol-full").await;
    let (_, audit) = planned(&h, &[]).await;
    assert!(h.sim.issue(REPO, audit).assignees.is_empty());
    assert_eq!(h.status(audit), vec!["status:queued"]);
    let call = note(&h, audit, "claimable").expect("claim call");
    // carol holds 4 of her 4: only bob is listed.
    assert!(
        call.contains("Capable and available now: `bob` (load 2/5)."),
        "{call}"
    );

    h.handle(&h.comment(audit, "alice", "/vayu claim")).await;
    h.handle(&h.comment(audit, "carol", "/vayu claim")).await;
    let r = replies(&h, audit);
    assert!(
        r[0].contains("@alice does not work on `security`"),
        "{}",
        r[0]
    );
    assert!(
        r[1].contains("@carol is at capacity (4/4 open tasks)"),
        "{}",
        r[1]
    );
    assert!(h.sim.issue(REPO, audit).assignees.is_empty());

    h.handle(&h.comment(audit, "bob", "/vayu claim")).await;
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["bob"]);
    assert_eq!(h.status(audit), vec!["status:assigned"]);
    let why = note(&h, audit, "assignment").expect("explanation");
    assert!(
        why.contains("assigned to @bob: capability security, load 2/5, specialization 0.8"),
        "{why}"
    );
    assert!(why.contains("Claimed with `/vayu claim`."), "{why}");

    // Giving it back queues it again, for anyone but a push to bob.
    h.handle(&h.comment(audit, "bob", "/vayu unclaim")).await;
    assert!(h.sim.issue(REPO, audit).assignees.is_empty());
    assert_eq!(h.status(audit), vec!["status:queued"]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn hybrid_pushes_high_priority_work_and_leaves_the_rest_to_claim() {
    let h = world("hybrid", "").await;
    let (_, urgent) = planned(&h, &["priority:high"]).await;
    assert_eq!(h.sim.issue(REPO, urgent).assignees, vec!["bob"]);
    assert!(note(&h, urgent, "assignment").is_some());

    let (_, normal) = planned(&h, &[]).await;
    assert!(h.sim.issue(REPO, normal).assignees.is_empty());
    assert!(note(&h, normal, "assignment").is_none());
    // bob now holds 3: the claim call shows the load the first push added.
    let call = note(&h, normal, "claimable").expect("claim call");
    assert!(call.contains("`bob` (load 3/5)"), "{call}");
    h.sim.assert_conformant();
}

#[tokio::test]
async fn an_auction_takes_bids_in_its_window_and_the_best_weighted_bid_wins_a_tie_on_load() {
    let h = world("auction", "").await;
    let (_, audit) = planned(&h, &[]).await;
    let call = note(&h, audit, "auction").expect("announcement");
    assert!(
        call.contains("before **2026-01-01T00:10:00Z** (10 min)"),
        "{call}"
    );
    assert!(h.sim.issue(REPO, audit).assignees.is_empty());

    h.advance_minutes(1);
    h.handle(&h.comment(audit, "carol", "/vayu bid 45")).await;
    h.handle(&h.comment(audit, "bob", "/vayu bid 40")).await;
    h.handle(&h.comment(audit, "alice", "/vayu bid 5")).await;
    h.handle(&h.comment(audit, "bob", "/vayu bid 30")).await;
    let r = replies(&h, audit);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(
        r[0].contains("@alice does not work on `security`"),
        "{}",
        r[0]
    );
    assert!(r[1].contains("`bob` already bid on"), "{}", r[1]);

    // Still open: a reconcile changes nothing.
    assert_eq!(
        reconcile(&h.ctx, &repo())
            .await
            .expect("reconcile")
            .writes(),
        0
    );
    h.advance_minutes(10);
    h.handle(&h.comment(audit, "dave", "/vayu bid 1")).await;
    assert!(
        replies(&h, audit)[2].contains("closed at 2026-01-01T00:10:00"),
        "{:?}",
        replies(&h, audit)
    );

    reconcile(&h.ctx, &repo()).await.expect("reconcile");
    // bob 40 ÷ 0.8 = 50 ties carol 45 ÷ 0.9 = 50; bob holds 2 tasks to carol's 4.
    assert_eq!(h.sim.issue(REPO, audit).assignees, vec!["bob"]);
    let why = note(&h, audit, "assignment").expect("explanation");
    assert!(
        why.contains(
            "assigned to @bob: capability security, load 2/5, specialization 0.8, bid 40 min"
        ),
        "{why}"
    );
    assert!(why.contains("Won the auction"), "{why}");
    assert_eq!(reconcile(&h.ctx, &repo()).await.expect("again").writes(), 0);
    h.sim.assert_conformant();
}
