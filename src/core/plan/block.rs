//! Plan source 1: the first ```` ```vayu ```` fenced block of an issue body,
//! read as YAML, with every position reported in body coordinates.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::error::{PlanError, ProblemKind};
use super::model::{PlanSource, PlanSpec, Span};
use super::ours::OursTracker;
use super::position::LineIndex;
use super::yaml::{self, PlanDoc};

/// The raw YAML of a found block and where each of its lines starts in the body.
#[derive(Debug)]
struct FoundBlock {
    yaml: String,
    /// Byte offset in the body of each YAML line's first character.
    line_starts: Vec<usize>,
    /// Byte offset of the opening fence.
    fence: usize,
}

/// Parses the first ```` ```vayu ```` block (info string's first word `vayu`)
/// outside vayu's own markers; `Ok(None)` when the body has none.
pub fn parse_block(body: &str) -> Result<Option<PlanSpec>, PlanError> {
    let Some(found) = find_block(body) else {
        return Ok(None);
    };
    let index = LineIndex::new(body);
    let fence_span = index.span(found.fence);
    let place = |line: usize, column: usize| -> Span {
        match found.line_starts.get(line.saturating_sub(1)) {
            Some(&offset) => {
                let start = index.span(offset);
                Span {
                    line: start.line,
                    column: start.column + column.saturating_sub(1),
                }
            }
            // Past the last line (an error at end of input): count on from it.
            None => {
                let last = found
                    .line_starts
                    .last()
                    .map_or(fence_span, |&o| index.span(o));
                Span {
                    line: last.line + line.saturating_sub(found.line_starts.len()),
                    column: last.column + column.saturating_sub(1),
                }
            }
        }
    };
    if found.yaml.trim().is_empty() {
        return Err(PlanError::one(Some(fence_span), ProblemKind::EmptyBlock));
    }
    let doc: PlanDoc = yaml::parse(&found.yaml).map_err(|e| {
        let span = e.at.map_or(fence_span, |(l, c)| place(l, c));
        PlanError::one(Some(span), ProblemKind::Yaml { message: e.message })
    })?;
    Ok(Some(PlanSpec {
        mode: doc.mode,
        subtasks: yaml::into_specs(doc.subtasks, &place),
        source: PlanSource::Block,
    }))
}

fn find_block(body: &str) -> Option<FoundBlock> {
    let mut ours = OursTracker::default();
    let mut current: Option<FoundBlock> = None;
    for (event, range) in Parser::new_ext(body, Options::empty()).into_offset_iter() {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => ours.see_html(&html),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if !ours.inside() && info.split_whitespace().next() == Some("vayu") =>
            {
                current = Some(FoundBlock {
                    yaml: String::new(),
                    line_starts: Vec::new(),
                    fence: range.start,
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    // Each piece is one line of the block, sliced from the body
                    // after any list or quote indentation was removed.
                    let mut at_line_start = block.yaml.is_empty() || block.yaml.ends_with('\n');
                    for (i, byte) in text.bytes().enumerate() {
                        if at_line_start {
                            block.line_starts.push(range.start + i);
                        }
                        at_line_start = byte == b'\n';
                    }
                    block.yaml.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) if current.is_some() => return current,
            _ => {}
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::plan::model::Mode;

    #[test]
    fn no_block_means_no_plan() {
        let body = "Some text\n\n```yaml\nsubtasks: []\n```\n";
        assert_eq!(parse_block(body), Ok(None));
    }

    #[test]
    fn takes_the_first_vayu_block_and_places_subtasks_in_the_body() {
        let body = "Intro\n\n```vayu\nmode: stages\nsubtasks:\n  - key: a\n    title: A\n  - key: b\n    title: B\n```\n\n```vayu\nsubtasks: []\n```\n";
        let spec = parse_block(body).expect("valid").expect("found");
        assert_eq!(spec.mode, Some(Mode::Stages));
        assert_eq!(spec.source, PlanSource::Block);
        let spans: Vec<_> = spec.subtasks.iter().map(|s| s.span).collect();
        assert_eq!(
            spans,
            vec![
                Some(Span { line: 6, column: 5 }),
                Some(Span { line: 8, column: 5 })
            ]
        );
    }

    #[test]
    fn positions_inside_a_list_item_count_the_indentation() {
        let body = "- step\n\n  ```vayu\n  subtasks:\n    - key: a\n      title: A\n      color: red\n  ```\n";
        let err = parse_block(body).expect_err("unknown field");
        assert_eq!(err.problems.len(), 1);
        assert_eq!(err.problems[0].span, Some(Span { line: 7, column: 7 }));
    }

    #[test]
    fn unknown_key_is_refused_at_its_body_position() {
        // The block starts at body line 5, its YAML at line 6.
        let body = "# Auth\n\nSee below.\n\n```vayu\nsubtasks:\n  - key: design\n    title: Design\n    ownr: development\n```\n";
        let err = parse_block(body).expect_err("unknown key");
        assert_eq!(
            err.to_string(),
            "line 9, column 5: the ```vayu block is not a valid plan: unknown field `ownr`, expected one of key, title, owner, needs, when, resources, estimate, files, success, description"
        );
    }

    #[test]
    fn yaml_syntax_error_is_placed_in_the_body() {
        let body = "# Auth\n\nSee below.\n\n```vayu\nsubtasks:\n  - key: design\n    title: Design: x\n```\n";
        let err = parse_block(body).expect_err("syntax");
        assert_eq!(err.problems.len(), 1);
        let span = err.problems[0].span.expect("placed");
        assert_eq!((span.line, span.column), (8, 18), "{err}");
        assert_eq!(
            err.to_string(),
            "line 8, column 18: the ```vayu block is not a valid plan: mapping values are not allowed in this context"
        );
        assert!(
            matches!(&err.problems[0].kind, ProblemKind::Yaml { .. }),
            "{err}"
        );
    }

    #[test]
    fn empty_block_points_at_its_fence() {
        let body = "x\n\n```vayu\n\n```\n";
        assert_eq!(
            parse_block(body).expect_err("empty").to_string(),
            "line 3, column 1: the ```vayu block is empty: list the work under `subtasks:`"
        );
    }

    #[test]
    fn our_own_block_is_skipped() {
        let body = "<!-- vayu:begin -->\n```vayu\nsubtasks: []\n```\n<!-- vayu:end -->\n";
        assert_eq!(parse_block(body), Ok(None));
    }
}
