use std::collections::BTreeMap;

use super::*;
use crate::core::config::{AgentConfig, AssignmentConfig, Strategy};

fn agent(login: &str, owners: &[&str], capacity: u32, spec: &[(&str, f64)]) -> AgentConfig {
    AgentConfig {
        login: login.into(),
        team: false,
        owners: owners.iter().map(|s| (*s).to_owned()).collect(),
        capacity,
        specialization: spec.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
    }
}

fn holding(n: usize) -> AgentState {
    AgentState {
        held: vec![Held { weight: 1.0 }; n],
        ..AgentState::default()
    }
}

fn cfg(agents: Vec<AgentConfig>) -> AssignmentConfig {
    AssignmentConfig {
        agents,
        ..AssignmentConfig::default()
    }
}

fn three() -> (AssignmentConfig, States) {
    let c = cfg(vec![
        agent("alice", &["development"], 5, &[("development", 0.9)]),
        agent("bob", &["security", "development"], 5, &[("security", 0.8)]),
        agent("carol", &["security"], 5, &[("security", 0.9)]),
    ]);
    let mut s = BTreeMap::new();
    s.insert("bob".into(), holding(2));
    s.insert("carol".into(), holding(4));
    (c, s)
}

#[test]
fn push_weighs_specialization_against_load_and_explains() {
    let (c, s) = three();
    let d = push(&c, &TaskNeed::new(Some("security")), &s).expect("someone");
    // bob: 0.6*0.8 + 0.4*(1-2/5) = 0.72; carol: 0.6*0.9 + 0.4*(1-4/5) = 0.62.
    assert_eq!(d.primary.login, "bob");
    assert_eq!(
        d.explanation(),
        "assigned to @bob: capability security, load 2/5, specialization 0.8"
    );
    assert_eq!(d.skipped, vec![("alice".into(), Skipped::NotCapable)]);
    assert_eq!(d.considered.len(), 2);
}

#[test]
fn an_agent_at_capacity_or_away_is_skipped() {
    let (c, mut s) = three();
    s.insert("bob".into(), holding(5));
    let d = push(&c, &TaskNeed::new(Some("security")), &s).expect("carol");
    assert_eq!(d.primary.login, "carol");
    assert!(d.skipped.contains(&(
        "bob".into(),
        Skipped::AtCapacity {
            open: 5,
            capacity: 5
        }
    )));
    s.get_mut("carol").expect("carol").away = true;
    let err = push(&c, &TaskNeed::new(Some("security")), &s).expect_err("nobody");
    assert_eq!(
        err.to_string(),
        "every capable agent is unavailable (bob: at capacity 5/5; carol: away); the task stays queued until one is free"
    );
    let err = push(&c, &TaskNeed::new(Some("docs")), &s).expect_err("no docs agent");
    assert!(matches!(err, NoAgent::NoneCapable { .. }), "{err}");
}

#[test]
fn ties_go_to_fewer_open_tasks_then_login() {
    let c = cfg(vec![agent("zed", &[], 2, &[]), agent("amy", &[], 2, &[])]);
    let d = push(&c, &TaskNeed::new(Some("docs")), &States::new()).expect("one");
    assert_eq!(d.primary.login, "amy");
    assert_eq!(d.primary.capability, "docs");
}

#[test]
fn history_makes_a_slow_agent_look_busier() {
    let c = cfg(vec![agent("a", &[], 4, &[]), agent("b", &[], 4, &[])]);
    let mut s = States::new();
    s.insert(
        "a".into(),
        AgentState {
            pace: Some(2.0),
            ..holding(1)
        },
    );
    s.insert(
        "b".into(),
        AgentState {
            pace: Some(0.5),
            ..holding(1)
        },
    );
    let d = push(&c, &TaskNeed::new(None), &s).expect("one");
    assert_eq!(d.primary.login, "b");
}

#[test]
fn collaborators_form_a_team_of_the_next_best() {
    let (mut c, s) = three();
    c.collaborators = 1;
    let d = push(&c, &TaskNeed::new(Some("development")), &s).expect("team");
    assert_eq!(d.logins(), vec!["alice", "bob"]);
    assert!(
        d.explanation().ends_with("; with @bob"),
        "{}",
        d.explanation()
    );
}

#[test]
fn hybrid_pushes_only_urgent_work() {
    let mut c = cfg(vec![]);
    c.strategy = Strategy::Hybrid;
    assert_eq!(mode_for(&c, Priority::Critical), Mode::Push);
    assert_eq!(mode_for(&c, Priority::High), Mode::Push);
    assert_eq!(mode_for(&c, Priority::Normal), Mode::Pull);
    assert_eq!(mode_for(&c, Priority::Low), Mode::Pull);
    c.strategy = Strategy::Auction;
    assert_eq!(mode_for(&c, Priority::Critical), Mode::Auction);
}

#[test]
fn claims_check_capability_availability_and_capacity() {
    let (c, mut s) = three();
    let need = TaskNeed::new(Some("security"));
    assert_eq!(
        claim(&c, &need, &s, "Carol").expect("ok").primary.login,
        "carol"
    );
    assert_eq!(
        claim(&c, &need, &s, "alice")
            .expect_err("domain")
            .to_string(),
        "@alice does not work on `security` (its `owners` in `.github/vayu.yml` do not include it)"
    );
    assert!(matches!(
        claim(&c, &need, &s, "mallory"),
        Err(ClaimRefused::NotAnAgent { .. })
    ));
    s.insert("carol".into(), holding(5));
    assert_eq!(
        claim(&c, &need, &s, "carol").expect_err("full").to_string(),
        "@carol is at capacity (5/5 open tasks); finish or `/vayu unclaim` one first"
    );
}

#[test]
fn the_best_weighted_bid_wins_and_ties_go_to_the_earlier_bid() {
    let (c, s) = three();
    let need = TaskNeed::new(Some("security"));
    let bid = |l: &str, m, o| Bid {
        login: l.into(),
        minutes: m,
        order: o,
    };
    // carol 45/0.9 = 50 beats bob 45/0.8 = 56.25.
    let d = auction(&c, &need, &s, &[bid("bob", 45, 1), bid("carol", 45, 2)]).expect("w");
    assert_eq!(d.primary.login, "carol");
    assert_eq!(d.bid_minutes, Some(45));
    // bob 40/0.8 = 50 ties carol 45/0.9 = 50; bob holds fewer tasks.
    let d = auction(&c, &need, &s, &[bid("carol", 45, 1), bid("bob", 40, 2)]).expect("w");
    assert_eq!(d.primary.login, "bob");
    // Same fit, same load: the earlier bid wins.
    let even = cfg(vec![agent("x", &[], 3, &[]), agent("y", &[], 3, &[])]);
    let d = auction(
        &even,
        &need,
        &States::new(),
        &[bid("y", 30, 7), bid("x", 30, 9)],
    )
    .expect("w");
    assert_eq!(d.primary.login, "y");
    // A bidder that is not capable does not count; no valid bid means push.
    let d = auction(&c, &need, &s, &[bid("alice", 1, 1)]).expect("pushed");
    assert_eq!((d.primary.login.as_str(), d.bid_minutes), ("bob", None));
}

#[test]
fn failover_moves_work_from_away_or_silent_agents() {
    let (_, mut s) = three();
    assert_eq!(failover_needed("bob", &s, false), None);
    assert!(failover_needed("bob", &s, true).is_some());
    s.get_mut("bob").expect("bob").away = true;
    assert_eq!(
        failover_needed("BOB", &s, false),
        Some("its agent is marked away")
    );
}

#[test]
fn weights_come_from_the_estimate_a_sub_issue_shows() {
    assert_eq!(
        weight_of_body("Part of #1 · owner `x` · estimate 10-60 min · stage 1"),
        2.0
    );
    assert_eq!(weight_of_body("estimate 15 min"), 0.5);
    assert_eq!(weight_of_body("no estimate here"), 1.0);
    assert_eq!(weight_of_body("estimate 9999999999999 min"), 1.0);
}

#[test]
fn peer_reviewers_must_work_in_the_domain() {
    let (c, _) = three();
    assert!(is_capable(&c, Some("security"), "Carol"));
    assert!(!is_capable(&c, Some("security"), "alice"));
    assert!(!is_capable(&c, Some("security"), "mallory"));
}
