//! Reading duration estimates as people write them: `15`, `15m`, `10-15m`, `1h`, `1-2h`.

use std::str::FromStr;

use super::model::Minutes;

/// Error returned when an estimate is not a number of minutes or hours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an estimate: write minutes or hours like `15m`, `10-15m`, `1h` or `1-2h` (smallest first)"
)]
pub struct BadEstimate(pub String);

impl Minutes {
    /// A fixed estimate of `n` minutes.
    pub fn exactly(n: u32) -> Self {
        Self { min: n, max: n }
    }
}

impl FromStr for Minutes {
    type Err = BadEstimate;

    /// Accepts `N`, `Nm`, `Nmin`, `Nh` and ranges `A-B` with one unit after `B`
    /// (an en dash works too); the unit applies to both ends.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadEstimate(s.to_owned());
        let text = s.trim().to_ascii_lowercase();
        let digits_end = text
            .rfind(|c: char| c.is_ascii_digit())
            .map(|i| i + 1)
            .ok_or_else(bad)?;
        let (range, unit) = text.split_at(digits_end);
        let factor = match unit.trim() {
            "" | "m" | "min" | "mins" | "minutes" => 1,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            _ => return Err(bad()),
        };
        let number = |part: &str| -> Result<u32, BadEstimate> {
            part.trim()
                .parse::<u32>()
                .ok()
                .and_then(|n| n.checked_mul(factor))
                .ok_or_else(bad)
        };
        let (min, max) = match range.split_once(['-', '–']) {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(range)?;
                (n, n)
            }
        };
        if min > max {
            return Err(bad());
        }
        Ok(Self { min, max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_written_forms() {
        let m = |s: &str| s.parse::<Minutes>().map(|m| (m.min, m.max));
        assert_eq!(m("15"), Ok((15, 15)));
        assert_eq!(m("15m"), Ok((15, 15)));
        assert_eq!(m(" 15 min "), Ok((15, 15)));
        assert_eq!(m("10-15m"), Ok((10, 15)));
        assert_eq!(m("10–15"), Ok((10, 15)));
        assert_eq!(m("1h"), Ok((60, 60)));
        assert_eq!(m("1-2h"), Ok((60, 120)));
    }

    #[test]
    fn refuses_what_is_not_an_estimate() {
        for bad in [
            "",
            "m",
            "abc",
            "15x",
            "15-10m",
            "-5",
            "1.5h",
            "99999999999h",
        ] {
            assert_eq!(
                bad.parse::<Minutes>(),
                Err(BadEstimate(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(
            BadEstimate("soon".into()).to_string(),
            "`soon` is not an estimate: write minutes or hours like `15m`, `10-15m`, `1h` or `1-2h` (smallest first)"
        );
    }
}
