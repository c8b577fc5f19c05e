//! Laying a valid DAG out in stages, finding its critical path and
//! estimating it (seed 004's execution plan and resource estimate).
//!
//! Everything here works on subtask indices in written order and runs in
//! O(V + E), except resource separation, which is O(V + E + pushes).

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use super::model::{Minutes, OwnerLoad, ResourceEstimate, Subtask};

/// Most bottlenecks listed in an estimate; more would bury the useful ones.
const MAX_BOTTLENECKS: usize = 5;

/// A topological order and each node's longest-path layer (1-based), or
/// `None` when `needs` has a cycle. Ties in the order follow written order.
pub(crate) fn layers(needs: &[Vec<usize>]) -> Option<(Vec<usize>, Vec<usize>)> {
    let n = needs.len();
    let dependents = dependents(needs);
    let mut waiting: Vec<usize> = needs.iter().map(Vec::len).collect();
    let mut layer = vec![1usize; n];
    let mut order: Vec<usize> = (0..n).filter(|&v| waiting[v] == 0).collect();
    let mut next = 0;
    while let Some(&u) = order.get(next) {
        next += 1;
        for &w in &dependents[u] {
            layer[w] = layer[w].max(layer[u] + 1);
            waiting[w] -= 1;
            if waiting[w] == 0 {
                order.push(w);
            }
        }
    }
    (order.len() == n).then_some((order, layer))
}

/// For each node, the nodes that need it, in written order.
pub(crate) fn dependents(needs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); needs.len()];
    for (v, ns) in needs.iter().enumerate() {
        for &u in ns {
            out[u].push(v);
        }
    }
    out
}

/// Final 1-based stages: longest-path layers, then resource mutexes applied.
///
/// Greedy, in (layer, written order): each subtask goes to the first stage
/// after all its needs in which none of its resources is already taken, so a
/// later-written subtask sharing a resource moves to a later stage and
/// everything that needs it moves with it. Every stage stays non-empty.
/// "First free stage ≥ s" per resource is a union-find over stages, so many
/// subtasks sharing one resource stay near-linear.
pub(crate) fn assign_stages(
    needs: &[Vec<usize>],
    layer: &[usize],
    resources: &[&[String]],
) -> Vec<usize> {
    let n = needs.len();
    if resources.iter().all(|r| r.is_empty()) {
        return layer.to_vec();
    }
    let mut by_layer: Vec<usize> = (0..n).collect();
    by_layer.sort_by_key(|&v| (layer[v], v));
    let mut stage = vec![0usize; n];
    let mut taken: HashMap<&str, FreeStages> = HashMap::new();
    for v in by_layer {
        let mut s = needs[v].iter().map(|&u| stage[u]).max().unwrap_or(0) + 1;
        loop {
            let before = s;
            for r in resources[v] {
                if let Some(free) = taken.get_mut(r.as_str()) {
                    s = free.first_free_from(s);
                }
            }
            if s == before {
                break;
            }
        }
        for r in resources[v] {
            taken.entry(r.as_str()).or_default().take(s);
        }
        stage[v] = s;
    }
    stage
}

/// The stages one resource is used in, as "next possibly free stage" links.
#[derive(Debug, Default)]
struct FreeStages {
    next: HashMap<usize, usize>,
}

impl FreeStages {
    fn take(&mut self, s: usize) {
        self.next.insert(s, s + 1);
    }

    /// The first stage ≥ `s` not taken, compressing the links it walked.
    fn first_free_from(&mut self, s: usize) -> usize {
        let mut free = s;
        while let Some(&n) = self.next.get(&free) {
            free = n;
        }
        let mut at = s;
        while let Some(&n) = self.next.get(&at) {
            if n == free {
                break;
            }
            self.next.insert(at, free);
            at = n;
        }
        free
    }
}

/// The chain with the largest pessimistic total, first to last; among equal
/// chains, the one through earlier-written subtasks.
pub(crate) fn critical_path(
    needs: &[Vec<usize>],
    order: &[usize],
    estimate: &[Minutes],
) -> Vec<usize> {
    let n = needs.len();
    let mut total = vec![0u64; n];
    let mut prev: Vec<Option<usize>> = vec![None; n];
    for &v in order {
        // `needs[v]` may be in any order: pick the largest total, then the smallest index.
        let best = needs[v]
            .iter()
            .copied()
            .max_by(|&a, &b| total[a].cmp(&total[b]).then(b.cmp(&a)));
        prev[v] = best;
        total[v] = best.map_or(0, |u| total[u]) + u64::from(estimate[v].max);
    }
    let Some(mut end) = (0..n).max_by(|&a, &b| total[a].cmp(&total[b]).then(b.cmp(&a))) else {
        return Vec::new();
    };
    let mut path = vec![end];
    while let Some(p) = prev[end] {
        path.push(p);
        end = p;
    }
    path.reverse();
    path
}

/// Sums a sequence of estimates, saturating.
fn sum<'a>(items: impl IntoIterator<Item = &'a Minutes>) -> Minutes {
    items
        .into_iter()
        .fold(Minutes::exactly(0), |acc, m| Minutes {
            min: acc.min.saturating_add(m.min),
            max: acc.max.saturating_add(m.max),
        })
}

/// Seed 004's resource estimate for validated subtasks, their 0-based stages
/// (keys' indices) and the critical path (indices).
pub(crate) fn estimate(
    subtasks: &[Subtask],
    needs: &[Vec<usize>],
    stages: &[Vec<usize>],
    critical: &[usize],
) -> ResourceEstimate {
    let mut per_owner: BTreeMap<String, OwnerLoad> = BTreeMap::new();
    for s in subtasks {
        let load = per_owner.entry(s.owner.clone()).or_insert(OwnerLoad {
            subtasks: 0,
            minutes: Minutes::exactly(0),
        });
        load.subtasks += 1;
        load.minutes = sum([&load.minutes, &s.estimate]);
    }
    let critical_path = sum(critical.iter().map(|&i| &subtasks[i].estimate));
    let max_parallelism = stages.iter().map(Vec::len).max().unwrap_or(0);
    ResourceEstimate {
        total_subtasks: subtasks.len(),
        total: sum(subtasks.iter().map(|s| &s.estimate)),
        critical_path,
        bottlenecks: bottlenecks(subtasks, needs, stages, &per_owner, critical_path),
        per_owner,
        max_parallelism,
        parallelization_possible: max_parallelism > 1,
    }
}

/// Single-subtask stages that join or fan out parallel work, then the owner
/// whose own work takes longer than the critical path.
fn bottlenecks(
    subtasks: &[Subtask],
    needs: &[Vec<usize>],
    stages: &[Vec<usize>],
    per_owner: &BTreeMap<String, OwnerLoad>,
    critical: Minutes,
) -> Vec<String> {
    let key = |i: usize| subtasks[i].key.as_str();
    let names = |ix: &[usize]| ix.iter().map(|&i| key(i)).collect::<Vec<_>>().join(" and ");
    let dependents = dependents(needs);
    let mut out = Vec::new();
    for (n, stage) in stages.iter().enumerate() {
        let [only] = stage.as_slice() else { continue };
        if needs[*only].len() > 1 {
            out.push(format!(
                "stage_{}: {} must wait for {}",
                n + 1,
                key(*only),
                names(&needs[*only])
            ));
        }
        if dependents[*only].len() > 1 {
            out.push(format!(
                "stage_{}: {} blocks {}",
                n + 1,
                key(*only),
                names(&dependents[*only])
            ));
        }
    }
    let busiest = per_owner
        .iter()
        .max_by(|a, b| a.1.minutes.max.cmp(&b.1.minutes.max).then(b.0.cmp(a.0)));
    if let Some((owner, load)) = busiest
        && load.minutes.max > critical.max
    {
        out.push(format!(
            "owner {owner}: {} of work, more than the {} critical path",
            load.minutes, critical
        ));
    }
    out.truncate(MAX_BOTTLENECKS);
    out
}

/// A short stable hex hash (12 digits) of the subtasks' canonical JSON.
pub(crate) fn hash(subtasks: &[Subtask]) -> String {
    let json = serde_json::to_vec(subtasks).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_longest_paths() {
        // 0 → 1 → 3, 0 → 3, 2 alone.
        let needs = vec![vec![], vec![0], vec![], vec![1, 0]];
        let (order, layer) = layers(&needs).expect("acyclic");
        assert_eq!(layer, [1, 2, 1, 3]);
        assert_eq!(order, [0, 2, 1, 3]);
        assert_eq!(layers(&[vec![1], vec![0]]), None);
    }

    #[test]
    fn shared_resource_pushes_the_later_subtask_and_its_dependents() {
        let needs = vec![vec![], vec![], vec![1], vec![]];
        let db = vec!["db".to_owned()];
        let none: Vec<String> = Vec::new();
        let resources: Vec<&[String]> = vec![&db, &db, &none, &db];
        let (_, layer) = layers(&needs).expect("acyclic");
        assert_eq!(assign_stages(&needs, &layer, &resources), [1, 2, 3, 3]);
    }

    #[test]
    fn many_subtasks_on_one_resource_take_one_stage_each() {
        let needs = vec![vec![], vec![], vec![], vec![0], vec![]];
        let db = vec!["db".to_owned()];
        let none: Vec<String> = Vec::new();
        // 0, 1, 2 and 4 share `db`; 3 needs 0 and is free to sit beside 1.
        let resources: Vec<&[String]> = vec![&db, &db, &db, &none, &db];
        let (_, layer) = layers(&needs).expect("acyclic");
        assert_eq!(assign_stages(&needs, &layer, &resources), [1, 2, 3, 2, 4]);
    }

    #[test]
    fn critical_path_prefers_the_longest_then_the_first_written() {
        let m = |a, b| Minutes { min: a, max: b };
        let needs = vec![vec![], vec![0], vec![0], vec![2, 1]];
        let (order, _) = layers(&needs).expect("acyclic");
        let est = [m(1, 2), m(5, 5), m(1, 5), m(1, 1)];
        assert_eq!(critical_path(&needs, &order, &est), [0, 1, 3]);
        let est = [m(1, 2), m(5, 5), m(1, 6), m(1, 1)];
        assert_eq!(critical_path(&needs, &order, &est), [0, 2, 3]);
        assert_eq!(critical_path(&[], &[], &[]), Vec::<usize>::new());
    }
}
