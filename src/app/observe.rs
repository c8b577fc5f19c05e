//! What GitHub says about one parent issue: the parent itself, its
//! sub-issues that carry our task marker (by key), and their blocked-by links.
//! Everything the orchestrator decides starts from here (GitHub is the truth).

use std::collections::BTreeMap;

use super::assess::Ended;
use super::ports::{GhResult, GitHub, Issue, IssueState, StateReason};
use crate::core::ids::{IssueId, IssueNumber, RepoName, TaskKey};
use crate::core::marker::{TaskMarker, find_task};

/// One parent and its sub-issues as found on GitHub.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The parent, as it is now.
    pub parent: Issue,
    /// Sub-issues carrying a task marker for this parent, by key (the lowest
    /// number wins if a key somehow appears twice).
    pub subs: BTreeMap<TaskKey, (Issue, TaskMarker)>,
    /// Blocked-by links of each open sub-issue, by database id.
    pub blockers: BTreeMap<TaskKey, Vec<IssueId>>,
}

impl Observed {
    /// How each closed sub-issue ended.
    pub fn ended(&self) -> BTreeMap<TaskKey, Ended> {
        self.subs
            .iter()
            .filter(|(_, (i, _))| i.state == IssueState::Closed)
            .map(|(k, (i, _))| {
                let e = if matches!(i.state_reason, Some(StateReason::Completed) | None) {
                    Ended::Completed
                } else {
                    Ended::NotPlanned
                };
                (k.clone(), e)
            })
            .collect()
    }
}

/// Reads the parent and its marked sub-issues; blocked-by links of the open
/// ones only when `links` is set (they cost one read each).
pub async fn observe<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    parent: IssueNumber,
    links: bool,
) -> GhResult<Observed> {
    let parent_issue = gh.get_issue(repo, parent).await?;
    let mut subs: BTreeMap<TaskKey, (Issue, TaskMarker)> = BTreeMap::new();
    for issue in gh.list_sub_issues(repo, parent).await? {
        let Some(marker) = find_task(&issue.body).filter(|m| m.parent == parent) else {
            continue;
        };
        match subs.get(&marker.key) {
            Some((kept, _)) if kept.number < issue.number => {}
            _ => {
                subs.insert(marker.key.clone(), (issue, marker));
            }
        }
    }
    let mut blockers = BTreeMap::new();
    if links {
        for (key, (issue, _)) in &subs {
            if issue.state == IssueState::Open {
                let ids = gh.list_blocked_by(repo, issue.number).await?;
                blockers.insert(key.clone(), ids.into_iter().map(|i| i.id).collect());
            }
        }
    }
    Ok(Observed {
        parent: parent_issue,
        subs,
        blockers,
    })
}
