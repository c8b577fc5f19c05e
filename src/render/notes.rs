//! The orchestrator's other comments and the sub-issue body: problems with
//! a plan or config, the completion report, help, status, short notices.
//! Each starts with the caller's hidden marker so vayu can find it again.

use serde::Serialize;

use super::{RenderError, fit_body, render};
use crate::core::ids::IssueNumber;
use crate::core::marker::{escape_table_cell, escape_user_text};
use crate::core::plan::{Outcome, Subtask};

/// The body of one subtask's sub-issue.
pub fn subtask_body(marker: &str, parent: IssueNumber, s: &Subtask) -> Result<String, RenderError> {
    #[derive(Serialize)]
    struct View {
        marker: String,
        parent: u64,
        owner: String,
        estimate: String,
        stage: usize,
        description: Option<String>,
        success: Option<String>,
        files: Vec<String>,
        needs: String,
    }
    let mut needs: Vec<String> = s.needs.iter().map(|k| format!("`{k}`")).collect();
    if let Some(c) = &s.when {
        let outcome = match c.outcome {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
        };
        needs.push(format!("(only if `{}` {outcome})", c.key));
    }
    let view = View {
        marker: marker.to_owned(),
        parent: parent.0,
        owner: escape_user_text(&s.owner),
        estimate: s.estimate.to_string(),
        stage: s.stage,
        description: s.description.as_deref().map(escape_user_text),
        success: s.success.as_deref().map(escape_user_text),
        files: s.files.iter().map(|f| f.replace('`', "'")).collect(),
        needs: needs.join(", "),
    };
    render("subtask.md", &view).map(fit_body)
}

/// A list of problems (plan or config) with what to do about them.
#[derive(Debug, Clone)]
pub struct ProblemsInput<'a> {
    /// The hidden marker that identifies the comment.
    pub marker: &'a str,
    /// The heading.
    pub title: &'a str,
    /// One sentence before the list.
    pub intro: &'a str,
    /// Each problem, with its position.
    pub problems: Vec<String>,
    /// How to fix it.
    pub fix: &'a str,
}

/// Renders a problems comment.
pub fn problems_comment(input: &ProblemsInput<'_>) -> Result<String, RenderError> {
    #[derive(Serialize)]
    struct View<'a> {
        marker: &'a str,
        title: &'a str,
        intro: &'a str,
        problems: Vec<String>,
        fix: &'a str,
    }
    let view = View {
        marker: input.marker,
        title: input.title,
        intro: input.intro,
        problems: input
            .problems
            .iter()
            .map(|p| escape_user_text(p).replace('\n', " "))
            .collect(),
        fix: input.fix,
    };
    render("problems.md", &view).map(fit_body)
}

/// One subtask in the completion report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRow {
    /// Its title.
    pub title: String,
    /// Its sub-issue.
    pub issue: IssueNumber,
    /// Whether it was completed.
    pub completed: bool,
    /// Minutes from creation to close, when both are known.
    pub minutes: Option<i64>,
    /// How often it was retried.
    pub retries: u32,
}

/// The report posted on a parent when every subtask is closed.
pub fn completion_report(marker: &str, rows: &[CompletionRow]) -> Result<String, RenderError> {
    #[derive(Serialize)]
    struct Row {
        title: String,
        issue: u64,
        outcome: &'static str,
        took: String,
        retries: u32,
    }
    #[derive(Serialize)]
    struct View<'a> {
        marker: &'a str,
        rows: Vec<Row>,
        failures: String,
    }
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| !r.completed)
        .map(|r| format!("#{}", r.issue))
        .collect();
    let view = View {
        marker,
        rows: rows
            .iter()
            .map(|r| Row {
                title: escape_table_cell(&r.title),
                issue: r.issue.0,
                outcome: if r.completed {
                    "completed"
                } else {
                    "not planned"
                },
                took: r
                    .minutes
                    .map_or_else(|| "—".to_owned(), |m| format!("{m} min")),
                retries: r.retries,
            })
            .collect(),
        failures: failures.join(", "),
    };
    render("completion.md", &view).map(fit_body)
}

/// One verb in the help comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HelpRow {
    /// `/vayu assign <@user|owner>`.
    pub usage: String,
    /// What it does.
    pub help: String,
    /// `write or above`.
    pub who: String,
}

/// The `/vayu help` reply.
pub fn help_comment(marker: &str, verbs: &[HelpRow]) -> Result<String, RenderError> {
    #[derive(Serialize)]
    struct View<'a> {
        marker: &'a str,
        verbs: Vec<HelpRow>,
    }
    let verbs = verbs
        .iter()
        .map(|v| HelpRow {
            usage: v.usage.replace('|', "\\|"),
            help: escape_table_cell(&v.help),
            who: v.who.clone(),
        })
        .collect();
    render("help.md", &View { marker, verbs })
}

/// One subtask in the status reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// Its title.
    pub title: String,
    /// Its sub-issue.
    pub issue: IssueNumber,
    /// Its status word.
    pub status: String,
}

/// The `/vayu status` reply.
pub fn status_comment(
    marker: &str,
    status: &str,
    rows: &[StatusRow],
) -> Result<String, RenderError> {
    #[derive(Serialize)]
    struct Row {
        title: String,
        issue: u64,
        status: String,
    }
    #[derive(Serialize)]
    struct View<'a> {
        marker: &'a str,
        status: &'a str,
        done: usize,
        rows: Vec<Row>,
    }
    let view = View {
        marker,
        status,
        done: rows.iter().filter(|r| r.status == "completed").count(),
        rows: rows
            .iter()
            .map(|r| Row {
                title: escape_table_cell(&r.title),
                issue: r.issue.0,
                status: r.status.clone(),
            })
            .collect(),
    };
    render("status.md", &view).map(fit_body)
}

/// A short notice: `text` is Markdown vayu wrote, with any user text already escaped.
pub fn notice(marker: &str, text: &str) -> Result<String, RenderError> {
    #[derive(Serialize)]
    struct View<'a> {
        marker: &'a str,
        text: &'a str,
    }
    render("notice.md", &View { marker, text }).map(fit_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Config;
    use crate::core::plan::{parse_block, validate_with};

    #[test]
    fn subtask_body_of_the_auth_tests_step() {
        let spec = parse_block(include_str!("../../examples/auth-system.md"))
            .expect("parses")
            .expect("block");
        let plan = validate_with(&spec, &Config::default()).expect("valid");
        let tests = &plan.subtasks[3];
        let body = subtask_body(
            "<!-- vayu:task v=1 parent=#12 key=tests plan=abc -->",
            IssueNumber(12),
            tests,
        )
        .expect("renders");
        insta::assert_snapshot!(body);
    }

    #[test]
    fn completion_report_lists_outcomes_and_durations() {
        let rows = [
            CompletionRow {
                title: "Design | architecture".into(),
                issue: IssueNumber(13),
                completed: true,
                minutes: Some(12),
                retries: 0,
            },
            CompletionRow {
                title: "Ship".into(),
                issue: IssueNumber(14),
                completed: false,
                minutes: None,
                retries: 2,
            },
        ];
        insta::assert_snapshot!(completion_report("<!-- m -->", &rows).expect("renders"));
    }
}
