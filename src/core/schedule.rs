//! When a recurring task is due (seed 003 §4). A schedule fires at most once
//! per slot; after downtime it catches up once — the latest missed slot —
//! instead of opening one issue per missed slot.

use chrono::{DateTime, TimeDelta, Utc};
use croner::Cron;

/// A cron expression that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cron {expr:?} is not valid: {reason}; write five fields (minute hour day-of-month month day-of-week), e.g. \"0 6 * * 1\""
)]
pub struct CronError {
    /// The expression as written.
    pub expr: String,
    /// What the parser objected to.
    pub reason: String,
}

/// A parsed five-field cron expression, evaluated in UTC.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    cron: Cron,
}

impl CronSchedule {
    /// Parses a standard five-field expression (Sunday is 0 or 7).
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let bad = |reason: String| CronError {
            expr: expr.to_owned(),
            reason,
        };
        let fields = expr.split_whitespace().count();
        if fields != 5 {
            return Err(bad(format!("it has {fields} fields")));
        }
        let cron = Cron::new(expr).parse().map_err(|e| bad(e.to_string()))?;
        Ok(Self { cron })
    }

    /// The first slot strictly after `t`, if the expression ever matches again.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.find_next_occurrence(&t, false).ok()
    }

    /// The latest slot at or before `now`, looking back at most `horizon`.
    pub fn latest_at_or_before(
        &self,
        now: DateTime<Utc>,
        horizon: TimeDelta,
    ) -> Option<DateTime<Utc>> {
        // Widening windows keep the forward walk short for frequent
        // expressions and still find yearly ones.
        let windows = [
            TimeDelta::minutes(2),
            TimeDelta::hours(2),
            TimeDelta::days(2),
            TimeDelta::days(32),
            TimeDelta::days(367),
            TimeDelta::days(366 * 8),
        ];
        for w in windows
            .into_iter()
            .filter(|w| *w <= horizon)
            .chain([horizon])
        {
            let mut slot = self.cron.find_next_occurrence(&(now - w), true).ok()?;
            if slot > now {
                continue;
            }
            // Bounded: the window holds few slots, since the smaller one held none.
            for _ in 0..10_000 {
                match self.next_after(slot) {
                    Some(next) if next <= now => slot = next,
                    _ => return Some(slot),
                }
            }
            return Some(slot);
        }
        None
    }
}

/// How far back a schedule that never fired looks for its first slot.
pub const FIRST_RUN_HORIZON: TimeDelta = TimeDelta::days(366 * 8);

/// The slot to fire now, if any: the latest slot at or before `now` that is
/// later than `last_fired`. Missed slots in between collapse into this one,
/// so a schedule due three times during an outage fires once on return.
pub fn due_slot(
    schedule: &CronSchedule,
    last_fired: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let horizon = match last_fired {
        Some(last) if last >= now => return None,
        Some(last) => now - last,
        None => FIRST_RUN_HORIZON,
    };
    schedule
        .latest_at_or_before(now, horizon)
        .filter(|slot| last_fired.is_none_or(|last| *slot > last))
}

/// The idempotency name of one firing, used in markers and store keys.
pub fn slot_id(slot: DateTime<Utc>) -> String {
    slot.format("%Y-%m-%dT%H:%MZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
    }

    fn hourly() -> CronSchedule {
        CronSchedule::parse("0 * * * *").expect("cron")
    }

    #[test]
    fn never_fired_fires_the_latest_slot_only() {
        assert_eq!(due_slot(&hourly(), None, at(10, 30)), Some(at(10, 0)));
    }

    #[test]
    fn a_three_slot_outage_collapses_into_one_firing() {
        // Fired at 10:00; down over 11:00, 12:00 and 13:00; back at 13:20.
        assert_eq!(
            due_slot(&hourly(), Some(at(10, 0)), at(13, 20)),
            Some(at(13, 0))
        );
        // Then nothing again until the next slot, which fires once.
        assert_eq!(due_slot(&hourly(), Some(at(13, 0)), at(13, 59)), None);
        assert_eq!(
            due_slot(&hourly(), Some(at(13, 0)), at(14, 0)),
            Some(at(14, 0))
        );
    }

    #[test]
    fn a_slot_is_not_fired_twice() {
        assert_eq!(due_slot(&hourly(), Some(at(10, 0)), at(10, 0)), None);
        assert_eq!(due_slot(&hourly(), Some(at(10, 0)), at(10, 45)), None);
    }

    #[test]
    fn a_clock_behind_the_last_firing_fires_nothing() {
        assert_eq!(due_slot(&hourly(), Some(at(12, 0)), at(11, 0)), None);
    }

    #[test]
    fn weekly_and_minutely_expressions_find_their_latest_slot() {
        // 2026-03-02 is a Monday; "0 6 * * 1" last matched that morning.
        let weekly = CronSchedule::parse("0 6 * * 1").expect("cron");
        assert_eq!(due_slot(&weekly, None, at(10, 0)), Some(at(6, 0)));
        let sunday = CronSchedule::parse("30 9 * * 0").expect("cron");
        assert_eq!(
            due_slot(&sunday, None, at(10, 0)),
            Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap())
        );
        let minutely = CronSchedule::parse("* * * * *").expect("cron");
        assert_eq!(
            due_slot(&minutely, Some(at(1, 0)), at(10, 7)),
            Some(at(10, 7))
        );
    }

    #[test]
    fn bad_expressions_are_named_with_the_fix() {
        let e = CronSchedule::parse("0 2 * *").expect_err("bad cron");
        assert_eq!(
            e.to_string(),
            "cron \"0 2 * *\" is not valid: it has 4 fields; write five fields (minute hour \
             day-of-month month day-of-week), e.g. \"0 6 * * 1\""
        );
        assert!(CronSchedule::parse("61 * * * *").is_err());
    }

    #[test]
    fn slot_ids_are_minute_precise() {
        assert_eq!(slot_id(at(13, 0)), "2026-03-02T13:00Z");
    }
}
