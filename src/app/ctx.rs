//! What a handler runs with: the GitHub port, the ledger, who vayu is, the
//! clock, and a test hook that stops the effect executor part-way.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};

use crate::core::ids::Login;
use crate::core::plan::TemplateSet;

/// A clock: handlers never read the system time directly, so tests can.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Everything a handler needs.
pub struct Ctx<G, S> {
    /// GitHub.
    pub gh: G,
    /// vayu's database.
    pub store: S,
    /// vayu's own login (`vayu[bot]`): events it caused are ignored.
    pub bot: Login,
    /// The time source.
    pub clock: Clock,
    /// The built-in plan templates.
    pub templates: TemplateSet,
    /// Stops the executor after this many GitHub writes (crash tests).
    pub crash: CrashHook,
    /// The store lives for this run only (the Action's): state that other
    /// runs recorded is read back from GitHub instead.
    pub scratch_ledger: bool,
}

impl<G, S> fmt::Debug for Ctx<G, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx").field("bot", &self.bot).finish()
    }
}

impl<G, S> Ctx<G, S> {
    /// A context with the system clock, built-in templates and no crash hook.
    pub fn new(gh: G, store: S, bot: Login) -> Self {
        Self {
            gh,
            store,
            bot,
            clock: system_clock(),
            templates: TemplateSet::builtin(),
            crash: CrashHook::default(),
            scratch_ledger: false,
        }
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// Simulates a worker dying after `k` GitHub writes: the `k`-th write lands
/// on GitHub but is never recorded in the ledger, then the run fails.
#[derive(Debug, Clone, Default)]
pub struct CrashHook(Option<Arc<AtomicUsize>>);

impl CrashHook {
    /// Crash after `k` more writes.
    pub fn after(k: usize) -> Self {
        Self(Some(Arc::new(AtomicUsize::new(k))))
    }

    /// Counts one write; true when the worker must "die" now.
    pub(crate) fn tick(&self) -> bool {
        let Some(left) = &self.0 else {
            return false;
        };
        let before = left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .unwrap_or(0);
        before == 1
    }
}
