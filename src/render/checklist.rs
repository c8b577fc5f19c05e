//! The dependency checklist vayu keeps in the parent issue's body, between
//! `<!-- vayu:begin -->` and `<!-- vayu:end -->`.

use serde::Serialize;

use super::{RenderError, render};
use crate::core::ids::{IssueNumber, TaskKey};
use crate::core::marker::{Marker, escape_user_text, render as render_marker};
use crate::core::plan::Plan;
use crate::core::task::Status;

/// What is known on GitHub about one subtask, for the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistEntry {
    /// The subtask.
    pub key: TaskKey,
    /// Its sub-issue, once created.
    pub issue: Option<IssueNumber>,
    /// Its lifecycle state, once known.
    pub status: Option<Status>,
}

#[derive(Serialize)]
struct View {
    marker: String,
    items: Vec<Item>,
    done: usize,
    total: usize,
}

#[derive(Serialize)]
struct Item {
    done: bool,
    issue: Option<u64>,
    title: String,
    key: String,
    owner: String,
    needs: Vec<String>,
    status: Option<String>,
}

/// Renders the inside of the ours-block: the plan marker and one task-list
/// item per subtask, ticked when its sub-issue is completed.
pub fn checklist_block(plan: &Plan, entries: &[ChecklistEntry]) -> Result<String, RenderError> {
    let items: Vec<Item> = plan
        .subtasks
        .iter()
        .map(|s| {
            let entry = entries.iter().find(|e| e.key == s.key);
            let status = entry.and_then(|e| e.status);
            Item {
                done: status == Some(Status::Completed),
                issue: entry.and_then(|e| e.issue).map(|n| n.0),
                title: escape_user_text(&s.title).replace(['\n', '\r'], " "),
                key: s.key.to_string(),
                owner: escape_user_text(&s.owner),
                needs: s.needs.iter().map(|k| k.to_string()).collect(),
                status: status.map(|st| st.as_str().to_owned()),
            }
        })
        .collect();
    let view = View {
        marker: render_marker(&Marker::Plan {
            hash: plan.hash.clone(),
        }),
        done: items.iter().filter(|i| i.done).count(),
        total: items.len(),
        items,
    };
    render("checklist.md", &view)
}
