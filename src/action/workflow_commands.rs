//! GitHub Actions workflow commands (`::error::`, `::group::`, …) written so
//! that no text we echo can be read by the runner as a command of its own.
//!
//! Two defences, as GitHub documents them: command data is escaped (`%`, CR
//! and LF become `%25`, `%0D`, `%0A`, so a message is always one line), and
//! any untrusted text printed as-is goes between `::stop-commands::<token>`
//! and `::<token>::`, with a random token the text does not contain.

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};

/// A fresh random token of 32 hex digits that does not occur in `avoid`.
///
/// The randomness comes from the standard library's per-process hash keys,
/// which are seeded from the operating system; mixing in a counter makes each
/// call differ. An attacker who cannot read the log before it is written
/// cannot guess it.
pub fn random_token(avoid: &str) -> String {
    loop {
        let mut token = String::with_capacity(32);
        for _ in 0..2 {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(std::process::id().into());
            let _ = write!(token, "{:016x}", h.finish());
        }
        if !avoid.contains(&token) {
            return token;
        }
    }
}

/// Escapes the message part of a workflow command (after the last `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`title=…`, `file=…`) of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Annotation severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error::`
    Error,
    /// `::warning::`
    Warning,
    /// `::notice::`
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One annotation line, e.g. `::warning title=vayu::line 3 …`.
pub fn annotation(level: Level, title: Option<&str>, message: &str) -> String {
    match title {
        Some(t) => format!(
            "::{} title={}::{}",
            level.command(),
            escape_property(t),
            escape_data(message)
        ),
        None => format!("::{}::{}", level.command(), escape_data(message)),
    }
}

/// Opens a collapsible group in the log.
pub fn group(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

/// Closes the group opened last.
pub const END_GROUP: &str = "::endgroup::";

/// `text` wrapped so the runner processes no command inside it: the lines to
/// print, in order (stop, the text, resume).
pub fn verbatim(text: &str) -> String {
    let token = random_token(text);
    let mut out = format!("::stop-commands::{token}\n");
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    let _ = write!(out, "::{token}::");
    out
}

/// One `name<<DELIMITER … DELIMITER` entry for `$GITHUB_OUTPUT` or
/// `$GITHUB_ENV`, safe for any value: the delimiter is random and does not
/// occur in the value, so the value cannot end the entry early and add keys.
pub fn file_entry(name: &str, value: &str) -> String {
    let delimiter = format!("ghadelimiter_{}", random_token(value));
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runner's view: which lines start a command it would run, given
    /// that `::stop-commands::T` suspends processing until `::T::`.
    fn commands_seen(log: &str) -> Vec<String> {
        let mut stopped: Option<String> = None;
        let mut seen = Vec::new();
        for line in log.lines() {
            if let Some(token) = &stopped {
                if line == format!("::{token}::") {
                    stopped = None;
                }
                continue;
            }
            if let Some(token) = line.strip_prefix("::stop-commands::") {
                stopped = Some(token.to_owned());
                continue;
            }
            if line.starts_with("::") {
                seen.push(line.to_owned());
            }
        }
        seen
    }

    /// `$GITHUB_OUTPUT` as the runner reads it: `name=value` lines and
    /// `name<<D` … `D` blocks.
    fn parse_outputs(file: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut lines = file.lines();
        while let Some(line) = lines.next() {
            if let Some((name, delim)) = line.split_once("<<") {
                let mut value = Vec::new();
                for l in lines.by_ref() {
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                out.push((name.to_owned(), value.join("\n")));
            } else if let Some((name, value)) = line.split_once('=') {
                out.push((name.to_owned(), value.to_owned()));
            }
        }
        out
    }

    const HOSTILE: &str = "title\n::set-output name=x::y\n::error::boom\r\n::stop-commands::abc";

    #[test]
    fn escaped_data_stays_on_one_line() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        let line = annotation(Level::Warning, Some("bad: line"), HOSTILE);
        assert_eq!(line.lines().count(), 1);
        assert_eq!(commands_seen(&line), std::slice::from_ref(&line));
        assert!(line.starts_with("::warning title=bad%3A line::title%0A::set-output"));
    }

    #[test]
    fn verbatim_text_runs_no_command() {
        let log = format!("{}\n::notice::after\n", verbatim(HOSTILE));
        assert_eq!(commands_seen(&log), ["::notice::after"]);
        assert!(log.contains("::set-output name=x::y"));
    }

    #[test]
    fn the_stop_token_never_occurs_in_the_text() {
        let a = random_token("");
        let b = random_token("");
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        let text = format!("::{a}::\n::set-output name=x::y");
        let wrapped = verbatim(&text);
        let token = wrapped
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("::stop-commands::"))
            .expect("a stop line");
        assert!(!text.contains(token));
    }

    #[test]
    fn output_entries_cannot_add_keys() {
        let value = "ok\nready=[99]\nstatus<<EOF\nhacked\nEOF\n::set-output name=x::y";
        let file = format!(
            "{}{}",
            file_entry("status", value),
            file_entry("ready", "[3]")
        );
        assert_eq!(
            parse_outputs(&file),
            [
                ("status".to_owned(), value.to_owned()),
                ("ready".to_owned(), "[3]".to_owned())
            ]
        );
    }

    #[test]
    fn groups_escape_their_title() {
        assert_eq!(group("a\nb"), "::group::a%0Ab");
    }
}
