//! Properties of the planner over random inputs: DAGs always validate with
//! needs in earlier stages, cycles are always refused, parsing never panics.

use std::collections::HashMap;

use proptest::prelude::*;

use crate::core::config::PlanningConfig;
use crate::core::ids::TaskKey;
use crate::core::plan::{
    Plan, PlanSource, PlanSpec, ProblemKind, SubtaskSpec, TemplateSet, parse_plan, validate,
};
use crate::core::task::TaskType;

/// Needs of node `i` are drawn from nodes `0..i`, so the graph is a DAG.
fn dag() -> impl Strategy<Value = Vec<(Vec<usize>, Vec<usize>)>> {
    (1usize..40).prop_flat_map(|n| {
        (0..n)
            .map(|i| {
                let needs = proptest::collection::vec(0..i.max(1), 0..4)
                    .prop_map(move |v| if i == 0 { Vec::new() } else { v });
                let resources = proptest::collection::vec(0usize..3, 0..2);
                (needs, resources)
            })
            .collect::<Vec<_>>()
    })
}

fn key(i: usize) -> TaskKey {
    TaskKey::new(format!("n{i}")).expect("key")
}

fn spec(nodes: &[(Vec<usize>, Vec<usize>)]) -> PlanSpec {
    PlanSpec {
        mode: None,
        source: PlanSource::Block,
        subtasks: nodes
            .iter()
            .enumerate()
            .map(|(i, (needs, resources))| SubtaskSpec {
                key: key(i),
                title: format!("Node {i}"),
                owner: Some("development".into()),
                needs: needs.iter().map(|&j| key(j)).collect(),
                when: None,
                resources: resources.iter().map(|r| format!("r{r}")).collect(),
                estimate: None,
                files: Vec::new(),
                success: None,
                description: None,
                span: None,
            })
            .collect(),
    }
}

fn roomy() -> PlanningConfig {
    PlanningConfig {
        min_subtasks: 1,
        max_subtasks: 1000,
        max_stages: 1000,
        ..PlanningConfig::default()
    }
}

proptest! {
    #[test]
    fn random_dags_validate_with_needs_in_earlier_stages(nodes in dag()) {
        let plan: Plan = validate(&spec(&nodes), &roomy(), &[]).expect("a DAG is valid");
        let stage: HashMap<&TaskKey, usize> =
            plan.subtasks.iter().map(|s| (&s.key, s.stage)).collect();
        for s in &plan.subtasks {
            for need in &s.needs {
                prop_assert!(stage[need] < s.stage, "{} in stage {} needs {}", s.key, s.stage, need);
            }
        }
        // Stages are 1..=len, none empty, and agree with each subtask's stage.
        for (n, members) in plan.stages.iter().enumerate() {
            prop_assert!(!members.is_empty());
            for k in members {
                prop_assert_eq!(stage[k], n + 1);
            }
        }
        // Two subtasks sharing a resource never share a stage.
        for members in &plan.stages {
            let mut seen: HashMap<&str, &TaskKey> = HashMap::new();
            for k in members {
                for r in &plan.subtask(k).expect("member").resources {
                    prop_assert!(seen.insert(r, k).is_none(), "{} shared in a stage", r);
                }
            }
        }
        // The critical path is a chain of needs.
        for pair in plan.critical_path.windows(2) {
            prop_assert!(plan.subtask(&pair[1]).expect("on path").needs.contains(&pair[0]));
        }
    }

    #[test]
    fn an_injected_cycle_is_always_refused(nodes in dag(), a in 0usize..40, b in 0usize..40) {
        let mut nodes = nodes;
        let n = nodes.len();
        prop_assume!(n >= 2);
        let (i, j) = (a % n, b % n);
        prop_assume!(i != j);
        // i needs j and j needs i: a cycle whatever else the graph holds.
        nodes[i].0.push(j);
        nodes[j].0.push(i);
        let plan = spec(&nodes);
        let err = validate(&plan, &roomy(), &[]).expect_err("cyclic");
        let cycles: Vec<&Vec<TaskKey>> = err
            .kinds()
            .filter_map(|k| match k {
                ProblemKind::Cycle { keys } => Some(keys),
                _ => None,
            })
            .collect();
        prop_assert!(!cycles.is_empty(), "{}", err);
        for keys in cycles {
            prop_assert!(keys.len() >= 3);
            prop_assert_eq!(keys.first(), keys.last());
            for pair in keys.windows(2) {
                let later = plan.subtasks.iter().find(|s| s.key == pair[1]).expect("in plan");
                prop_assert!(later.needs.contains(&pair[0]), "{} does not need {}", pair[1], pair[0]);
            }
        }
    }

    #[test]
    fn a_long_injected_cycle_is_always_refused(
        nodes in dag(),
        picks in proptest::collection::vec(0usize..40, 3..8),
    ) {
        let mut nodes = nodes;
        let n = nodes.len();
        // Distinct nodes in the drawn order: v1 needs v0, v2 needs v1, …, and
        // v0 needs the last, a cycle through all of them whatever else the
        // graph holds.
        let mut ring: Vec<usize> = Vec::new();
        for p in picks.iter().map(|p| p % n) {
            if !ring.contains(&p) {
                ring.push(p);
            }
        }
        prop_assume!(ring.len() >= 3);
        for w in ring.windows(2) {
            nodes[w[1]].0.push(w[0]);
        }
        nodes[ring[0]].0.push(ring[ring.len() - 1]);
        let err = validate(&spec(&nodes), &roomy(), &[]).expect_err("cyclic");
        prop_assert!(
            err.kinds().any(|k| matches!(k, ProblemKind::Cycle { .. })),
            "{}",
            err
        );
    }

    #[test]
    fn parsing_any_body_never_panics(body in ".{0,400}") {
        let _ = parse_plan(&body, Some(TaskType::Feature), "t", &TemplateSet::builtin());
    }

    #[test]
    fn parsing_plan_shaped_bodies_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("```vayu\n"), Just("```\n"), Just("subtasks:\n"), Just("  - key: a\n"),
                Just("    title: x\n"), Just("    needs: [a, b]\n"), Just("    estimate: 10-15m\n"),
                Just("    when: a failed\n"), Just("- [ ] "), Just("- [x] "), Just("@dev "),
                Just("~15m "), Just("~x "), Just("needs: "), Just("when: "), Just("\t"),
                Just("<!-- vayu:begin -->\n"), Just("<!-- vayu:end -->\n"), Just("> "),
                Just("\n"), Just("é"), Just("{"), Just(": "), Just("&a *a "), Just("  "),
            ],
            0..40,
        )
    ) {
        let body: String = parts.concat();
        if let Ok(Some(spec)) = parse_plan(&body, None, "t", &TemplateSet::builtin()) {
            let _ = validate(&spec, &roomy(), &[]);
        }
    }
}
