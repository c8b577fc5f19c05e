//! The part of an issue body that is vayu's: the text between
//! `<!-- vayu:begin -->` and `<!-- vayu:end -->`. Everything outside it is
//! the user's and is never changed, byte for byte.
//!
//! The delimiters are matched literally (not as HTML comments) so that a
//! user's unclosed `<!--` cannot hide our block from us and make every
//! update append a new one.

use std::ops::Range;

/// Opens vayu's block.
pub const BEGIN: &str = "<!-- vayu:begin -->";
/// Closes vayu's block.
pub const END: &str = "<!-- vayu:end -->";

/// What [`replace_block`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockOutcome {
    /// The existing block's content was replaced.
    Replaced,
    /// There was no block; one was appended.
    Appended,
    /// The body had a `begin` with no `end` after it (someone edited it
    /// away); rather than guess where our text stopped and risk eating the
    /// user's, a fresh block was appended and the stray `begin` left alone.
    AppendedAfterUnclosed,
}

/// A body with vayu's block updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// The new body.
    pub body: String,
    /// How the block was written.
    pub outcome: BlockOutcome,
}

/// Where the block is, or why it is not there.
enum Found {
    /// The bytes strictly between `BEGIN` and `END`.
    Block(Range<usize>),
    Absent,
    Unclosed,
}

/// Finds the first complete block: the first `END` that follows a `BEGIN`,
/// with the last `BEGIN` before it (a stray, unclosed `BEGIN` earlier in the
/// body is skipped that way).
fn locate(body: &str) -> Found {
    let Some(first_begin) = body.find(BEGIN) else {
        return Found::Absent;
    };
    let after_first = first_begin + BEGIN.len();
    let Some(end) = body[after_first..].find(END).map(|e| after_first + e) else {
        return Found::Unclosed;
    };
    let begin = body[first_begin..end]
        .rfind(BEGIN)
        .map_or(first_begin, |b| first_begin + b);
    Found::Block(begin + BEGIN.len()..end)
}

/// The content of vayu's block, without the line breaks that frame it.
pub fn extract_block(body: &str) -> Option<&str> {
    let Found::Block(range) = locate(body) else {
        return None;
    };
    let inner = &body[range];
    // GitHub's web editor turns `\n` into `\r\n`; the opening break says which
    // one frames this block.
    let (inner, ending) = match inner.strip_prefix("\r\n") {
        Some(rest) => (rest, "\r\n"),
        None => (inner.strip_prefix('\n').unwrap_or(inner), "\n"),
    };
    Some(inner.strip_suffix(ending).unwrap_or(inner))
}

/// Replaces the content of vayu's block with `inner`, or appends a block
/// after a blank line when there is none. Text outside the block is kept
/// byte for byte. Delimiters inside `inner` are neutralised so the block
/// always ends where we put its end.
pub fn replace_block(body: &str, inner: &str) -> Replaced {
    let inner = neutralise_delimiters(inner);
    match locate(body) {
        Found::Block(range) => Replaced {
            body: format!("{}\n{inner}\n{}", &body[..range.start], &body[range.end..]),
            outcome: BlockOutcome::Replaced,
        },
        found => {
            let separator =
                if body.is_empty() || body.ends_with("\n\n") || body.ends_with("\r\n\r\n") {
                    ""
                } else if body.ends_with('\n') {
                    "\n"
                } else {
                    "\n\n"
                };
            Replaced {
                body: format!("{body}{separator}{BEGIN}\n{inner}\n{END}"),
                outcome: match found {
                    Found::Unclosed => BlockOutcome::AppendedAfterUnclosed,
                    _ => BlockOutcome::Appended,
                },
            }
        }
    }
}

fn neutralise_delimiters(inner: &str) -> String {
    inner
        .replace(BEGIN, "&lt;!-- vayu:begin -->")
        .replace(END, "&lt;!-- vayu:end -->")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn appends_after_a_blank_line() {
        let cases = [
            ("", "<!-- vayu:begin -->\nX\n<!-- vayu:end -->"),
            ("Hi", "Hi\n\n<!-- vayu:begin -->\nX\n<!-- vayu:end -->"),
            ("Hi\n", "Hi\n\n<!-- vayu:begin -->\nX\n<!-- vayu:end -->"),
            ("Hi\n\n", "Hi\n\n<!-- vayu:begin -->\nX\n<!-- vayu:end -->"),
        ];
        for (body, want) in cases {
            let got = replace_block(body, "X");
            assert_eq!(got.body, want, "{body:?}");
            assert_eq!(got.outcome, BlockOutcome::Appended);
        }
    }

    #[test]
    fn replaces_only_between_the_delimiters() {
        let body = "Intro\r\n\r\n<!-- vayu:begin -->\r\nold\r\n<!-- vayu:end -->\r\nOutro ";
        assert_eq!(extract_block(body), Some("old"));
        let got = replace_block(body, "- [ ] new\n- [x] done");
        assert_eq!(got.outcome, BlockOutcome::Replaced);
        assert_eq!(
            got.body,
            "Intro\r\n\r\n<!-- vayu:begin -->\n- [ ] new\n- [x] done\n<!-- vayu:end -->\r\nOutro "
        );
        assert_eq!(extract_block(&got.body), Some("- [ ] new\n- [x] done"));
    }

    #[test]
    fn unclosed_begin_keeps_user_text_and_appends() {
        let body = "<!-- vayu:begin -->\nuser text the end marker was edited out of";
        assert_eq!(extract_block(body), None);
        let got = replace_block(body, "ours");
        assert_eq!(got.outcome, BlockOutcome::AppendedAfterUnclosed);
        assert!(got.body.starts_with(body));
        assert_eq!(extract_block(&got.body), Some("ours"));
        // And the next update finds that block rather than appending again.
        let again = replace_block(&got.body, "ours 2");
        assert_eq!(again.outcome, BlockOutcome::Replaced);
        assert!(again.body.starts_with(body));
        assert_eq!(extract_block(&again.body), Some("ours 2"));
    }

    #[test]
    fn stray_end_before_the_block_is_user_text() {
        let body = "a <!-- vayu:end --> b\n\n<!-- vayu:begin -->\nx\n<!-- vayu:end -->";
        assert_eq!(extract_block(body), Some("x"));
        assert_eq!(
            replace_block(body, "y").body,
            "a <!-- vayu:end --> b\n\n<!-- vayu:begin -->\ny\n<!-- vayu:end -->"
        );
    }

    #[test]
    fn delimiters_inside_the_new_content_cannot_end_the_block() {
        let got = replace_block("Hi", "a <!-- vayu:end --> b <!-- vayu:begin -->");
        assert_eq!(
            extract_block(&got.body),
            Some("a &lt;!-- vayu:end --> b &lt;!-- vayu:begin -->")
        );
    }

    #[test]
    fn an_unclosed_user_comment_does_not_hide_the_block() {
        let got = replace_block("note <!-- draft", "x");
        assert_eq!(extract_block(&got.body), Some("x"));
        assert_eq!(
            replace_block(&got.body, "y").outcome,
            BlockOutcome::Replaced
        );
    }

    #[test]
    fn framing_is_exact_for_edge_contents() {
        for inner in ["", "\n", "\r", "\r\n", "a\n", "\na", " "] {
            let got = replace_block("body", inner);
            assert_eq!(extract_block(&got.body), Some(inner), "{inner:?}");
        }
    }

    fn no_delimiters() -> impl Strategy<Value = String> {
        any::<String>().prop_filter("no delimiters", |s| !s.contains(BEGIN) && !s.contains(END))
    }

    proptest! {
        #[test]
        fn outside_text_is_preserved(
            prefix in no_delimiters(),
            suffix in no_delimiters(),
            old in no_delimiters(),
            new in no_delimiters(),
        ) {
            let body = format!("{prefix}{BEGIN}\n{old}\n{END}{suffix}");
            prop_assert_eq!(extract_block(&body), Some(old.as_str()));
            let got = replace_block(&body, &new);
            prop_assert_eq!(got.outcome, BlockOutcome::Replaced);
            prop_assert_eq!(extract_block(&got.body), Some(new.as_str()));
            let head = format!("{prefix}{BEGIN}");
            let tail = format!("{END}{suffix}");
            prop_assert!(got.body.starts_with(&head));
            prop_assert!(got.body.ends_with(&tail));
        }

        #[test]
        fn appending_keeps_the_body_as_prefix(body in no_delimiters(), new in no_delimiters()) {
            let got = replace_block(&body, &new);
            prop_assert_eq!(got.outcome, BlockOutcome::Appended);
            prop_assert!(got.body.starts_with(&body));
            prop_assert_eq!(extract_block(&got.body), Some(new.as_str()));
            let again = replace_block(&got.body, &new);
            prop_assert_eq!(again.body, got.body, "idempotent");
        }
    }
}
