//! Durations written the way people write them in YAML: `90s`, `3m`, `1h30m`, `2d`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A whole number of seconds, written in config as `90s`, `3m`, `1h30m` or `1d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DurationSecs(pub u64);

/// Why a duration could not be read; the message says what a valid one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration `{text}`: {reason}; write a number followed by a unit (d, h, m, s), e.g. 90s, 3m, 1h30m"
)]
pub struct DurationError {
    /// What was written.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

// Largest unit first: a duration lists each unit at most once, in this order.
const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

impl DurationSecs {
    /// A duration of `n` seconds.
    pub const fn secs(n: u64) -> Self {
        Self(n)
    }

    /// A duration of `n` minutes.
    pub const fn mins(n: u64) -> Self {
        Self(n * 60)
    }

    /// A duration of `n` hours.
    pub const fn hours(n: u64) -> Self {
        Self(n * 3_600)
    }

    /// The number of seconds.
    pub fn as_secs(self) -> u64 {
        self.0
    }

    /// The same span as a `std::time::Duration`.
    pub fn to_std(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.0)
    }
}

impl FromStr for DurationSecs {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |reason| DurationError {
            text: text.to_owned(),
            reason,
        };
        let s = text.trim();
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        let mut total: u64 = 0;
        let mut next_unit = 0; // index into UNITS of the smallest unit still allowed
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(err("expected a number"));
            }
            let (number, tail) = rest.split_at(digits);
            let mut chars = tail.chars();
            let Some(unit) = chars.next() else {
                return Err(err("the number has no unit"));
            };
            let Some(pos) = UNITS.iter().position(|(u, _)| *u == unit) else {
                return Err(err("unknown unit"));
            };
            if pos < next_unit {
                return Err(err("units must go from largest to smallest, each once"));
            }
            next_unit = pos + 1;
            let n: u64 = number.parse().map_err(|_| err("the number is too large"))?;
            total = n
                .checked_mul(UNITS[pos].1)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(|| err("the number is too large"))?;
            rest = chars.as_str();
        }
        Ok(DurationSecs(total))
    }
}

impl fmt::Display for DurationSecs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut left = self.0;
        for (unit, size) in UNITS {
            if left >= size {
                write!(f, "{}{unit}", left / size)?;
                left %= size;
            }
        }
        Ok(())
    }
}

impl Serialize for DurationSecs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DurationSecs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A bare number arrives as text too, and is refused for having no unit.
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_combined_units() {
        assert_eq!("90s".parse(), Ok(DurationSecs(90)));
        assert_eq!("3m".parse(), Ok(DurationSecs(180)));
        assert_eq!("1h".parse(), Ok(DurationSecs(3_600)));
        assert_eq!("1h30m".parse(), Ok(DurationSecs(5_400)));
        assert_eq!("1d2h3m4s".parse(), Ok(DurationSecs(93_784)));
        assert_eq!(" 0s ".parse(), Ok(DurationSecs(0)));
    }

    #[test]
    fn refuses_malformed_text_with_the_reason() {
        let reason = |s: &str| s.parse::<DurationSecs>().expect_err(s).reason;
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason("5"), "the number has no unit");
        assert_eq!(reason("3x"), "unknown unit");
        assert_eq!(reason("m"), "expected a number");
        assert_eq!(reason("1h 30m"), "expected a number");
        assert_eq!(
            reason("30m1h"),
            "units must go from largest to smallest, each once"
        );
        assert_eq!(
            reason("1m1m"),
            "units must go from largest to smallest, each once"
        );
        assert_eq!(reason("99999999999999999999s"), "the number is too large");
        assert_eq!(reason("999999999999999d"), "the number is too large");
        assert_eq!(
            "3x".parse::<DurationSecs>().expect_err("bad").to_string(),
            "invalid duration `3x`: unknown unit; write a number followed by a unit \
             (d, h, m, s), e.g. 90s, 3m, 1h30m"
        );
    }

    #[test]
    fn displays_canonically_and_round_trips() {
        for (secs, text) in [(0, "0s"), (90, "1m30s"), (5_400, "1h30m"), (86_401, "1d1s")] {
            assert_eq!(DurationSecs(secs).to_string(), text);
            assert_eq!(text.parse(), Ok(DurationSecs(secs)));
        }
    }
}
