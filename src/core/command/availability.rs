//! Verbs about an agent's availability and the assignment auction: `away`,
//! `back`, `bid <minutes>`.

use super::Command;
use super::args::{Args, Located};

const EXPECTED: &str = "a whole number of minutes from 1 to 100000, like `30` or `30m`";
/// About ten weeks: a bid beyond this is a typo, not an estimate.
const MAX_MINUTES: u32 = 100_000;

/// Parses `verb` if it belongs to this family.
pub(super) fn parse(verb: &str, args: Args<'_>) -> Option<Result<Command, Located>> {
    match verb {
        "away" => Some(args.verb("away").done(Command::Away)),
        "back" => Some(args.verb("back").done(Command::Back)),
        "bid" => Some(bid(args.verb("bid"))),
        _ => None,
    }
}

fn bid(mut args: Args<'_>) -> Result<Command, Located> {
    let word = args.next(EXPECTED)?;
    // `30m` is how estimates are written elsewhere in vayu, so accept it here.
    let digits = word.text.strip_suffix(['m', 'M']).unwrap_or(word.text);
    let minutes = match digits.parse::<u32>() {
        Ok(m) if digits.bytes().all(|b| b.is_ascii_digit()) && (1..=MAX_MINUTES).contains(&m) => m,
        _ => return Err(args.bad(word, EXPECTED)),
    };
    args.done(Command::Bid { minutes })
}

#[cfg(test)]
mod tests {
    use super::super::{Command, ParseErrorKind, parse_comment};

    fn one(text: &str) -> Result<Command, super::super::ParseError> {
        parse_comment(text)[0].result.clone()
    }

    #[test]
    fn away_back_and_bids() {
        assert_eq!(one("/vayu away"), Ok(Command::Away));
        assert_eq!(one("/vayu back"), Ok(Command::Back));
        assert_eq!(one("/vayu bid 45"), Ok(Command::Bid { minutes: 45 }));
        assert_eq!(one("/vayu bid 45m"), Ok(Command::Bid { minutes: 45 }));
    }

    #[test]
    fn bids_must_be_positive_whole_minutes() {
        for bad in ["0", "-5", "+5", "1.5", "soon", "100001", "99999999999", "m"] {
            let err = one(&format!("/vayu bid {bad}")).expect_err(bad);
            assert_eq!(err.column, 11, "{bad}");
            assert_eq!(
                err.kind,
                ParseErrorKind::BadArgument {
                    verb: "bid",
                    got: bad.into(),
                    expected: super::EXPECTED
                }
            );
        }
        let err = one("/vayu bid").expect_err("missing");
        assert_eq!(
            err.to_string(),
            "line 1, column 10: `/vayu bid` is missing a whole number of minutes from 1 to 100000, \
             like `30` or `30m`: write `/vayu bid <minutes>`"
        );
    }
}
