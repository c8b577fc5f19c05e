//! Turns plans and decisions into the Markdown vayu posts on GitHub, using the
//! minijinja templates in `templates/comments/`. Everything a user wrote is
//! escaped here, before it reaches a template, so templates can stay plain.

mod assignment;
mod checklist;
mod mermaid;
mod notes;
mod orchestration;
mod plan_comment;
mod progress_comment;
mod report;
mod simple_comment;

use std::sync::OnceLock;

use minijinja::Environment;
use minijinja::syntax::SyntaxConfig;

pub use assignment::{
    assignment_comment, auction_comment, claimable_comment, review_comment, review_failed_comment,
};
pub use checklist::{ChecklistEntry, checklist_block};
pub use mermaid::mermaid;
pub use notes::{
    CompletionRow, HelpRow, ProblemsInput, StatusRow, completion_report, help_comment, notice,
    problems_comment, status_comment, subtask_body,
};
pub use orchestration::{OrchestrationInput, orchestration_plan};
pub use plan_comment::{PlanCommentInput, plan_comment};
pub use progress_comment::{ProgressCommentInput, progress_bar, progress_comment};
pub use report::{overall_progress, progress_report};
pub use simple_comment::{SimpleCommentInput, simple_comment};

/// GitHub rejects issue and comment bodies longer than this many characters.
pub const MAX_BODY_CHARS: usize = 65_536;

/// A template failed to render: always a bug in vayu, never the user's input.
#[derive(Debug, thiserror::Error)]
#[error("rendering template `{template}` failed: {source}")]
pub struct RenderError {
    template: &'static str,
    #[source]
    source: minijinja::Error,
}

/// The built-in templates, compiled once.
fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Whitespace control keeps the templates readable without leaking
        // blank lines into the Markdown.
        if let Ok(syntax) = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            // The templates are compiled into the binary and covered by tests,
            // so a syntax error here cannot come from input.
            if let Err(e) = env.add_template(name, source) {
                panic!("built-in template {name} does not compile: {e}");
            }
        }
        env
    })
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "assignment.md",
        include_str!("../../templates/comments/assignment.md.j2"),
    ),
    (
        "auction.md",
        include_str!("../../templates/comments/auction.md.j2"),
    ),
    (
        "claimable.md",
        include_str!("../../templates/comments/claimable.md.j2"),
    ),
    (
        "review.md",
        include_str!("../../templates/comments/review.md.j2"),
    ),
    (
        "review_failed.md",
        include_str!("../../templates/comments/review_failed.md.j2"),
    ),
    (
        "checklist.md",
        include_str!("../../templates/comments/checklist.md.j2"),
    ),
    (
        "completion.md",
        include_str!("../../templates/comments/completion.md.j2"),
    ),
    (
        "help.md",
        include_str!("../../templates/comments/help.md.j2"),
    ),
    (
        "notice.md",
        include_str!("../../templates/comments/notice.md.j2"),
    ),
    (
        "plan.md",
        include_str!("../../templates/comments/plan.md.j2"),
    ),
    (
        "problems.md",
        include_str!("../../templates/comments/problems.md.j2"),
    ),
    (
        "progress.md",
        include_str!("../../templates/comments/progress.md.j2"),
    ),
    (
        "report.md",
        include_str!("../../templates/comments/report.md.j2"),
    ),
    (
        "simple.md",
        include_str!("../../templates/comments/simple.md.j2"),
    ),
    (
        "status.md",
        include_str!("../../templates/comments/status.md.j2"),
    ),
    (
        "subtask.md",
        include_str!("../../templates/comments/subtask.md.j2"),
    ),
];

/// Renders one built-in template with a serializable context.
fn render<T: serde::Serialize>(template: &'static str, ctx: &T) -> Result<String, RenderError> {
    let env = environment();
    let tmpl = env
        .get_template(template)
        .map_err(|source| RenderError { template, source })?;
    tmpl.render(minijinja::value::Serde(ctx))
        .map_err(|source| RenderError { template, source })
}

/// Truncates a body to GitHub's limit, on a character boundary, with a note.
pub fn fit_body(mut body: String) -> String {
    if body.chars().count() <= MAX_BODY_CHARS {
        return body;
    }
    const NOTE: &str = "\n\n… (truncated to fit GitHub's 65,536-character limit)";
    let keep = MAX_BODY_CHARS - NOTE.chars().count();
    let cut = body.char_indices().nth(keep).map_or(body.len(), |(i, _)| i);
    body.truncate(cut);
    body.push_str(NOTE);
    body
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn every_builtin_template_compiles() {
        let env = environment();
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn long_bodies_are_cut_to_the_limit() {
        let body = "é".repeat(MAX_BODY_CHARS + 10);
        let fitted = fit_body(body);
        assert_eq!(fitted.chars().count(), MAX_BODY_CHARS);
        assert!(fitted.ends_with("limit)"));
        assert_eq!(fit_body("short".into()), "short");
    }
}

#[cfg(test)]
mod tests;
