//! Hidden markers: HTML comments such as
//! `<!-- vayu:task v=1 parent=#12 key=backend plan=ab12 -->` that let vayu
//! recognise, on GitHub alone, the objects it created.
//!
//! Reading is lenient about the shape (attribute order, unknown attributes
//! and newer versions are fine, so an older vayu still reads a newer marker)
//! and strict about values (a `key` must be a valid [`TaskKey`]): a marker
//! with a bad value is not returned at all. Markers only identify objects;
//! users can type them too, so they never grant anything.

mod block;
mod escape;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::core::ids::{IssueNumber, TaskKey};

pub use block::{BEGIN, BlockOutcome, END, Replaced, extract_block, replace_block};
pub use escape::{escape_mermaid_label, escape_table_cell, escape_user_text};

/// The marker format version this vayu writes.
pub const VERSION: u32 = 1;

/// What a sub-issue's marker says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskMarker {
    /// The parent issue the plan belongs to.
    pub parent: IssueNumber,
    /// The subtask's key within the plan.
    pub key: TaskKey,
    /// The hash of the plan that created it.
    pub plan: String,
}

/// A marker vayu writes into a body or comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// In each sub-issue body.
    Task(TaskMarker),
    /// In the parent body, with the plan's checklist.
    Plan {
        /// The plan's content hash.
        hash: String,
    },
    /// In the progress comment of one subtask.
    Progress {
        /// The subtask's key.
        key: TaskKey,
    },
    /// The last sign of life of a running task.
    Heartbeat {
        /// When it was seen, to the second.
        at: DateTime<Utc>,
    },
    /// In the progress comment: how many retries the task has spent, so the
    /// Action (which has no database) can count them across runs.
    Retries {
        /// Retries spent so far.
        count: u32,
    },
    /// In the parent's progress report comment.
    Report,
}

/// Why a comment that looks like a marker is not one vayu can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    /// Not an HTML comment starting with `vayu:`.
    #[error("not a vayu marker: expected `<!-- vayu:<kind> name=value ... -->`")]
    NotAMarker,
    /// A kind this vayu does not know (perhaps from a newer version).
    #[error(
        "unknown marker kind `vayu:{0}`: expected task, plan, progress, heartbeat, retries or report"
    )]
    UnknownKind(String),
    /// A required attribute is absent.
    #[error("the `vayu:{kind}` marker has no `{attr}=` attribute")]
    Missing {
        /// The marker kind.
        kind: &'static str,
        /// The absent attribute.
        attr: &'static str,
    },
    /// An attribute whose value has the wrong shape.
    #[error("the `{attr}` value `{value}` in a vayu marker is invalid: expected {expected}")]
    BadValue {
        /// The attribute.
        attr: &'static str,
        /// Its value as written.
        value: String,
        /// What would have been valid.
        expected: &'static str,
    },
}

impl Marker {
    /// The word after `vayu:`.
    pub fn kind(&self) -> &'static str {
        match self {
            Marker::Task(_) => "task",
            Marker::Plan { .. } => "plan",
            Marker::Progress { .. } => "progress",
            Marker::Heartbeat { .. } => "heartbeat",
            Marker::Retries { .. } => "retries",
            Marker::Report => "report",
        }
    }
}

/// Writes the marker as the HTML comment that [`find_all`] reads back.
impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<!-- vayu:{} v={VERSION}", self.kind())?;
        match self {
            Marker::Task(t) => write!(
                f,
                " parent=#{} key={} plan={}",
                t.parent,
                t.key,
                encode(&t.plan)
            )?,
            Marker::Plan { hash } => write!(f, " hash={}", encode(hash))?,
            Marker::Progress { key } => write!(f, " key={key}")?,
            Marker::Heartbeat { at } => {
                write!(f, " at={}", at.to_rfc3339_opts(SecondsFormat::Secs, true))?
            }
            Marker::Retries { count } => write!(f, " count={count}")?,
            Marker::Report => {}
        }
        f.write_str(" -->")
    }
}

/// The marker's HTML comment text.
pub fn render(marker: &Marker) -> String {
    marker.to_string()
}

/// Parses one whole marker comment, `<!-- vayu:… -->`.
impl FromStr for Marker {
    type Err = MarkerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut comments = vayu_comments(s.trim());
        match (comments.next(), comments.next()) {
            (Some(c), None) if c.range == (0..s.trim().len()) => parse(c.kind, c.attrs),
            _ => Err(MarkerError::NotAMarker),
        }
    }
}

/// Every valid marker in `text`, in order; malformed ones are skipped.
pub fn find_all(text: &str) -> Vec<Marker> {
    vayu_comments(text)
        .filter_map(|c| parse(c.kind, c.attrs).ok())
        .collect()
}

/// The first valid task marker in `text`.
pub fn find_task(text: &str) -> Option<TaskMarker> {
    find_all(text).into_iter().find_map(|m| match m {
        Marker::Task(t) => Some(t),
        _ => None,
    })
}

/// An HTML comment whose text starts with `vayu:`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VayuComment<'a> {
    /// From `<!--` to `-->` inclusive.
    range: Range<usize>,
    /// The word after `vayu:`.
    kind: &'a str,
    /// Everything after the kind.
    attrs: &'a str,
}

/// The `<!-- vayu:… -->` comments of `text`, in order. Comments do not nest:
/// each ends at the first `-->`, as in HTML.
fn vayu_comments(text: &str) -> impl Iterator<Item = VayuComment<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let open = from + text.get(from..)?.find("<!--")?;
            let inner_start = open + "<!--".len();
            let close = inner_start + text[inner_start..].find("-->")?;
            from = close + "-->".len();
            let inner = text[inner_start..close].trim_start();
            let Some(rest) = inner.strip_prefix("vayu:") else {
                continue;
            };
            let kind_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (kind, attrs) = rest.split_at(kind_len);
            if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                continue;
            }
            return Some(VayuComment {
                range: open..from,
                kind,
                attrs,
            });
        }
    })
}

/// Builds a marker from its kind and attribute text.
fn parse(kind: &str, attrs: &str) -> Result<Marker, MarkerError> {
    let attrs = Attrs(attrs);
    if let Some(v) = attrs.raw("v") {
        // Any version is read (newer ones only add attributes), but it must
        // be a version.
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("v", v, "a version number such as `1`"));
        }
    }
    match kind {
        "task" => Ok(Marker::Task(TaskMarker {
            parent: parent(attrs.required("task", "parent")?)?,
            key: key(attrs.required("task", "key")?)?,
            plan: hash("plan", attrs.required("task", "plan")?)?,
        })),
        "plan" => Ok(Marker::Plan {
            hash: hash("hash", attrs.required("plan", "hash")?)?,
        }),
        "progress" => Ok(Marker::Progress {
            key: key(attrs.required("progress", "key")?)?,
        }),
        "heartbeat" => {
            let at = attrs.required("heartbeat", "at")?;
            DateTime::parse_from_rfc3339(at)
                .map(|t| Marker::Heartbeat {
                    at: t.with_timezone(&Utc),
                })
                .map_err(|_| bad("at", at, "an RFC 3339 time such as `2025-01-31T12:00:00Z`"))
        }
        "retries" => {
            let count = attrs.required("retries", "count")?;
            count
                .parse()
                .map(|count| Marker::Retries { count })
                .map_err(|_| bad("count", count, "a whole number such as `2`"))
        }
        "report" => Ok(Marker::Report),
        other => Err(MarkerError::UnknownKind(other.to_owned())),
    }
}

/// The `name=value` words after a marker's kind; words without `=` and
/// unknown names are ignored, and the first of a repeated name wins.
#[derive(Debug, Clone, Copy)]
struct Attrs<'a>(&'a str);

impl<'a> Attrs<'a> {
    fn raw(self, name: &str) -> Option<&'a str> {
        self.0
            .split_whitespace()
            .filter_map(|word| word.split_once('='))
            .find_map(|(n, v)| (n == name).then_some(v))
    }

    fn required(self, kind: &'static str, attr: &'static str) -> Result<&'a str, MarkerError> {
        self.raw(attr).ok_or(MarkerError::Missing { kind, attr })
    }
}

fn bad(attr: &'static str, value: &str, expected: &'static str) -> MarkerError {
    MarkerError::BadValue {
        attr,
        value: value.to_owned(),
        expected,
    }
}

fn parent(value: &str) -> Result<IssueNumber, MarkerError> {
    const EXPECTED: &str = "an issue number such as `#12`";
    let digits = value
        .strip_prefix('#')
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| bad("parent", value, EXPECTED))?;
    match digits.parse::<u64>() {
        Ok(n) if n > 0 => Ok(IssueNumber(n)),
        _ => Err(bad("parent", value, EXPECTED)),
    }
}

fn key(value: &str) -> Result<TaskKey, MarkerError> {
    TaskKey::new(value).map_err(|_| {
        bad(
            "key",
            value,
            "a subtask key: letters, digits, `-`, `_` or `.`",
        )
    })
}

fn hash(attr: &'static str, value: &str) -> Result<String, MarkerError> {
    match decode(value) {
        Some(h) if !h.is_empty() && h.len() <= 256 => Ok(h),
        _ => Err(bad(attr, value, "a plan hash of 1 to 256 characters")),
    }
}

/// Whether `b` may appear unencoded in an attribute value.
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'#' | b'+' | b'/')
}

/// Percent-encodes a value so it can never end the comment (`-->`) or split
/// into two attributes, whatever it holds.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if is_plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`encode`]; `None` for a malformed escape or invalid UTF-8.
fn decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3)?;
            // `from_str_radix` alone would also take a sign (`%+1`).
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
