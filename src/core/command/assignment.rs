//! Verbs about who does the task: `claim`, `unclaim`, `assign <@user|owner>`.

use super::args::{Args, Located};
use super::{AssignTarget, Command};
use crate::core::ids::Login;

const EXPECTED: &str = "a user as `@login` or an owner domain such as `development`";

/// Parses `verb` if it belongs to this family.
pub(super) fn parse(verb: &str, args: Args<'_>) -> Option<Result<Command, Located>> {
    match verb {
        "claim" => Some(args.verb("claim").done(Command::Claim)),
        "unclaim" => Some(args.verb("unclaim").done(Command::Unclaim)),
        "assign" => Some(assign(args.verb("assign"))),
        _ => None,
    }
}

fn assign(mut args: Args<'_>) -> Result<Command, Located> {
    let word = args.next(EXPECTED)?;
    let target = match word.text.strip_prefix('@') {
        Some(login) if is_login(login) => AssignTarget::User(Login(login.to_owned())),
        Some(_) => return Err(args.bad(word, EXPECTED)),
        None if is_owner(word.text) => AssignTarget::Owner(word.text.to_ascii_lowercase()),
        None => return Err(args.bad(word, EXPECTED)),
    };
    args.done(Command::Assign(target))
}

/// A GitHub login: 1-39 letters, digits or inner single hyphens, or an App's
/// bot login `name[bot]`.
fn is_login(s: &str) -> bool {
    let name = s.strip_suffix("[bot]").unwrap_or(s);
    !name.is_empty()
        && name.len() <= 39
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// An owner domain name as config spells them: a letter or digit, then
/// letters, digits, `-`, `_` or `.`; at most 64.
fn is_owner(s: &str) -> bool {
    s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::super::{AssignTarget, Command, ParseErrorKind, parse_comment};
    use crate::core::ids::Login;

    fn one(text: &str) -> Result<Command, super::super::ParseError> {
        parse_comment(text)[0].result.clone()
    }

    #[test]
    fn claim_and_unclaim() {
        assert_eq!(one("/vayu claim"), Ok(Command::Claim));
        assert_eq!(one("/vayu unclaim"), Ok(Command::Unclaim));
    }

    #[test]
    fn assign_to_user_or_owner() {
        assert_eq!(
            one("/vayu assign @octo-cat"),
            Ok(Command::Assign(AssignTarget::User(Login(
                "octo-cat".into()
            ))))
        );
        assert_eq!(
            one("/vayu assign @vayu-helper[bot]"),
            Ok(Command::Assign(AssignTarget::User(Login(
                "vayu-helper[bot]".into()
            ))))
        );
        assert_eq!(
            one("/vayu assign Security"),
            Ok(Command::Assign(AssignTarget::Owner("security".into())))
        );
    }

    #[test]
    fn assign_needs_a_well_formed_target() {
        let err = one("/vayu assign").expect_err("missing");
        assert_eq!(err.column, 13);
        assert_eq!(
            err.to_string(),
            "line 1, column 13: `/vayu assign` is missing a user as `@login` or an owner domain \
             such as `development`: write `/vayu assign <@user|owner>`"
        );
        for (bad, column) in [("@", 14), ("@-x", 14), ("@a--b", 14), ("dev/ops", 14)] {
            let err = one(&format!("/vayu assign {bad}")).expect_err(bad);
            assert_eq!(err.column, column, "{bad}");
            assert_eq!(
                err.kind,
                ParseErrorKind::BadArgument {
                    verb: "assign",
                    got: bad.into(),
                    expected: super::EXPECTED
                }
            );
        }
        let err = one("/vayu assign @a @b").expect_err("two");
        assert_eq!(
            err.kind,
            ParseErrorKind::TooManyArguments {
                verb: "assign",
                extra: "@b".into()
            }
        );
    }
}
