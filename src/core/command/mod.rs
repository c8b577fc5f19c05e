//! `/vayu` slash commands: found in a comment's Markdown (never in code,
//! quotes or HTML), parsed into typed commands or positioned errors.
//!
//! A command is a line of a top-level paragraph that starts with `/vayu`
//! (after at most three spaces) and ends at the end of that line. One comment
//! may hold several; they are returned in order, each with its own result,
//! so one typo does not hide the other commands.

mod args;
mod assignment;
mod availability;
mod edit;
mod error;
mod lifecycle;
mod planning;
mod review;
mod scan;
mod verbs;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::core::ids::Login;

pub use edit::new_commands;
pub use error::{ParseError, ParseErrorKind};
pub use verbs::{VERBS, VerbHelp};

/// A command a user can give vayu in an issue comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Preview the plan without writing anything.
    Plan,
    /// Apply the plan: create sub-issues and links.
    Decompose,
    /// Report the task's state.
    Status,
    /// The commenter takes the task.
    Claim,
    /// The commenter gives the task back.
    Unclaim,
    /// Assign the task to someone.
    Assign(AssignTarget),
    /// Start executing.
    Start,
    /// Pause execution.
    Pause,
    /// Resume a paused task.
    Resume,
    /// Run a failed task again.
    Retry,
    /// A review verdict.
    Review {
        /// Pass or fail.
        verdict: Verdict,
        /// The reviewer's words, as written, if any.
        reason: Option<String>,
    },
    /// Cancel the task.
    Cancel,
    /// Plan again from the current body.
    Replan,
    /// List the commands.
    Help,
    /// The commenter is unavailable for new work.
    Away,
    /// The commenter is available again.
    Back,
    /// The commenter bids for the task with an estimate.
    Bid {
        /// Estimated minutes to finish.
        minutes: u32,
    },
}

/// Whom `/vayu assign` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignTarget {
    /// A GitHub user, written `@login`.
    User(Login),
    /// An owner domain from config (`development`), lowercased.
    Owner(String),
}

/// A review's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The work is accepted.
    Pass,
    /// The work must be redone.
    Fail,
}

impl Verdict {
    /// The word used in commands.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }
}

impl Command {
    /// The command's verb as written after `/vayu`, lowercase.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Plan => "plan",
            Command::Decompose => "decompose",
            Command::Status => "status",
            Command::Claim => "claim",
            Command::Unclaim => "unclaim",
            Command::Assign(_) => "assign",
            Command::Start => "start",
            Command::Pause => "pause",
            Command::Resume => "resume",
            Command::Retry => "retry",
            Command::Review { .. } => "review",
            Command::Cancel => "cancel",
            Command::Replan => "replan",
            Command::Help => "help",
            Command::Away => "away",
            Command::Back => "back",
            Command::Bid { .. } => "bid",
        }
    }

    /// Whether running the command may change anything (and so needs the
    /// write permission); `plan`, `status` and `help` only read.
    pub fn is_mutating(&self) -> bool {
        !matches!(self, Command::Plan | Command::Status | Command::Help)
    }
}

/// Writes the command in its canonical form, which parses back to itself.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/vayu {}", self.verb())?;
        match self {
            Command::Assign(AssignTarget::User(login)) => write!(f, " @{login}"),
            Command::Assign(AssignTarget::Owner(owner)) => write!(f, " {owner}"),
            Command::Review { verdict, reason } => {
                write!(f, " {}", verdict.as_str())?;
                match reason {
                    Some(reason) => write!(f, " {reason}"),
                    None => Ok(()),
                }
            }
            Command::Bid { minutes } => write!(f, " {minutes}"),
            _ => Ok(()),
        }
    }
}

/// One command found in a comment, parsed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based column, in characters, where `/vayu` starts.
    pub column: usize,
    /// The command as written, from `/vayu` to the end of the line, trimmed.
    pub raw: String,
    /// The command, or what is wrong with it.
    pub result: Result<Command, ParseError>,
}

impl Parsed {
    /// The command's words with the prefix and verb lowercased and spacing
    /// collapsed: two commands with the same key ask for the same thing.
    pub fn key(&self) -> String {
        let words: Vec<String> = args::words(&self.raw, 1)
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i < 2 {
                    w.text.to_lowercase()
                } else {
                    w.text.to_owned()
                }
            })
            .collect();
        words.join(" ")
    }
}

/// Every `/vayu` command in a comment, in order, each parsed on its own.
pub fn parse_comment(text: &str) -> Vec<Parsed> {
    scan::command_lines(text)
        .into_iter()
        .map(|found| Parsed {
            line: found.line,
            column: found.column,
            raw: found.text.trim_end().to_owned(),
            result: parse_line(found.text, found.column).map_err(|(column, kind)| ParseError {
                line: found.line,
                column,
                kind,
            }),
        })
        .collect()
}

/// Parses one command line that starts with the prefix at `column`.
fn parse_line(text: &str, column: usize) -> Result<Command, args::Located> {
    let words = args::words(text, column);
    let Some(verb_word) = words.get(1) else {
        return Err((column, ParseErrorKind::MissingVerb));
    };
    let verb = verb_word.text.to_lowercase();
    let rest = args::Args::new(
        text,
        &words[2..],
        verb_word.column + verb_word.text.chars().count(),
    );
    planning::parse(&verb, rest)
        .or_else(|| lifecycle::parse(&verb, rest))
        .or_else(|| assignment::parse(&verb, rest))
        .or_else(|| review::parse(&verb, rest))
        .or_else(|| availability::parse(&verb, rest))
        .unwrap_or_else(|| {
            Err((
                verb_word.column,
                ParseErrorKind::UnknownVerb {
                    verb: verb_word.text.to_owned(),
                    valid: verbs::names(),
                    suggestion: verbs::suggest(&verb),
                },
            ))
        })
}
