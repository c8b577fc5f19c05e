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
    /// `x` when done, a space otherwise.
    mark: &'static str,
    /// The item's text, escaped; built here rather than in the template
    /// because its optional parts would end lines in block tags.
    text: String,
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
            let done = status == Some(Status::Completed);
            let mut text = String::new();
            if let Some(n) = entry.and_then(|e| e.issue) {
                text.push_str(&format!("#{n} "));
            }
            text.push_str(&escape_user_text(&s.title).replace(['\n', '\r'], " "));
            text.push_str(&format!(" · `{}` · {}", s.key, escape_user_text(&s.owner)));
            if !s.needs.is_empty() {
                let needs: Vec<String> = s.needs.iter().map(|k| format!("`{k}`")).collect();
                text.push_str(&format!(" · needs {}", needs.join(", ")));
            }
            if let Some(st) = status.filter(|_| !done) {
                text.push_str(&format!(" · _{st}_"));
            }
            Item {
                mark: if done { "x" } else { " " },
                text,
            }
        })
        .collect();
    let view = View {
        marker: render_marker(&Marker::Plan {
            hash: plan.hash.clone(),
        }),
        done: items.iter().filter(|i| i.mark == "x").count(),
        total: items.len(),
        items,
    };
    render("checklist.md", &view)
}
