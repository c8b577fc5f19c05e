//! A Mermaid `graph TD` of a plan's DAG, optionally coloured by status.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::core::ids::TaskKey;
use crate::core::marker::escape_mermaid_label;
use crate::core::plan::{Outcome, Plan};
use crate::core::task::Status;

/// Renders the plan as Mermaid source (without the code fence). With
/// `states`, nodes get a class per status so a report shows progress.
pub fn mermaid(plan: &Plan, states: Option<&BTreeMap<TaskKey, Status>>) -> String {
    let mut out = String::from("graph TD\n");
    for s in &plan.subtasks {
        let label = escape_mermaid_label(&s.title);
        // Keys are checked to be `[A-Za-z0-9_.-]`, which Mermaid accepts as
        // ids once dots and dashes are mapped.
        let _ = writeln!(
            out,
            "  {}[\"{}<br/><small>{} · {}</small>\"]",
            node_id(&s.key),
            label,
            escape_mermaid_label(&s.owner),
            s.estimate
        );
    }
    for s in &plan.subtasks {
        for need in &s.needs {
            let conditional = s.when.as_ref().filter(|c| &c.key == need);
            match conditional {
                Some(c) => {
                    let word = match c.outcome {
                        Outcome::Succeeded => "if succeeded",
                        Outcome::Failed => "if failed",
                    };
                    let _ = writeln!(
                        out,
                        "  {} -. {} .-> {}",
                        node_id(need),
                        word,
                        node_id(&s.key)
                    );
                }
                None => {
                    let _ = writeln!(out, "  {} --> {}", node_id(need), node_id(&s.key));
                }
            }
        }
    }
    if let Some(states) = states {
        let mut by_status: BTreeMap<Status, Vec<&TaskKey>> = BTreeMap::new();
        for s in &plan.subtasks {
            if let Some(st) = states.get(&s.key) {
                by_status.entry(*st).or_default().push(&s.key);
            }
        }
        for (status, keys) in &by_status {
            let _ = writeln!(
                out,
                "  classDef {} {}",
                status.as_str(),
                class_style(*status)
            );
            let ids: Vec<String> = keys.iter().map(|k| node_id(k)).collect();
            let _ = writeln!(out, "  class {} {}", ids.join(","), status.as_str());
        }
    }
    out
}

fn node_id(key: &TaskKey) -> String {
    let mapped: String = key
        .as_str()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("t_{mapped}")
}

fn class_style(status: Status) -> &'static str {
    match status {
        Status::Completed => "fill:#d3f9d8,stroke:#2b8a3e",
        Status::Executing | Status::Assigned => "fill:#fff3bf,stroke:#e67700",
        Status::Reviewing => "fill:#e5dbff,stroke:#5f3dc4",
        Status::Failed | Status::Rejected => "fill:#ffe3e3,stroke:#c92a2a",
        Status::Blocked | Status::Paused => "fill:#f1f3f5,stroke:#868e96",
        Status::Cancelled => "fill:#f8f9fa,stroke:#adb5bd,stroke-dasharray:3",
        Status::Created | Status::Queued => "fill:#e7f5ff,stroke:#1971c2",
    }
}
