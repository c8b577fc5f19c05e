//! Where each key and value of a YAML document is, by key path.
//!
//! serde reports an unknown key without the section it is in, and our own
//! validation knows paths but not positions; one pass over the parser's event
//! stream (no alias expansion, so linear in the text) answers both.

use serde_saphyr::granit_parser::{Event, Parser};

/// One node of the document: where it starts and the path that reaches it.
#[derive(Debug, Clone)]
struct Entry {
    path: String,
    line: usize,
    column: usize,
    is_key: bool,
}

#[derive(Debug)]
enum Frame {
    Map {
        path: String,
        key: Option<String>,
        expecting_key: bool,
    },
    Seq {
        path: String,
        next: usize,
    },
}

/// The positions of the keys and values of one YAML document.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    entries: Vec<Entry>,
    /// Positions of alias (`*name`) uses, in document order.
    pub(crate) aliases: Vec<(usize, usize)>,
}

impl KeyIndex {
    /// Indexes `text` up to its end or its first syntax error (which the
    /// deserializer reports itself).
    pub(crate) fn build(text: &str) -> Self {
        let mut index = KeyIndex::default();
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let (line, column) = (span.start.line(), span.start.col() + 1);
            match &event {
                Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..) => {}
                Event::Alias(_) => index.aliases.push((line, column)),
                Event::SequenceEnd | Event::MappingEnd => {
                    stack.pop();
                    continue;
                }
                Event::DocumentEnd => break,
                _ => continue,
            }
            let path = match stack.last_mut() {
                None => String::new(),
                Some(Frame::Seq { path, next }) => {
                    *next += 1;
                    format!("{path}[{}]", *next - 1)
                }
                Some(Frame::Map {
                    path,
                    key,
                    expecting_key,
                }) if *expecting_key => {
                    *expecting_key = false;
                    let name = match &event {
                        Event::Scalar(text, ..) => text.to_string(),
                        _ => "?".to_owned(),
                    };
                    let full = join(path, &name);
                    index.push(&full, line, column, true);
                    *key = Some(name);
                    if !matches!(event, Event::SequenceStart(..) | Event::MappingStart(..)) {
                        continue;
                    }
                    full
                }
                Some(Frame::Map {
                    path,
                    key,
                    expecting_key,
                }) => {
                    *expecting_key = true;
                    join(path, key.as_deref().unwrap_or("?"))
                }
            };
            index.push(&path, line, column, false);
            match event {
                Event::SequenceStart(..) => stack.push(Frame::Seq { path, next: 0 }),
                Event::MappingStart(..) => stack.push(Frame::Map {
                    path,
                    key: None,
                    expecting_key: true,
                }),
                _ => {}
            }
        }
        index
    }

    fn push(&mut self, path: &str, line: usize, column: usize, is_key: bool) {
        self.entries.push(Entry {
            path: path.to_owned(),
            line,
            column,
            is_key,
        });
    }

    /// The path of the key written at this position.
    pub(crate) fn key_at(&self, line: usize, column: usize) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.is_key && e.line == line && e.column == column)
            .map(|e| e.path.as_str())
    }

    /// The path of the value written at this position (a key's value, a list item).
    pub(crate) fn value_at(&self, line: usize, column: usize) -> Option<&str> {
        let here = |e: &&Entry| e.line == line && e.column == column;
        let entries = || self.entries.iter().filter(here);
        entries()
            .find(|e| !e.is_key)
            .or_else(|| entries().next())
            .map(|e| e.path.as_str())
    }

    /// Where `path` is written: its key if it has one, else its value. A
    /// path that is not written falls back to its nearest written parent.
    pub(crate) fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            let exact = |want_key: bool| {
                self.entries
                    .iter()
                    .find(|e| e.is_key == want_key && e.path == p)
            };
            if let Some(e) = exact(true).or_else(|| exact(false)) {
                return Some((e.line, e.column));
            }
            p = parent(p)?;
        }
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `a.b[2]` → `a.b`, `a.b` → `a`, `a` → `None`.
pub(crate) fn parent(path: &str) -> Option<&str> {
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
planning:
  max_subtasks: 4
owners:
  - name: dev
    keywords: [a, b]
  - {name: docs}
";

    #[test]
    fn finds_keys_and_values_by_position() {
        let ix = KeyIndex::build(DOC);
        assert_eq!(ix.key_at(2, 3), Some("planning.max_subtasks"));
        assert_eq!(ix.value_at(2, 17), Some("planning.max_subtasks"));
        assert_eq!(ix.key_at(4, 5), Some("owners[0].name"));
        assert_eq!(ix.value_at(5, 16), Some("owners[0].keywords[0]"));
        assert_eq!(ix.key_at(6, 6), Some("owners[1].name"));
        assert_eq!(ix.key_at(2, 17), None);
    }

    #[test]
    fn locates_paths_falling_back_to_parents() {
        let ix = KeyIndex::build(DOC);
        assert_eq!(ix.locate("planning.max_subtasks"), Some((2, 3)));
        assert_eq!(ix.locate("owners[1].name"), Some((6, 6)));
        assert_eq!(ix.locate("planning.max_stages"), Some((1, 1)));
        assert_eq!(ix.locate("owners[1].keywords[3]"), Some((6, 5)));
        assert_eq!(ix.locate("monitoring.zombie_after"), None);
    }

    #[test]
    fn records_alias_uses() {
        let ix = KeyIndex::build("a: &x 1\nb: *x\nc: [*x, *x]\n");
        assert_eq!(ix.aliases, [(2, 4), (3, 5), (3, 9)]);
    }

    #[test]
    fn parent_paths() {
        assert_eq!(parent("a.b[2]"), Some("a.b"));
        assert_eq!(parent("a.b"), Some("a"));
        assert_eq!(parent("a"), None);
    }
}
