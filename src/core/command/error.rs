//! What went wrong with one `/vayu` command, and where: these errors are the
//! user's to fix, so their messages are written to be posted as a reply.

use super::verbs;

/// A command the user wrote that vayu cannot run, with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct ParseError {
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based column, in characters, of the offending word.
    pub column: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// The ways a `/vayu` command can be wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// `/vayu` alone on its line.
    #[error("`/vayu` needs a verb, like `/vayu status`; write `/vayu help` to list them")]
    MissingVerb,
    /// A verb vayu does not know.
    #[error(
        "unknown command `/vayu {verb}`{}: valid verbs are {}; write `/vayu help` for their syntax",
        suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(),
        valid.join(", ")
    )]
    UnknownVerb {
        /// The verb as written.
        verb: String,
        /// Every verb vayu knows.
        valid: Vec<&'static str>,
        /// A known verb close to the one written, if any.
        suggestion: Option<&'static str>,
    },
    /// A verb whose required argument is absent.
    #[error("`/vayu {verb}` is missing {expected}: write `{}`", verbs::usage(verb))]
    MissingArgument {
        /// The verb.
        verb: &'static str,
        /// What should have followed it.
        expected: &'static str,
    },
    /// An argument that does not have the expected shape.
    #[error(
        "`/vayu {verb}` cannot use `{got}`: expected {expected}, as in `{}`",
        verbs::usage(verb)
    )]
    BadArgument {
        /// The verb.
        verb: &'static str,
        /// The argument as written.
        got: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// Words after a complete command.
    #[error(
        "`/vayu {verb}` does not take `{extra}`: write `{}`",
        verbs::usage(verb)
    )]
    TooManyArguments {
        /// The verb.
        verb: &'static str,
        /// The unexpected words, as written.
        extra: String,
    },
}
