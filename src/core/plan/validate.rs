//! Turning a written plan into a validated one: bounds, owners, keys, needs,
//! cycles and stages are all checked, and every problem is reported at once.
//!
//! A `when: <key> …` whose key is not in `needs` is added to `needs`
//! implicitly: a condition on a subtask's result can only be decided after it.

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::error::{PlanError, Problem, ProblemKind, some_of};
use super::model::{Minutes, Plan, PlanSpec, Subtask, SubtaskSpec};
use super::stages;
use crate::core::config::{Config, OwnerConfig, PlanningConfig};
use crate::core::ids::TaskKey;

/// Validates `spec` against the planning bounds and the configured owners
/// (any non-empty owner is accepted when `owners` is empty), then lays it out.
pub fn validate(
    spec: &PlanSpec,
    planning: &PlanningConfig,
    owners: &[OwnerConfig],
) -> Result<Plan, PlanError> {
    let mut problems = Vec::new();
    let subs = &spec.subtasks;
    let count = subs.len();
    if count < planning.min_subtasks || count > planning.max_subtasks {
        problems.push(Problem {
            span: None,
            kind: ProblemKind::SubtaskCount {
                count,
                min: planning.min_subtasks,
                max: planning.max_subtasks,
            },
        });
    }

    let mut index: HashMap<&TaskKey, usize> = HashMap::with_capacity(count);
    for (i, s) in subs.iter().enumerate() {
        if let Some(&first) = index.get(&s.key) {
            problems.push(Problem {
                span: s.span,
                kind: ProblemKind::DuplicateKey {
                    key: s.key.clone(),
                    first: subs[first].span,
                    second: s.span,
                },
            });
        } else {
            index.insert(&s.key, i);
        }
    }
    let all_keys = || some_of(subs.iter().map(|s| s.key.as_str()));

    let mut owner_of = Vec::with_capacity(count);
    let mut needs: Vec<Vec<usize>> = Vec::with_capacity(count);
    for (i, s) in subs.iter().enumerate() {
        let mut problem = |kind| problems.push(Problem { span: s.span, kind });
        if s.title.trim().is_empty() {
            problem(ProblemKind::EmptyTitle { key: s.key.clone() });
        }
        match owner(s, owners) {
            Ok(o) => owner_of.push(o),
            Err(kind) => {
                problem(kind);
                owner_of.push(String::new());
            }
        }
        let mut mine: Vec<usize> = Vec::with_capacity(s.needs.len() + 1);
        let wanted = s.needs.iter().map(|k| (k, false));
        let conditional = s.when.iter().map(|c| (&c.key, true));
        for (need, is_when) in wanted.chain(conditional) {
            match index.get(need) {
                Some(&j) if j == i || need == &s.key => {
                    if !is_when || !s.needs.contains(need) {
                        problem(ProblemKind::SelfDependency { key: s.key.clone() });
                    }
                }
                Some(&j) => {
                    if !mine.contains(&j) {
                        mine.push(j);
                    }
                }
                None if is_when => problem(ProblemKind::UnknownCondition {
                    key: s.key.clone(),
                    need: need.clone(),
                    valid: all_keys(),
                }),
                None => problem(ProblemKind::UnknownNeed {
                    key: s.key.clone(),
                    need: need.clone(),
                    valid: all_keys(),
                }),
            }
        }
        needs.push(mine);
    }

    let Some((order, layer)) = stages::layers(&needs) else {
        problems.extend(cycles(subs, &needs));
        return Err(PlanError { problems });
    };
    let resources: Vec<&[String]> = subs.iter().map(|s| s.resources.as_slice()).collect();
    let stage_of = stages::assign_stages(&needs, &layer, &resources);
    let stage_count = stage_of.iter().copied().max().unwrap_or(0);
    if stage_count > planning.max_stages {
        problems.push(Problem {
            span: None,
            kind: ProblemKind::TooManyStages {
                count: stage_count,
                max: planning.max_stages,
            },
        });
    }
    if !problems.is_empty() {
        return Err(PlanError { problems });
    }

    let default = Minutes::exactly(planning.default_estimate_minutes);
    let subtasks: Vec<Subtask> = subs
        .iter()
        .zip(owner_of)
        .enumerate()
        .map(|(i, (s, owner))| Subtask {
            key: s.key.clone(),
            title: s.title.trim().to_owned(),
            owner,
            needs: needs[i].iter().map(|&j| subs[j].key.clone()).collect(),
            when: s.when.clone(),
            resources: s.resources.clone(),
            estimate: s.estimate.unwrap_or(default),
            files: s.files.clone(),
            success: s.success.clone(),
            description: s.description.clone(),
            stage: stage_of[i],
        })
        .collect();
    let mut stage_members: Vec<Vec<usize>> = vec![Vec::new(); stage_count];
    for (i, &s) in stage_of.iter().enumerate() {
        stage_members[s - 1].push(i);
    }
    let estimates: Vec<Minutes> = subtasks.iter().map(|s| s.estimate).collect();
    let critical = stages::critical_path(&needs, &order, &estimates);
    let estimate = stages::estimate(&subtasks, &needs, &stage_members, &critical);
    Ok(Plan {
        mode: spec.mode.unwrap_or(planning.mode),
        source: spec.source.clone(),
        hash: stages::hash(&subtasks),
        stages: stage_members
            .iter()
            .map(|ix| ix.iter().map(|&i| subtasks[i].key.clone()).collect())
            .collect(),
        critical_path: critical.iter().map(|&i| subtasks[i].key.clone()).collect(),
        estimate,
        subtasks,
    })
}

/// [`validate`] with the bounds and owners of a whole configuration.
pub fn validate_with(spec: &PlanSpec, config: &Config) -> Result<Plan, PlanError> {
    validate(spec, &config.planning, &config.owners)
}

/// The subtask's owner in its configured spelling (matched case-insensitively).
fn owner(s: &SubtaskSpec, owners: &[OwnerConfig]) -> Result<String, ProblemKind> {
    let valid = || {
        if owners.is_empty() {
            "any owner name".to_owned()
        } else {
            some_of(owners.iter().map(|o| o.name.as_str()))
        }
    };
    let written = s.owner.as_deref().map(str::trim).unwrap_or_default();
    if written.is_empty() {
        return Err(ProblemKind::MissingOwner {
            key: s.key.clone(),
            valid: valid(),
        });
    }
    if owners.is_empty() {
        return Ok(written.to_owned());
    }
    owners
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(written))
        .map(|o| o.name.clone())
        .ok_or_else(|| ProblemKind::UnknownOwner {
            key: s.key.clone(),
            owner: written.to_owned(),
            valid: valid(),
        })
}

/// One problem per strongly connected component with a cycle, each naming a
/// cycle in dependency order from its first-written subtask, back to it.
fn cycles(subs: &[SubtaskSpec], needs: &[Vec<usize>]) -> Vec<Problem> {
    let edges = needs.iter().map(Vec::len).sum();
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(subs.len(), edges);
    let nodes: Vec<NodeIndex> = (0..subs.len()).map(|_| graph.add_node(())).collect();
    for (v, ns) in needs.iter().enumerate() {
        for &u in ns {
            graph.add_edge(nodes[u], nodes[v], ());
        }
    }
    let dependents = stages::dependents(needs);
    let mut found: Vec<(usize, Vec<usize>)> = tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .filter_map(|component| {
            let members: Vec<usize> = component.iter().map(|n| n.index()).collect();
            let start = members.iter().copied().min()?;
            Some((start, walk_cycle(start, &members, &dependents)))
        })
        .collect();
    found.sort_by_key(|(start, _)| *start);
    found
        .into_iter()
        .map(|(start, path)| Problem {
            span: subs[start].span,
            kind: ProblemKind::Cycle {
                keys: path.iter().map(|&i| subs[i].key.clone()).collect(),
            },
        })
        .collect()
}

/// The shortest cycle through `start` inside one component (breadth-first,
/// neighbours in written order), as `start … start`.
fn walk_cycle(start: usize, members: &[usize], dependents: &[Vec<usize>]) -> Vec<usize> {
    let inside: std::collections::HashSet<usize> = members.iter().copied().collect();
    let mut came_from: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(u) = queue.pop_front() {
        for &w in &dependents[u] {
            if w == start {
                let mut path = Vec::new();
                let mut at = u;
                while at != start {
                    path.push(at);
                    at = came_from.get(&at).copied().unwrap_or(start);
                }
                path.push(start);
                path.reverse();
                path.push(start);
                return path;
            }
            if inside.contains(&w) && w != start && !came_from.contains_key(&w) {
                came_from.insert(w, u);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::plan::model::{Condition, Outcome, PlanSource, Span};

    fn key(s: &str) -> TaskKey {
        TaskKey::new(s).expect("key")
    }

    fn sub(k: &str, needs: &[&str]) -> SubtaskSpec {
        SubtaskSpec {
            key: key(k),
            title: k.to_owned(),
            owner: Some("development".into()),
            needs: needs.iter().map(|n| key(n)).collect(),
            when: None,
            resources: Vec::new(),
            estimate: None,
            files: Vec::new(),
            success: None,
            description: None,
            span: None,
        }
    }

    fn spec(subtasks: Vec<SubtaskSpec>) -> PlanSpec {
        PlanSpec {
            mode: None,
            subtasks,
            source: PlanSource::Block,
        }
    }

    fn check(subtasks: Vec<SubtaskSpec>) -> Result<Plan, PlanError> {
        validate(
            &spec(subtasks),
            &PlanningConfig::default(),
            &OwnerConfig::defaults(),
        )
    }

    #[test]
    fn names_a_two_step_cycle_from_the_first_written_key() {
        let err = check(vec![
            sub("design", &["tests"]),
            sub("build", &["design"]),
            sub("tests", &["design"]),
        ])
        .expect_err("cycle");
        assert_eq!(
            err.kinds().collect::<Vec<_>>(),
            [&ProblemKind::Cycle {
                keys: vec![key("design"), key("tests"), key("design")]
            }]
        );
    }

    #[test]
    fn names_a_longer_cycle_in_dependency_order() {
        // a needs c, b needs a, c needs b: a → b → c → a.
        let err =
            check(vec![sub("a", &["c"]), sub("b", &["a"]), sub("c", &["b"])]).expect_err("cycle");
        assert_eq!(
            err.to_string(),
            "dependency cycle a → b → c → a: remove one of these needs so the work has an order"
        );
    }

    #[test]
    fn reports_every_problem_with_its_span() {
        let mut a = sub("a", &["a"]);
        a.span = Some(Span { line: 2, column: 3 });
        let mut b = sub("b", &["nope"]);
        b.owner = None;
        b.span = Some(Span { line: 4, column: 3 });
        let mut dup = sub("a", &[]);
        dup.owner = Some("marketing".into());
        dup.span = Some(Span { line: 6, column: 3 });
        let err = check(vec![a, b, dup]).expect_err("problems");
        assert_eq!(
            err.to_string(),
            "line 6, column 3: key `a` is used by two subtasks (at line 2, column 3 and at line 6, column 3): give each subtask its own key\n\
             line 2, column 3: subtask `a` needs itself: remove `a` from its needs\n\
             line 4, column 3: subtask `b` has no owner: give it exactly one of `development`, `security`, `inventory`, `cicd`, `docs`\n\
             line 4, column 3: subtask `b` needs `nope`, but no subtask has that key: use one of `a`, `b`, `a`\n\
             line 6, column 3: subtask `a` is owned by `marketing`, which is not a configured owner: use one of `development`, `security`, `inventory`, `cicd`, `docs`"
        );
    }

    #[test]
    fn count_outside_bounds_is_refused_naming_them() {
        let many: Vec<SubtaskSpec> = (0..11).map(|i| sub(&format!("s{i}"), &[])).collect();
        let err = check(many).expect_err("too many");
        assert_eq!(
            err.to_string(),
            "a plan needs 3–10 subtasks (planning.min_subtasks–planning.max_subtasks); this one has 11: merge small steps or split the issue into several issues"
        );
        let err = check(vec![sub("a", &[])]).expect_err("too few");
        assert!(
            err.to_string()
                .contains("this one has 1: add the missing steps")
        );
    }

    #[test]
    fn too_many_stages_is_refused() {
        let chain: Vec<SubtaskSpec> = (0..10)
            .map(|i| {
                let prev = format!("s{}", i.max(1) - 1);
                let needs: Vec<&str> = if i == 0 { vec![] } else { vec![&prev] };
                sub(&format!("s{i}"), &needs)
            })
            .collect();
        let planning = PlanningConfig {
            max_stages: 9,
            ..PlanningConfig::default()
        };
        let err = validate(&spec(chain), &planning, &[]).expect_err("10 stages");
        assert_eq!(
            err.kinds().collect::<Vec<_>>(),
            [&ProblemKind::TooManyStages { count: 10, max: 9 }]
        );
    }

    #[test]
    fn when_adds_its_key_to_needs_and_unknown_when_is_named() {
        let mut fix = sub("fix", &[]);
        fix.when = Some(Condition {
            key: key("tests"),
            outcome: Outcome::Failed,
        });
        let plan = check(vec![
            sub("build", &[]),
            sub("tests", &["build"]),
            fix.clone(),
        ])
        .expect("valid");
        assert_eq!(
            plan.subtask(&key("fix")).map(|s| s.needs.clone()),
            Some(vec![key("tests")])
        );
        assert_eq!(plan.subtask(&key("fix")).map(|s| s.stage), Some(3));

        fix.when = Some(Condition {
            key: key("ghost"),
            outcome: Outcome::Succeeded,
        });
        let err = check(vec![sub("build", &[]), sub("tests", &["build"]), fix]).expect_err("ghost");
        assert_eq!(
            err.to_string(),
            "subtask `fix` has `when: ghost …`, but no subtask has that key: use one of `build`, `tests`, `fix`"
        );
    }

    #[test]
    fn owners_match_case_insensitively_and_defaults_fill_in() {
        let mut a = sub("a", &[]);
        a.owner = Some("Security".into());
        let plan = check(vec![a, sub("b", &["a"]), sub("c", &["a"])]).expect("valid");
        assert_eq!(plan.subtasks[0].owner, "security");
        assert_eq!(plan.subtasks[0].estimate, Minutes::exactly(15));
        assert_eq!(plan.mode, crate::core::plan::model::Mode::Dag);
        assert_eq!(plan.stages, vec![vec![key("a")], vec![key("b"), key("c")]]);
        assert_eq!(plan.hash.len(), 12);
    }
}
