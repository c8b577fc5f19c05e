//! Turning byte offsets in an issue body into the 1-based line and
//! character column people see in an editor.

use super::model::Span;

/// Line starts of one text, for offset → line/column lookups in O(log n).
#[derive(Debug)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    /// The line and character column of a byte offset (clamped to the text).
    pub(crate) fn span(&self, offset: usize) -> Span {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Span { line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters() {
        let idx = LineIndex::new("ab\nçd\n\nx");
        assert_eq!(idx.span(0), Span { line: 1, column: 1 });
        assert_eq!(idx.span(2), Span { line: 1, column: 3 });
        assert_eq!(idx.span(3), Span { line: 2, column: 1 });
        // `ç` is two bytes but one column.
        assert_eq!(idx.span(5), Span { line: 2, column: 2 });
        assert_eq!(idx.span(8), Span { line: 4, column: 1 });
        assert_eq!(idx.span(99), Span { line: 4, column: 2 });
    }
}
