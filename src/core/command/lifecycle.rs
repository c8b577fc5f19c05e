//! Verbs that move a task through its lifecycle: `start`, `pause`, `resume`,
//! `retry`, `cancel`. None takes arguments.

use super::Command;
use super::args::{Args, Located};

/// Parses `verb` if it belongs to this family.
pub(super) fn parse(verb: &str, args: Args<'_>) -> Option<Result<Command, Located>> {
    let command = match verb {
        "start" => Command::Start,
        "pause" => Command::Pause,
        "resume" => Command::Resume,
        "retry" => Command::Retry,
        "cancel" => Command::Cancel,
        _ => return None,
    };
    Some(args.verb(command.verb()).done(command))
}

#[cfg(test)]
mod tests {
    use super::super::{Command, ParseErrorKind, parse_comment};

    #[test]
    fn lifecycle_verbs() {
        for (text, want) in [
            ("/vayu start", Command::Start),
            ("/vayu Pause", Command::Pause),
            ("/vayu resume", Command::Resume),
            ("/vayu retry", Command::Retry),
            ("/vayu cancel", Command::Cancel),
        ] {
            assert_eq!(parse_comment(text)[0].result, Ok(want), "{text}");
        }
    }

    #[test]
    fn retry_takes_no_count() {
        let err = parse_comment("/vayu retry 3")[0]
            .result
            .clone()
            .expect_err("argument");
        assert_eq!(err.column, 13);
        assert_eq!(
            err.kind,
            ParseErrorKind::TooManyArguments {
                verb: "retry",
                extra: "3".into()
            }
        );
    }
}
