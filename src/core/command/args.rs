//! The words after a verb, with their columns, and the small vocabulary each
//! verb family uses to take them.

use super::Command;
use super::error::ParseErrorKind;

/// A failure located at a column of the line.
pub(super) type Located = (usize, ParseErrorKind);

/// One whitespace-separated word of a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Word<'a> {
    /// The word itself.
    pub text: &'a str,
    /// Byte offset in the line.
    pub offset: usize,
    /// 1-based column, in characters, in the comment's line.
    pub column: usize,
}

/// Splits `line` into words; `first_column` is the column of `line`'s first
/// character.
pub(super) fn words(line: &str, first_column: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (column, (offset, c)) in (first_column..).zip(line.char_indices()) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some((offset, column)),
            (true, Some((begin, col))) => {
                out.push(Word {
                    text: &line[begin..offset],
                    offset: begin,
                    column: col,
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some((begin, col)) = start {
        out.push(Word {
            text: &line[begin..],
            offset: begin,
            column: col,
        });
    }
    out
}

/// The arguments of one verb, consumed front to back.
#[derive(Debug, Clone, Copy)]
pub(super) struct Args<'a> {
    /// The canonical verb being parsed.
    pub verb: &'static str,
    line: &'a str,
    words: &'a [Word<'a>],
    /// Column just past the verb, where a missing argument should have been.
    end_column: usize,
}

impl<'a> Args<'a> {
    /// Wraps the words following the verb on `line`.
    pub fn new(line: &'a str, words: &'a [Word<'a>], end_column: usize) -> Self {
        Self {
            verb: "",
            line,
            words,
            end_column,
        }
    }

    /// The same arguments, with errors naming `verb`.
    pub fn verb(self, verb: &'static str) -> Self {
        Self { verb, ..self }
    }

    /// The next word, or a `MissingArgument` error naming `expected`.
    pub fn next(&mut self, expected: &'static str) -> Result<Word<'a>, Located> {
        match self.words.split_first() {
            Some((first, rest)) => {
                self.words = rest;
                Ok(*first)
            }
            None => Err((
                self.end_column,
                ParseErrorKind::MissingArgument {
                    verb: self.verb,
                    expected,
                },
            )),
        }
    }

    /// The rest of the line as written (inner spacing kept), if any.
    pub fn rest(&mut self) -> Option<String> {
        let first = self.words.first()?;
        let last = self.words.last()?;
        let text = &self.line[first.offset..last.offset + last.text.len()];
        self.words = &[];
        Some(text.to_owned())
    }

    /// Ends a command: any word left is a `TooManyArguments` error.
    pub fn done(self, command: Command) -> Result<Command, Located> {
        match self.words.first() {
            None => Ok(command),
            Some(first) => {
                let last = self.words.last().unwrap_or(first);
                Err((
                    first.column,
                    ParseErrorKind::TooManyArguments {
                        verb: self.verb,
                        extra: self.line[first.offset..last.offset + last.text.len()].to_owned(),
                    },
                ))
            }
        }
    }

    /// A `BadArgument` error for `word`.
    pub fn bad(&self, word: Word<'_>, expected: &'static str) -> Located {
        (
            word.column,
            ParseErrorKind::BadArgument {
                verb: self.verb,
                got: word.text.to_owned(),
                expected,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_carry_offsets_and_character_columns() {
        let got = words("é  ab\tc ", 5);
        let shape: Vec<(&str, usize, usize)> =
            got.iter().map(|w| (w.text, w.offset, w.column)).collect();
        assert_eq!(shape, [("é", 0, 5), ("ab", 4, 8), ("c", 7, 11)]);
    }

    #[test]
    fn rest_keeps_inner_spacing() {
        let line = "fail  flaky   test ";
        let ws = words(line, 1);
        let mut args = Args::new(line, &ws[1..], 5).verb("review");
        assert_eq!(args.rest().as_deref(), Some("flaky   test"));
        assert_eq!(args.rest(), None);
    }
}
