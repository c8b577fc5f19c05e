//! Whatever the config and loads, assignment never panics, is deterministic,
//! and never picks an agent that is away, at capacity or not capable.

use proptest::prelude::*;

use super::*;
use crate::core::config::{AgentConfig, AssignmentConfig};

fn agents() -> impl Strategy<Value = Vec<(AgentConfig, AgentState)>> {
    let one = (
        0u8..6,
        prop::collection::vec(0u8..3, 0..3),
        0u32..4,
        prop::option::of(any::<f64>()),
        0usize..5,
        any::<bool>(),
        prop::option::of(any::<f64>()),
    )
        .prop_map(|(id, owners, capacity, spec, held, away, pace)| {
            let domains = ["security", "development", "docs"];
            let owners: Vec<String> = owners
                .iter()
                .map(|o| domains[*o as usize].to_owned())
                .collect();
            let mut a = AgentConfig::new(format!("agent{id}"));
            a.capacity = capacity;
            if let (Some(v), Some(first)) = (spec, owners.first()) {
                a.specialization.insert(first.clone(), v);
            }
            a.owners = owners;
            let s = AgentState {
                held: vec![Held { weight: 1.0 }; held],
                away,
                pace,
            };
            (a, s)
        });
    prop::collection::vec(one, 0..6)
}

proptest! {
    #[test]
    fn assignment_is_total_deterministic_and_respects_the_filters(
        list in agents(),
        owner in prop::option::of(prop::sample::select(vec!["security", "development", "docs"])),
        bids in prop::collection::vec((0u8..6, 0u32..500, 0u64..50), 0..6),
    ) {
        let cfg = AssignmentConfig {
            agents: list.iter().map(|(a, _)| a.clone()).collect(),
            ..AssignmentConfig::default()
        };
        let states: States = list.iter().map(|(a, s)| (a.login.clone(), s.clone())).collect();
        let need = TaskNeed::new(owner);
        let first = push(&cfg, &need, &states);
        prop_assert_eq!(&first, &push(&cfg, &need, &states));
        if let Ok(d) = &first {
            let st = state_of(&states, &d.primary.login).cloned().unwrap_or_default();
            prop_assert!(!st.away);
            prop_assert!((st.held.len() as u32) < d.primary.capacity);
        }
        let bids: Vec<Bid> = bids
            .into_iter()
            .map(|(id, minutes, order)| Bid { login: format!("agent{id}"), minutes, order })
            .collect();
        let a = auction(&cfg, &need, &states, &bids);
        prop_assert_eq!(&a, &auction(&cfg, &need, &states, &bids));
        prop_assert_eq!(a.is_ok(), first.is_ok());
    }
}
