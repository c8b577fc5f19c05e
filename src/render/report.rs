//! The parent's progress report: subtasks with their states, a Mermaid graph
//! coloured by state, and overall progress.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::progress_comment::progress_bar;
use super::{ChecklistEntry, RenderError, fit_body, mermaid, render};
use crate::core::ids::TaskKey;
use crate::core::marker::{Marker, escape_user_text};
use crate::core::plan::Plan;
use crate::core::task::{Progress, Status};

#[derive(Serialize)]
struct View {
    marker: String,
    done: usize,
    total: usize,
    bar: String,
    percent: u8,
    items: Vec<Item>,
    mermaid: String,
    at: String,
}

#[derive(Serialize)]
struct Item {
    mark: &'static str,
    text: String,
}

/// Overall progress: the share of subtasks completed, rounded down.
pub fn overall_progress(done: usize, total: usize) -> Progress {
    let pct = (done * 100).checked_div(total).unwrap_or(0);
    Progress::new(u32::try_from(pct).unwrap_or(100)).unwrap_or(Progress::DONE)
}

/// Renders the report comment (it starts with the `vayu:report` marker).
pub fn progress_report(
    plan: &Plan,
    entries: &[ChecklistEntry],
    at: DateTime<Utc>,
) -> Result<String, RenderError> {
    let states: BTreeMap<TaskKey, Status> = entries
        .iter()
        .filter_map(|e| e.status.map(|s| (e.key.clone(), s)))
        .collect();
    let items: Vec<Item> = plan
        .subtasks
        .iter()
        .map(|s| {
            let entry = entries.iter().find(|e| e.key == s.key);
            let status = entry.and_then(|e| e.status);
            let issue = entry
                .and_then(|e| e.issue)
                .map(|n| format!("#{n} "))
                .unwrap_or_default();
            Item {
                mark: if status == Some(Status::Completed) {
                    "x"
                } else {
                    " "
                },
                text: format!(
                    "{issue}{} · `{}` · **{}**",
                    escape_user_text(&s.title).replace(['\n', '\r'], " "),
                    s.key,
                    status.map_or("not started", Status::as_str)
                ),
            }
        })
        .collect();
    let done = items.iter().filter(|i| i.mark == "x").count();
    let total = items.len();
    let progress = overall_progress(done, total);
    let view = View {
        marker: Marker::Report.to_string(),
        done,
        total,
        bar: progress_bar(progress),
        percent: progress.get(),
        items,
        mermaid: mermaid(plan, Some(&states)),
        at: at.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    render("report.md", &view).map(fit_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overall_progress_is_the_completed_share() {
        assert_eq!(overall_progress(1, 3).get(), 33);
        assert_eq!(overall_progress(3, 3).get(), 100);
        assert_eq!(overall_progress(0, 0).get(), 0);
    }
}
