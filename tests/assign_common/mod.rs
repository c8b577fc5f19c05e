//! Shared arrangement for the assignment and review tests: three agents
//! with different capabilities and loads, and a plan whose first subtask is
//! security work (the second waits for it).
#![allow(dead_code)]

use crate::orchestrator_common::*;
use crate::support::Permission;

/// alice: development only. bob: security (0.8) and development, 2 tasks open.
/// carol: security (0.9), 4 tasks open. Capacity 5 each unless `extra` says otherwise.
pub fn config(strategy: &str, extra: &str) -> String {
    format!(
        "assignment:\n  strategy: {strategy}\n  auction_window_minutes: 10\n  agents:\n    - login: alice\n      owners: [development]\n      capacity: 5\n      specialization: {{development: 0.9}}\n    - login: bob\n      owners: [security, development]\n      capacity: 5\n      specialization: {{security: 0.8, development: 0.5}}\n    - login: carol\n      owners: [security]\n      capacity: {}\n      specialization: {{security: 0.9}}\n{extra}",
        if extra.contains("carol-full") { 4 } else { 5 }
    )
    .replace("carol-full", "")
}

pub const PLAN: &str = "Harden the login flow.\n\n```vayu\nsubtasks:\n  - key: audit\n    title: Audit the login flow\n    owner: security\n  - key: fix\n    title: Fix what the audit finds\n    owner: development\n    needs: [audit]\n  - key: notes\n    title: Write the release notes\n    owner: development\n    needs: [fix]\n```\n";

/// The sim with the agents as collaborators, their current load as open
/// vayu issues assigned to them, and `.github/vayu.yml`.
pub async fn world(strategy: &str, extra: &str) -> H {
    let h = setup().await;
    let r = h.sim.repo(REPO);
    for a in ["alice", "bob", "carol", "dave"] {
        r.collaborator(a, Permission::Write);
    }
    r.file(".github/vayu.yml", &config(strategy, extra));
    for (who, n) in [("bob", 2), ("carol", 4)] {
        for i in 0..n {
            h.sim
                .repo(REPO)
                .issue()
                .title(&format!("earlier work {i} of {who}"))
                .label("status:executing")
                .assignee(who)
                .open();
        }
    }
    h
}

/// Opens the plan's parent (with extra labels) and handles its labelling;
/// returns the parent and the audit sub-issue.
pub async fn planned(h: &H, labels: &[&str]) -> (u64, u64) {
    let mut b = h
        .sim
        .repo(REPO)
        .issue()
        .title("Harden login")
        .body(PLAN)
        .label("vayu");
    for l in labels {
        b = b.label(l);
    }
    let parent = b.open().number;
    h.handle(&h.labeled(parent)).await;
    let audit = h.subs(parent)["audit"];
    (parent, audit)
}

/// The body of vayu's comment in `slot` on issue `n`, if any.
pub fn note(h: &H, n: u64, slot: &str) -> Option<String> {
    let marker = format!("<!-- vayu:note v=1 slot={slot} -->");
    h.sim
        .issue(REPO, n)
        .comments
        .into_iter()
        .find(|c| c.contains(&marker))
}

/// Every reply vayu posted to a command on issue `n`.
pub fn replies(h: &H, n: u64) -> Vec<String> {
    h.sim
        .issue(REPO, n)
        .comments
        .into_iter()
        .filter(|c| c.contains("slot=reply-"))
        .collect()
}
