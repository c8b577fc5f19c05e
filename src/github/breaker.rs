//! A circuit breaker per installation. When GitHub keeps failing for one
//! installation (5xx, dropped connections, secondary rate limits — each
//! already retried inside the call), further calls stop for a cool-down
//! instead of hammering it, and jobs wait (deferred, no attempt spent)
//! rather than burning their retries. After the cool-down one trial call is
//! let through: success closes the circuit, failure opens it again for
//! twice as long (capped).
//!
//! A small state machine rather than a crate: what is needed is three
//! states, an injected clock (Unix seconds, as the client's) and an answer
//! to "how long until calls may go again", which the job runner uses to
//! defer; the general-purpose breaker crates hide the latter.

use std::sync::Mutex;
use std::time::Duration;

use crate::app::ports::GitHubError;

/// When the breaker opens and how long it stays open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failed calls that open the circuit.
    pub failures: u32,
    /// The first cool-down; each failed trial doubles it, up to `max_cool_down`.
    pub cool_down: Duration,
    /// The longest cool-down.
    pub max_cool_down: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failures: 5,
            cool_down: Duration::from_secs(30),
            max_cool_down: Duration::from_secs(600),
        }
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Calls go through; `failures` consecutive ones failed so far.
    Closed {
        /// Consecutive failures.
        failures: u32,
    },
    /// Calls are refused until `until` (Unix seconds).
    Open {
        /// When a trial call may go.
        until: i64,
        /// The cool-down that led here, doubled on the next failed trial.
        cool_down_secs: u64,
    },
    /// One trial call is in flight; others are refused until it ends.
    HalfOpen {
        /// The cool-down before the trial.
        cool_down_secs: u64,
        /// When the trial went (a trial never recorded, say cancelled, is
        /// given up after [`TRIAL_TIMEOUT_SECS`]).
        since: i64,
    },
}

/// Whether a call may go now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Go.
    Yes,
    /// Go, as the one trial after a cool-down.
    Trial,
    /// Wait this long first.
    No(Duration),
}

/// The circuit breaker of one installation.
#[derive(Debug)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: Mutex<State>,
}

/// Whether a failed call speaks of GitHub's health (and so counts).
pub fn counts(e: &GitHubError) -> bool {
    matches!(
        e,
        GitHubError::Transient { .. } | GitHubError::RateLimited { .. }
    )
}

/// A half-open trial's wait for the others: they retry after this.
const TRIAL_WAIT: Duration = Duration::from_secs(5);

/// A trial that never reported back is given up after this long.
const TRIAL_TIMEOUT_SECS: i64 = 120;

impl Breaker {
    /// A closed breaker.
    pub fn new(cfg: BreakerConfig) -> Self {
        Self {
            cfg,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current state.
    pub fn state(&self) -> State {
        *self.lock()
    }

    /// Asks to make a call at `now`; a `Trial` must be followed by [`Breaker::record`].
    pub fn admit(&self, now: i64) -> Admit {
        let mut s = self.lock();
        match *s {
            State::Closed { .. } => Admit::Yes,
            State::Open {
                until,
                cool_down_secs,
            } if now >= until => {
                *s = State::HalfOpen {
                    cool_down_secs,
                    since: now,
                };
                Admit::Trial
            }
            State::HalfOpen {
                cool_down_secs,
                since,
            } if now >= since.saturating_add(TRIAL_TIMEOUT_SECS) => {
                *s = State::HalfOpen {
                    cool_down_secs,
                    since: now,
                };
                Admit::Trial
            }
            State::Open { until, .. } => {
                Admit::No(Duration::from_secs(u64::try_from(until - now).unwrap_or(0)))
            }
            State::HalfOpen { .. } => Admit::No(TRIAL_WAIT),
        }
    }

    /// How long calls are held back at `now`, without taking a trial.
    pub fn held_back(&self, now: i64) -> Option<Duration> {
        match *self.lock() {
            State::Closed { .. } => None,
            State::Open { until, .. } if now >= until => None,
            State::Open { until, .. } => {
                Some(Duration::from_secs(u64::try_from(until - now).unwrap_or(0)))
            }
            State::HalfOpen { .. } => Some(TRIAL_WAIT),
        }
    }

    /// Records how a call that was let through ended.
    pub fn record(&self, ok: bool, now: i64) {
        let mut s = self.lock();
        let base = self.cfg.cool_down.as_secs();
        let max = self.cfg.max_cool_down.as_secs().max(base);
        let open = |cool: u64| State::Open {
            until: now.saturating_add(i64::try_from(cool).unwrap_or(i64::MAX)),
            cool_down_secs: cool,
        };
        *s = match (*s, ok) {
            (_, true) => State::Closed { failures: 0 },
            (State::Closed { failures }, false) if failures + 1 >= self.cfg.failures => {
                tracing::warn!(cool_down_secs = base, "GitHub keeps failing: circuit open");
                open(base)
            }
            (State::Closed { failures }, false) => State::Closed {
                failures: failures + 1,
            },
            (State::HalfOpen { cool_down_secs, .. }, false) => {
                let cool = cool_down_secs.saturating_mul(2).clamp(base, max);
                tracing::warn!(
                    cool_down_secs = cool,
                    "trial call failed: circuit open again"
                );
                open(cool)
            }
            // A call admitted before the circuit opened ended late: the
            // circuit is already open, keep its deadline.
            (open_state @ State::Open { .. }, false) => open_state,
        };
    }
}

/// The error a call refused by an open circuit fails with.
pub fn open_error(installation: u64, wait: Duration) -> GitHubError {
    GitHubError::Transient {
        message: format!(
            "calls for installation {installation} are paused for {}s after repeated GitHub \
             failures (circuit breaker open); jobs wait and resume on their own",
            wait.as_secs()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker::new(BreakerConfig {
            failures: 3,
            cool_down: Duration::from_secs(30),
            max_cool_down: Duration::from_secs(100),
        })
    }

    #[test]
    fn opens_after_consecutive_failures_only() {
        let b = breaker();
        b.record(false, 0);
        b.record(false, 1);
        b.record(true, 2);
        b.record(false, 3);
        b.record(false, 4);
        assert_eq!(b.state(), State::Closed { failures: 2 });
        assert_eq!(b.admit(5), Admit::Yes);
        b.record(false, 5);
        assert_eq!(
            b.state(),
            State::Open {
                until: 35,
                cool_down_secs: 30
            }
        );
        assert_eq!(b.admit(20), Admit::No(Duration::from_secs(15)));
        assert_eq!(b.held_back(20), Some(Duration::from_secs(15)));
    }

    #[test]
    fn half_opens_for_one_trial_that_closes_or_reopens_longer() {
        let b = breaker();
        for t in 0..3 {
            b.record(false, t);
        }
        // Cool-down over: one trial, the others wait for it.
        assert_eq!(b.held_back(40), None);
        assert_eq!(b.admit(40), Admit::Trial);
        assert_eq!(b.admit(40), Admit::No(TRIAL_WAIT));
        assert_eq!(b.held_back(40), Some(TRIAL_WAIT));
        b.record(false, 41);
        assert_eq!(
            b.state(),
            State::Open {
                until: 101,
                cool_down_secs: 60
            }
        );
        assert_eq!(b.admit(101), Admit::Trial);
        b.record(false, 101);
        // Doubling stops at the cap.
        assert_eq!(
            b.state(),
            State::Open {
                until: 201,
                cool_down_secs: 100
            }
        );
        assert_eq!(b.admit(201), Admit::Trial);
        b.record(true, 202);
        assert_eq!(b.state(), State::Closed { failures: 0 });
        assert_eq!(b.admit(202), Admit::Yes);
    }

    #[test]
    fn a_trial_that_never_reports_back_is_given_up() {
        let b = breaker();
        for t in 0..3 {
            b.record(false, t);
        }
        assert_eq!(b.admit(40), Admit::Trial);
        // The trial's caller was cancelled: no record.
        assert_eq!(b.admit(100), Admit::No(TRIAL_WAIT));
        assert_eq!(b.admit(160), Admit::Trial);
    }

    #[test]
    fn only_failures_of_github_itself_count() {
        assert!(counts(&GitHubError::Transient {
            message: "502".into()
        }));
        assert!(counts(&GitHubError::RateLimited { retry_after: None }));
        assert!(!counts(&GitHubError::NotFound { what: "x".into() }));
        assert!(!counts(&GitHubError::Validation {
            message: "x".into()
        }));
    }
}
