//! Editing the parent re-plans without touching the user's text; reconcile
//! repairs drift found on GitHub (deleted link, hand-edited checklist, a
//! close whose delivery was missed).

mod orchestrator_common;
mod support;

use orchestrator_common::*;
use vayu::app::{Outcome, reconcile};

const V1: &str = "Intro the user wrote.\n\n```vayu\nsubtasks:\n  - {key: a, title: A, owner: development}\n  - {key: b, title: B, owner: development, needs: [a]}\n  - {key: c, title: C, owner: docs, needs: [b]}\n```\n";
const V2: &str = "Intro the user wrote.\n\n```vayu\nsubtasks:\n  - {key: a, title: A, owner: development}\n  - {key: b, title: B, owner: development, needs: [a]}\n  - {key: d, title: D, owner: docs, needs: [a]}\n  - {key: e, title: E, owner: docs, needs: [b, d]}\n```\n";

#[tokio::test]
async fn an_edited_plan_creates_closes_and_relinks() {
    let h = setup().await;
    let parent = h.task("Plan", V1);
    h.handle(&h.labeled(parent)).await;
    let v1 = h.subs(parent);
    let current = h.sim.issue(REPO, parent).body.unwrap_or_default();
    let block = &current[current.find("<!-- vayu:begin").expect("block")..];
    let edited = format!("{V2}\n{block}\n\nA note the user added below.");
    let e = h.edit_body(parent, &edited);
    h.handle(&e).await;

    let subs = h.subs(parent);
    assert_eq!(
        subs.keys().collect::<Vec<_>>(),
        vec!["a", "b", "c", "d", "e"]
    );
    let c = h.sim.issue(REPO, v1["c"]);
    assert_eq!(
        (c.state.as_str(), c.state_reason.as_deref()),
        ("closed", Some("not_planned"))
    );
    assert!(
        c.comments[0].contains("no longer in the plan"),
        "{:?}",
        c.comments
    );
    let mut e_blockers = h.sim.issue(REPO, subs["e"]).blocked_by;
    e_blockers.sort_unstable();
    assert_eq!(e_blockers, vec![subs["b"], subs["d"]]);
    let body = h.sim.issue(REPO, parent).body.unwrap_or_default();
    assert!(body.starts_with(V2.trim_end()), "{body}");
    assert!(body.ends_with("A note the user added below."), "{body}");
    assert!(body.contains(&format!("#{} E", subs["e"])), "{body}");
    assert!(!body.contains(&format!("#{} C", v1["c"])), "{body}");

    // Needs changed: b no longer needs a.
    let relinked = h.sim.issue(REPO, parent).body.unwrap_or_default().replace(
        "{key: b, title: B, owner: development, needs: [a]}",
        "{key: b, title: B, owner: development}",
    );
    h.handle(&h.edit_body(parent, &relinked)).await;
    assert!(h.sim.issue(REPO, subs["b"]).blocked_by.is_empty());
    assert_eq!(h.status(subs["b"]), vec!["status:queued"]);

    // An edit that leaves the plan as it is writes nothing.
    let now = h.sim.issue(REPO, parent).body.unwrap_or_default();
    let same = format!("{now}\n");
    let writes = h.writes_of(&h.edit_body(parent, &same)).await;
    let log = h.sim.request_log();
    let last: Vec<_> = log.iter().filter(|r| r.write).rev().take(writes).collect();
    assert_eq!(writes, 0, "{last:#?}");
    h.sim.assert_conformant();
}

#[tokio::test]
async fn reconcile_repairs_drift_from_github_state() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let subs = h.subs(parent);
    let healthy = h.sim.issue(REPO, parent).body.unwrap_or_default();
    {
        let mut w = h.sim.world();
        // Someone deletes a link and rewrites the checklist by hand ...
        w.issue_mut(REPO, subs["tests"])
            .expect("tests")
            .blocked_by
            .clear();
        let p = w.issue_mut(REPO, parent).expect("parent");
        p.body = Some(healthy.replace("- [ ] ", "- [x] "));
        // ... and a close happens while vayu is down.
        let d = w.issue_mut(REPO, subs["design"]).expect("design");
        d.state = "closed".into();
        d.state_reason = Some("completed".into());
    }
    let out = reconcile(&h.ctx, &repo()).await.expect("reconciled");
    assert!(
        matches!(out, Outcome::Reconciled { parents: 1, .. }),
        "{out:?}"
    );
    let mut blockers = h.sim.issue(REPO, subs["tests"]).blocked_by;
    blockers.sort_unstable();
    let mut want = vec![subs["backend"], subs["frontend"]];
    want.sort_unstable();
    assert_eq!(blockers, want);
    let body = h.sim.issue(REPO, parent).body.unwrap_or_default();
    assert!(
        body.contains(&format!("- [x] #{} Design", subs["design"])),
        "{body}"
    );
    assert!(
        body.contains(&format!("- [ ] #{} Test authentication", subs["tests"])),
        "{body}"
    );
    assert_eq!(h.status(subs["backend"]), vec!["status:queued"]);
    let again = reconcile(&h.ctx, &repo()).await.expect("reconciled");
    assert_eq!(again.writes(), 0, "{again:?}");
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_missed_labeled_delivery_is_picked_up_by_reconcile() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    reconcile(&h.ctx, &repo()).await.expect("reconciled");
    assert_eq!(h.subs(parent).len(), 6);
    h.sim.assert_conformant();
}
