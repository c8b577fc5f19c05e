//! `review pass|fail [reason...]`: a reviewer's verdict on a task.

use super::args::{Args, Located};
use super::{Command, Verdict};

const EXPECTED: &str = "`pass` or `fail`";

/// Parses `verb` if it belongs to this family.
pub(super) fn parse(verb: &str, args: Args<'_>) -> Option<Result<Command, Located>> {
    (verb == "review").then(|| review(args.verb("review")))
}

fn review(mut args: Args<'_>) -> Result<Command, Located> {
    let word = args.next(EXPECTED)?;
    let verdict = match word.text.to_ascii_lowercase().as_str() {
        "pass" => Verdict::Pass,
        "fail" => Verdict::Fail,
        _ => return Err(args.bad(word, EXPECTED)),
    };
    let reason = args.rest();
    args.done(Command::Review { verdict, reason })
}

#[cfg(test)]
mod tests {
    use super::super::{Command, ParseErrorKind, Verdict, parse_comment};

    fn one(text: &str) -> Result<Command, super::super::ParseError> {
        parse_comment(text)[0].result.clone()
    }

    #[test]
    fn verdicts_with_and_without_reason() {
        assert_eq!(
            one("/vayu review pass"),
            Ok(Command::Review {
                verdict: Verdict::Pass,
                reason: None
            })
        );
        assert_eq!(
            one("/vayu review FAIL  tests  are `flaky` on CI  "),
            Ok(Command::Review {
                verdict: Verdict::Fail,
                reason: Some("tests  are `flaky` on CI".into())
            })
        );
    }

    #[test]
    fn verdict_is_required_and_checked() {
        let err = one("/vayu review").expect_err("missing");
        assert_eq!(
            err.kind,
            ParseErrorKind::MissingArgument {
                verb: "review",
                expected: "`pass` or `fail`"
            }
        );
        let err = one("/vayu review maybe later").expect_err("bad");
        assert_eq!(err.column, 14);
        assert_eq!(
            err.to_string(),
            "line 1, column 14: `/vayu review` cannot use `maybe`: expected `pass` or `fail`, \
             as in `/vayu review pass|fail [reason...]`"
        );
    }
}
