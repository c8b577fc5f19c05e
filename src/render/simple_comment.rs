//! The comment vayu posts when it routes a simple task to one owner.

use serde::Serialize;

use super::{RenderError, render};
use crate::core::config::Config;
use crate::core::marker::escape_user_text;

/// What the simple-task comment needs.
#[derive(Debug, Clone)]
pub struct SimpleCommentInput<'a> {
    /// The owner domain the task goes to.
    pub owner: &'a str,
    /// The configuration whose thresholds were applied.
    pub config: &'a Config,
    /// Whether this is a preview rather than applied.
    pub preview: bool,
}

#[derive(Serialize)]
struct View {
    owner: String,
    owner_label: String,
    files: usize,
    minutes: u32,
    preview: bool,
}

/// Renders the simple-task comment as Markdown.
pub fn simple_comment(input: &SimpleCommentInput<'_>) -> Result<String, RenderError> {
    let view = View {
        owner: escape_user_text(input.owner),
        owner_label: escape_user_text(&input.config.labels.owner_label(input.owner)),
        files: input.config.complexity.files,
        minutes: input.config.complexity.minutes,
        preview: input.preview,
    };
    render("simple.md", &view)
}
