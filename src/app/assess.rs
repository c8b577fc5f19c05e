//! Where each subtask of a plan stands, from which sub-issues are closed and
//! how: done, ready to start, waiting (on needs, or on a subtask holding a
//! resource it shares), stuck behind a failed need, or to be skipped because
//! its `when` condition can no longer hold. Pure.

use std::collections::BTreeMap;

use crate::core::ids::TaskKey;
use crate::core::plan::{Mode, Outcome, Plan};

/// How a closed sub-issue ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Closed as completed.
    Completed,
    /// Closed as not planned (or any other reason): counts as failed.
    NotPlanned,
}

/// Where one subtask stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Its sub-issue was closed as completed.
    Completed,
    /// Its sub-issue was closed otherwise.
    NotPlanned,
    /// Every need is met: it may start.
    Ready,
    /// Needs still open (and, in `stages` mode, earlier stages).
    Waiting(Vec<TaskKey>),
    /// Needs that failed; a plain dependent stays blocked until a human acts.
    NeedFailed(Vec<TaskKey>),
    /// Its `when` condition cannot hold any more: close it as not planned.
    Skip {
        /// The subtask whose outcome decided.
        because: TaskKey,
        /// How that subtask ended.
        ended: Outcome,
    },
}

impl Verdict {
    /// Whether the subtask will never run again.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Verdict::Completed | Verdict::NotPlanned | Verdict::Skip { .. }
        )
    }

    fn outcome(&self) -> Option<Outcome> {
        match self {
            Verdict::Completed => Some(Outcome::Succeeded),
            Verdict::NotPlanned | Verdict::Skip { .. } => Some(Outcome::Failed),
            _ => None,
        }
    }
}

/// Judges every subtask, predecessors first, given how closed ones ended.
pub fn assess(plan: &Plan, closed: &BTreeMap<TaskKey, Ended>) -> BTreeMap<TaskKey, Verdict> {
    let mut out: BTreeMap<TaskKey, Verdict> = BTreeMap::new();
    for key in plan.stages.iter().flatten() {
        let Some(s) = plan.subtask(key) else { continue };
        let verdict = match closed.get(key) {
            Some(Ended::Completed) => Verdict::Completed,
            Some(Ended::NotPlanned) => Verdict::NotPlanned,
            None => judge_open(plan, s, &out),
        };
        out.insert(key.clone(), verdict);
    }
    out
}

fn judge_open(
    plan: &Plan,
    s: &crate::core::plan::Subtask,
    done: &BTreeMap<TaskKey, Verdict>,
) -> Verdict {
    let ended = |k: &TaskKey| done.get(k).and_then(Verdict::outcome);
    let mut deps: Vec<&TaskKey> = s.needs.iter().collect();
    if let Some(c) = &s.when
        && !deps.contains(&&c.key)
    {
        deps.push(&c.key);
    }
    let mut waiting = Vec::new();
    let mut failed = Vec::new();
    for d in deps {
        let condition = s.when.as_ref().filter(|c| &c.key == d);
        match (ended(d), condition) {
            (None, _) => waiting.push(d.clone()),
            (Some(got), Some(c)) if got != c.outcome => {
                return Verdict::Skip {
                    because: d.clone(),
                    ended: got,
                };
            }
            (Some(Outcome::Failed), None) => failed.push(d.clone()),
            (Some(_), _) => {}
        }
    }
    // Subtasks sharing a resource run one at a time, in the order of the
    // stages the planner gave them (it never puts two in one stage); in
    // `stages` mode every earlier stage must end first anyway.
    let shares =
        |t: &crate::core::plan::Subtask| t.resources.iter().any(|r| s.resources.contains(r));
    for t in plan
        .subtasks
        .iter()
        .filter(|t| t.stage < s.stage && (plan.mode == Mode::Stages || shares(t)))
    {
        if ended(&t.key).is_none() && !waiting.contains(&t.key) {
            waiting.push(t.key.clone());
        }
    }
    if !failed.is_empty() {
        Verdict::NeedFailed(failed)
    } else if !waiting.is_empty() {
        Verdict::Waiting(waiting)
    } else {
        Verdict::Ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Config;
    use crate::core::plan::{parse_block, validate_with};

    fn plan(yaml: &str) -> Plan {
        let body = format!("```vayu\n{yaml}```\n");
        let spec = parse_block(&body).expect("parses").expect("block");
        validate_with(&spec, &Config::default()).expect("valid")
    }

    fn k(s: &str) -> TaskKey {
        TaskKey::new(s).expect("key")
    }

    const COND: &str = "subtasks:\n  - {key: a, title: A, owner: docs}\n  - {key: fix, title: Fix, owner: docs, needs: [a], when: a failed}\n  - {key: ship, title: Ship, owner: docs, needs: [a], when: a succeeded}\n  - {key: after, title: After, owner: docs, needs: [a]}\n";

    #[test]
    fn subtasks_sharing_a_resource_run_one_at_a_time_in_stage_order() {
        let p = plan(
            "subtasks:\n  - {key: a, title: A, owner: docs, resources: [db]}\n  - {key: b, title: B, owner: docs, resources: [db, cache]}\n  - {key: c, title: C, owner: docs, resources: [cache]}\n  - {key: d, title: D, owner: docs}\n",
        );
        // The planner puts a and c (no common resource) in stage 1, b in 2.
        let start = assess(&p, &BTreeMap::new());
        assert_eq!(start[&k("a")], Verdict::Ready);
        assert_eq!(start[&k("c")], Verdict::Ready);
        assert_eq!(start[&k("d")], Verdict::Ready);
        // b needs neither, but shares `db` with a and `cache` with c.
        assert_eq!(start[&k("b")], Verdict::Waiting(vec![k("a"), k("c")]));

        // However a ended, it no longer holds `db`; c still holds `cache`.
        let closed = BTreeMap::from([(k("a"), Ended::NotPlanned)]);
        assert_eq!(assess(&p, &closed)[&k("b")], Verdict::Waiting(vec![k("c")]));
        let closed = BTreeMap::from([(k("a"), Ended::NotPlanned), (k("c"), Ended::Completed)]);
        assert_eq!(assess(&p, &closed)[&k("b")], Verdict::Ready);
    }

    #[test]
    fn conditions_follow_the_outcome_of_their_key() {
        let p = plan(COND);
        let start = assess(&p, &BTreeMap::new());
        assert_eq!(start[&k("a")], Verdict::Ready);
        assert_eq!(start[&k("fix")], Verdict::Waiting(vec![k("a")]));

        let ok = assess(&p, &BTreeMap::from([(k("a"), Ended::Completed)]));
        assert_eq!(
            ok[&k("fix")],
            Verdict::Skip {
                because: k("a"),
                ended: Outcome::Succeeded
            }
        );
        assert_eq!(ok[&k("ship")], Verdict::Ready);
        assert_eq!(ok[&k("after")], Verdict::Ready);

        let failed = assess(&p, &BTreeMap::from([(k("a"), Ended::NotPlanned)]));
        assert_eq!(failed[&k("fix")], Verdict::Ready);
        assert!(matches!(failed[&k("ship")], Verdict::Skip { .. }));
        assert_eq!(failed[&k("after")], Verdict::NeedFailed(vec![k("a")]));
    }

    #[test]
    fn stages_mode_waits_for_the_whole_previous_stage() {
        let p = plan(
            "mode: stages\nsubtasks:\n  - {key: a, title: A, owner: docs}\n  - {key: b, title: B, owner: docs}\n  - {key: c, title: C, owner: docs, needs: [a]}\n",
        );
        let v = assess(&p, &BTreeMap::from([(k("a"), Ended::Completed)]));
        assert_eq!(v[&k("c")], Verdict::Waiting(vec![k("b")]));
    }
}
