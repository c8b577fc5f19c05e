//! Finds the lines of a comment that may hold a `/vayu` command: lines of a
//! top-level paragraph starting with `/vayu`, never inside code, quotes or HTML.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The command prefix, matched case-insensitively.
pub(super) const PREFIX: &str = "/vayu";

/// A line that starts with the command prefix in a place where commands count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CommandLine<'a> {
    /// 1-based line number in the comment.
    pub line: usize,
    /// 1-based column (in characters) of the `/` of the prefix.
    pub column: usize,
    /// From the prefix to the end of the line, without the line ending.
    pub text: &'a str,
}

/// Every command line of `text`, in order.
pub(super) fn command_lines(text: &str) -> Vec<CommandLine<'_>> {
    let regions = Regions::of(text);
    let mut paragraphs = regions.paragraphs.iter().peekable();
    let mut ignored = regions.ignored.iter().peekable();
    let mut out = Vec::new();
    for (index, line) in lines(text).enumerate() {
        let content = &text[line.clone()];
        let indent = content.bytes().take_while(|&b| b == b' ').count();
        // Four spaces would be an indented code block or a lazy continuation
        // that does not look like a command to the person who typed it.
        if indent > 3 || !starts_with_prefix(&content[indent..]) {
            continue;
        }
        let at = line.start + indent;
        // Both range lists are sorted and disjoint, and `at` only grows, so
        // each list is walked once: linear even on hostile input.
        while paragraphs.next_if(|r| r.end <= at).is_some() {}
        while ignored.next_if(|r| r.end <= at).is_some() {}
        let in_paragraph = paragraphs.peek().is_some_and(|r| r.start <= at);
        let in_ignored = ignored.peek().is_some_and(|r| r.start <= at);
        if in_paragraph && !in_ignored {
            out.push(CommandLine {
                line: index + 1,
                column: indent + 1,
                text: &content[indent..],
            });
        }
    }
    out
}

/// Whether `s` starts with the prefix as a whole word (`/vayux` does not).
fn starts_with_prefix(s: &str) -> bool {
    let Some(head) = s.get(..PREFIX.len()) else {
        return false;
    };
    head.eq_ignore_ascii_case(PREFIX)
        && s[PREFIX.len()..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
}

/// Byte ranges of each line's content, splitting on `\n`, `\r\n` and a lone
/// `\r` as CommonMark does.
pub(super) fn lines(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = &bytes[start..];
        match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(offset) => {
                let end = start + offset;
                let ending = if rest[offset..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                let range = start..end;
                start = end + ending;
                Some(range)
            }
            None => {
                done = true;
                Some(start..bytes.len())
            }
        }
    })
}

/// Where commands may be (top-level paragraphs) and where, inside those,
/// they may not (code spans, inline HTML such as comments).
#[derive(Debug, Default)]
struct Regions {
    paragraphs: Vec<Range<usize>>,
    ignored: Vec<Range<usize>>,
}

impl Regions {
    fn of(text: &str) -> Self {
        let mut regions = Regions::default();
        let mut quote_depth = 0usize;
        // GitHub's tables swallow the lines under a header row; parse them
        // as GitHub does so such a line is not taken for a command.
        let parser = Parser::new_ext(text, Options::ENABLE_TABLES);
        for (event, range) in parser.into_offset_iter() {
            match event {
                Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
                Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
                // A lazy continuation line of a quote is still quoted text.
                Event::Start(Tag::Paragraph) if quote_depth == 0 => {
                    regions.paragraphs.push(range);
                }
                Event::Code(_) | Event::InlineHtml(_) => regions.ignored.push(range),
                _ => {}
            }
        }
        regions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(usize, usize, &str)> {
        command_lines(text)
            .into_iter()
            .map(|c| (c.line, c.column, c.text))
            .collect()
    }

    #[test]
    fn splits_all_line_endings() {
        let text = "a\nb\r\nc\rd";
        let got: Vec<&str> = lines(text).map(|r| &text[r]).collect();
        assert_eq!(got, ["a", "b", "c", "d"]);
        let got: Vec<&str> = lines("x\n").map(|r| &"x\n"[r]).collect();
        assert_eq!(got, ["x", ""]);
    }

    #[test]
    fn finds_lines_of_top_level_paragraphs() {
        let text = "Hello\n/vayu plan\n\n   /VAYU retry\n\n/vayu";
        assert_eq!(
            found(text),
            [(2, 1, "/vayu plan"), (4, 4, "/VAYU retry"), (6, 1, "/vayu")]
        );
    }

    #[test]
    fn skips_code_quotes_and_html() {
        let cases = [
            "```\n/vayu plan\n```",
            "~~~\n/vayu plan\n~~~",
            "    /vayu plan",
            "text\n    /vayu plan",
            "> /vayu plan",
            "> quoted\n/vayu plan",
            "<!--\n/vayu plan\n-->",
            "Hi <!-- x\n/vayu plan\n-->",
            "``x\n/vayu plan``",
            "<div>\n/vayu plan\n</div>",
            "- /vayu plan",
            "use `/vayu plan` here",
            "/vayuplan",
            "# /vayu plan",
            "| a |\n|---|\n/vayu plan",
        ];
        for text in cases {
            assert_eq!(found(text), [], "{text:?}");
        }
    }

    #[test]
    fn a_paragraph_after_our_marker_still_counts() {
        assert_eq!(
            found("<!-- vayu:begin -->\n/vayu plan\n"),
            [(2, 1, "/vayu plan")]
        );
    }
}
