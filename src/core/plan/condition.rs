//! Reading conditional needs as written: `when: design succeeded`.

use std::str::FromStr;

use super::model::{Condition, Outcome};
use crate::core::ids::TaskKey;

/// Error returned when a `when:` is not `<key> succeeded|failed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a condition: write `when: <key> succeeded` or `when: <key> failed`")]
pub struct BadCondition(pub String);

impl FromStr for Condition {
    type Err = BadCondition;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadCondition(s.to_owned());
        let mut words = s.split_whitespace();
        let (Some(key), Some(outcome), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let outcome = match outcome.to_ascii_lowercase().as_str() {
            "succeeded" | "succeeds" | "success" => Outcome::Succeeded,
            "failed" | "fails" | "failure" => Outcome::Failed,
            _ => return Err(bad()),
        };
        let key = TaskKey::new(key).map_err(|_| bad())?;
        Ok(Self { key, outcome })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_and_outcome() {
        let c: Condition = "tests failed".parse().expect("valid");
        assert_eq!((c.key.as_str(), c.outcome), ("tests", Outcome::Failed));
        let c: Condition = " design  succeeded ".parse().expect("valid");
        assert_eq!((c.key.as_str(), c.outcome), ("design", Outcome::Succeeded));
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in ["", "tests", "tests done", "a b c", "-x failed"] {
            assert_eq!(
                bad.parse::<Condition>(),
                Err(BadCondition(bad.into())),
                "{bad}"
            );
        }
    }
}
