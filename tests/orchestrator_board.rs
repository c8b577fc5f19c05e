//! The Projects v2 board kept in step with a plan, against the simulated
//! GitHub: items for the parent and each sub-issue, Status and Stage after
//! every transition, writes batched, and one comment for what the board
//! lacks or when vayu may not touch it.

mod orchestrator_common;
mod support;

use std::collections::BTreeMap;

use orchestrator_common::*;
use serde_json::Value;
use support::sim::{BOARD_PRIORITIES, BOARD_STATUSES, ProjectHandle};

const CONFIG: &str = "project:\n  owner: octo-org\n  number: 7\n";
const STATUSES: &[&str] = BOARD_STATUSES;
const PRIORITIES: &[&str] = BOARD_PRIORITIES;

fn board<'a>(h: &'a H, statuses: &[&str]) -> ProjectHandle<'a> {
    h.sim.repo(REPO).file(".github/vayu.yml", CONFIG);
    h.sim.vayu_board(statuses)
}

/// The item's values by field name, single-select options by their name.
fn shown(h: &H, p: &ProjectHandle<'_>, n: u64, statuses: &[&str]) -> BTreeMap<String, Value> {
    let node = h.sim.issue(REPO, n).node_id;
    let mut v = p.values_of(&node).expect("an item on the board");
    let name = |id: &Value, prefix: &str, names: &[&str]| -> Value {
        let i: usize = id
            .as_str()
            .and_then(|s| s.strip_prefix(prefix))
            .and_then(|s| s.parse().ok())
            .expect("an option id");
        Value::from(names[i])
    };
    if let Some(s) = v.get_mut("Status") {
        *s = name(s, "opt_status_", statuses);
    }
    if let Some(s) = v.get_mut("Priority") {
        *s = name(s, "opt_priority_", PRIORITIES);
    }
    v
}

fn status_and_stage(v: &BTreeMap<String, Value>) -> (String, f64) {
    (
        v["Status"].as_str().unwrap_or_default().to_owned(),
        v["Stage"].as_f64().unwrap_or_default(),
    )
}

/// Board GraphQL requests the sim answered, and how many of them were writes.
fn graphql_calls(h: &H) -> (usize, usize) {
    let log = h.sim.request_log();
    let g: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/graphql")
        .filter(|r| {
            let q = r.body["query"].as_str().unwrap_or_default();
            q.contains("ProjectV2") || q.contains("projectItems")
        })
        .collect();
    (g.len(), g.iter().filter(|r| r.write).count())
}

#[tokio::test]
async fn every_transition_shows_on_the_board_in_batched_writes() {
    let h = setup().await;
    let p = board(&h, STATUSES);
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let subs = h.subs(parent);
    assert_eq!(p.item_count(), 1 + subs.len());
    // Read the board, the items, add all items in one mutation, set all values in one.
    let (calls, writes) = graphql_calls(&h);
    assert_eq!(writes, 2, "one add mutation and one update mutation");
    // find the board, read the items, add them, set their values.
    assert_eq!(calls, 4, "board GraphQL calls for a 6-subtask plan");

    let parent_view = shown(&h, &p, parent, STATUSES);
    assert_eq!(parent_view["Progress"], Value::from(0.0));
    assert_eq!(parent_view["Stage"], Value::from(1.0));
    let design = shown(&h, &p, subs["design"], STATUSES);
    assert_eq!(status_and_stage(&design), ("Queued".into(), 1.0));
    assert_eq!(design["Owner"], Value::from("development"));
    assert_eq!(design["Priority"], Value::from("Normal"));
    assert!(design["Estimate"].as_f64().unwrap_or_default() > 0.0);
    let backend = shown(&h, &p, subs["backend"], STATUSES);
    assert_eq!(status_and_stage(&backend), ("Blocked".into(), 2.0));

    // A redelivery changes nothing on the board.
    let before = graphql_calls(&h).1;
    h.handle(&h.labeled(parent)).await;
    assert_eq!(
        graphql_calls(&h).1,
        before,
        "no board writes on a redelivery"
    );

    // Slash-command transitions show too, and keep the plan's progress.
    for (command, status) in [
        ("/vayu claim", "Assigned"),
        ("/vayu start", "Executing"),
        ("/vayu pause", "Paused"),
        ("/vayu resume", "Executing"),
    ] {
        h.handle(&h.comment(parent, "maintainer", command)).await;
        assert_eq!(
            h.status(parent),
            [format!("status:{}", status.to_lowercase())],
            "{command}"
        );
        let v = shown(&h, &p, parent, STATUSES);
        assert_eq!(v["Status"], Value::from(status), "{command}");
        assert_eq!(v["Progress"], Value::from(0.0), "{command}");
    }

    // Closing subtasks moves Status of each and the parent's Stage and Progress.
    let order = ["design", "backend", "frontend", "tests", "security", "docs"];
    for (i, key) in order.iter().enumerate() {
        h.advance_minutes(5);
        h.handle(&h.close(subs[*key], true)).await;
        let closed = shown(&h, &p, subs[*key], STATUSES);
        assert_eq!(closed["Status"], Value::from("Completed"), "{key}");
        assert_eq!(closed["Progress"], Value::from(100.0), "{key}");
        for later in &order[i + 1..] {
            let v = shown(&h, &p, subs[*later], STATUSES);
            let labels = h.status(subs[*later]);
            let want = if labels == ["status:queued"] {
                "Queued"
            } else {
                "Blocked"
            };
            assert_eq!(
                v["Status"],
                Value::from(want),
                "{later} after closing {key}"
            );
        }
    }
    let done = shown(&h, &p, parent, STATUSES);
    assert_eq!(done["Status"], Value::from("Completed"));
    assert_eq!(done["Progress"], Value::from(100.0));
    // No explanatory comment: the board had every option.
    let comments = h.sim.issue(REPO, parent).comments;
    assert!(!comments.iter().any(|c| c.contains("slot=board")));
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_board_without_the_needed_option_gets_one_comment() {
    let h = setup().await;
    // No "Blocked" option: the blocked subtasks cannot show their status.
    let statuses: Vec<&str> = STATUSES
        .iter()
        .copied()
        .filter(|s| *s != "Blocked")
        .collect();
    let p = board(&h, &statuses);
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let subs = h.subs(parent);
    h.handle(&h.close(subs["design"], true)).await;
    h.handle(&h.labeled(parent)).await;

    let comments: Vec<String> = h
        .sim
        .issue(REPO, parent)
        .comments
        .into_iter()
        .filter(|c| c.contains("slot=board"))
        .collect();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(
        comments[0].contains("- the option `Blocked` in the single-select field `Status`"),
        "{}",
        comments[0]
    );
    // Everything else is still kept in step.
    let design = shown(&h, &p, subs["design"], &statuses);
    assert_eq!(design["Status"], Value::from("Completed"));
    let backend = shown(&h, &p, subs["backend"], &statuses);
    assert_eq!(backend["Stage"], Value::from(2.0));
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_board_vayu_may_not_touch_gets_one_comment_and_the_plan_goes_on() {
    let h = setup().await;
    let p = board(&h, STATUSES);
    p.forbid();
    let parent = h.task("Add authentication", AUTH);
    let outcome = h.handle(&h.labeled(parent)).await;
    assert!(
        matches!(outcome, vayu::app::Outcome::Planned { subtasks: 6, .. }),
        "{outcome:?}"
    );
    let subs = h.subs(parent);
    h.handle(&h.close(subs["design"], true)).await;
    let comments: Vec<String> = h
        .sim
        .issue(REPO, parent)
        .comments
        .into_iter()
        .filter(|c| c.contains("slot=board"))
        .collect();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(
        comments[0].contains("### vayu cannot update the project board"),
        "{}",
        comments[0]
    );
    assert!(comments[0].contains("organization_projects"));
    assert_eq!(p.item_count(), 0);
}
