//! The one progress comment the Action keeps on a sub-issue while it runs:
//! a progress bar, the current step, checkpoints, artifacts, the run link and
//! the markers (progress key, heartbeat, retries) that make it findable.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::{RenderError, fit_body, render};
use crate::core::ids::TaskKey;
use crate::core::marker::{Marker, escape_user_text};
use crate::core::task::{Artifact, Progress, Status};

/// Everything the progress comment shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressCommentInput<'a> {
    /// The subtask.
    pub key: &'a TaskKey,
    /// Its lifecycle state now.
    pub status: Status,
    /// 0-100.
    pub progress: Progress,
    /// The step being worked on.
    pub step: Option<&'a str>,
    /// One sentence of our own about the outcome (already safe Markdown).
    pub note: Option<&'a str>,
    /// Milestones reached, oldest first.
    pub checkpoints: &'a [String],
    /// Outputs.
    pub artifacts: &'a [Artifact],
    /// The last log lines.
    pub logs: &'a [String],
    /// The workflow run doing the work.
    pub run_url: Option<&'a str>,
    /// The heartbeat to record.
    pub heartbeat: DateTime<Utc>,
    /// Retries spent.
    pub retries: u32,
    /// Retries allowed.
    pub max_retries: u32,
}

#[derive(Serialize)]
struct View {
    markers: String,
    icon: &'static str,
    key: String,
    status: &'static str,
    bar: String,
    percent: u8,
    step: Option<String>,
    note: Option<String>,
    checkpoints: Vec<String>,
    artifacts: Vec<String>,
    logs: Vec<String>,
    run_url: Option<String>,
    attempt: u32,
    attempts: u32,
    heartbeat: String,
}

/// A ten-cell text bar: `█████░░░░░`.
pub fn progress_bar(p: Progress) -> String {
    let full = usize::from(p.get()) / 10;
    format!("{}{}", "█".repeat(full), "░".repeat(10 - full))
}

/// User-reported text on one line, with markers and mentions neutralised.
fn one_line(s: &str) -> String {
    escape_user_text(s).replace(['\n', '\r'], " ")
}

/// Percent-encodes the characters that could end a Markdown link target.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' | ')' | '<' | '>' | ' ' | '"' | '\'' | '[' | ']' | '`' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::Completed => "✅",
        Status::Executing => "⏳",
        Status::Reviewing => "🔍",
        Status::Failed | Status::Rejected => "❌",
        Status::Blocked => "⛔",
        Status::Paused => "⏸️",
        Status::Cancelled => "🚫",
        Status::Created | Status::Queued | Status::Assigned => "🕒",
    }
}

/// The progress comment's Markdown, markers first.
pub fn progress_comment(input: &ProgressCommentInput<'_>) -> Result<String, RenderError> {
    let markers = [
        Marker::Progress {
            key: input.key.clone(),
        },
        Marker::Heartbeat {
            at: input.heartbeat,
        },
        Marker::Retries {
            count: input.retries,
        },
    ]
    .iter()
    .map(ToString::to_string)
    .collect::<Vec<_>>()
    .join("\n");
    let view = View {
        markers,
        icon: icon(input.status),
        key: input.key.to_string(),
        status: input.status.as_str(),
        bar: progress_bar(input.progress),
        percent: input.progress.get(),
        step: input.step.map(one_line),
        note: input.note.map(str::to_owned),
        checkpoints: input.checkpoints.iter().map(|c| one_line(c)).collect(),
        artifacts: input
            .artifacts
            .iter()
            .map(|a| {
                format!(
                    "[{}]({})",
                    one_line(&a.name).replace(['[', ']'], ""),
                    link_target(&a.url)
                )
            })
            .collect(),
        // Indented code: nothing in it renders as Markdown or HTML.
        logs: input
            .logs
            .iter()
            .map(|l| l.replace(['\n', '\r'], " "))
            .collect(),
        run_url: input.run_url.map(link_target),
        attempt: input.retries + 1,
        attempts: input.max_retries + 1,
        heartbeat: input.heartbeat.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    render("progress.md", &view).map(fit_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::marker::find_all;

    #[test]
    fn renders_bar_step_checkpoints_artifacts_and_markers() {
        let key = TaskKey::new("build").expect("key");
        let at = "2025-01-31T12:00:05Z".parse().expect("time");
        let body = progress_comment(&ProgressCommentInput {
            key: &key,
            status: Status::Executing,
            progress: Progress::new(30).expect("pct"),
            step: Some("compile @alice <!-- vayu:task -->"),
            note: None,
            checkpoints: &["schema done".into()],
            artifacts: &[Artifact {
                name: "report".into(),
                url: "https://x.test/a b)".into(),
            }],
            logs: &[],
            run_url: Some("https://github.com/o/r/actions/runs/7"),
            heartbeat: at,
            retries: 1,
            max_retries: 3,
        })
        .expect("render");
        assert_eq!(
            find_all(&body),
            [
                Marker::Progress { key: key.clone() },
                Marker::Heartbeat { at },
                Marker::Retries { count: 1 }
            ]
        );
        assert!(
            body.contains("`███░░░░░░░` **30%** · compile @\u{200b}alice &lt;!-- vayu:task -->")
        );
        assert!(body.contains("- schema done"));
        assert!(body.contains("- [report](https://x.test/a%20b%29)"));
        assert!(body.contains(
            "[Workflow run](https://github.com/o/r/actions/runs/7) · attempt 2 of 4 · last heartbeat 2025-01-31T12:00:05Z"
        ));
    }

    #[test]
    fn bar_has_ten_cells() {
        assert_eq!(progress_bar(Progress::ZERO), "░░░░░░░░░░");
        assert_eq!(progress_bar(Progress::DONE), "██████████");
    }
}
