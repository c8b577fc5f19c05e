//! Verbs about the plan and the task as a whole: `plan`, `decompose`,
//! `replan`, `status`, `help`. None takes arguments.

use super::Command;
use super::args::{Args, Located};

/// Parses `verb` if it belongs to this family.
pub(super) fn parse(verb: &str, args: Args<'_>) -> Option<Result<Command, Located>> {
    let command = match verb {
        "plan" => Command::Plan,
        "decompose" => Command::Decompose,
        "replan" => Command::Replan,
        "status" => Command::Status,
        "help" => Command::Help,
        _ => return None,
    };
    Some(args.verb(command.verb()).done(command))
}

#[cfg(test)]
mod tests {
    use super::super::{Command, ParseErrorKind, parse_comment};

    #[test]
    fn verbs_without_arguments() {
        for (text, want) in [
            ("/vayu plan", Command::Plan),
            ("/vayu decompose", Command::Decompose),
            ("/vayu replan", Command::Replan),
            ("/vayu status", Command::Status),
            ("/vayu help", Command::Help),
            ("/vayu HELP  ", Command::Help),
        ] {
            let got = parse_comment(text);
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].result, Ok(want), "{text}");
        }
    }

    #[test]
    fn extra_words_are_an_error() {
        let got = parse_comment("/vayu plan now please");
        let err = got[0].result.clone().expect_err("extra words");
        assert_eq!((err.line, err.column), (1, 12));
        assert_eq!(
            err.kind,
            ParseErrorKind::TooManyArguments {
                verb: "plan",
                extra: "now please".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "line 1, column 12: `/vayu plan` does not take `now please`: write `/vayu plan`"
        );
    }
}
