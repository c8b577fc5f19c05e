//! Liveness and retries (seed 004 §5): heartbeats, zombies, sweeps and backoff.

use serde::{Deserialize, Serialize};

use super::duration::DurationSecs;
use crate::core::task::DEFAULT_MAX_RETRIES;

/// The `monitoring` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitoringConfig {
    /// How often a running step reports a heartbeat.
    pub heartbeat_every: DurationSecs,
    /// A running task with no heartbeat or progress for this long is a zombie.
    pub zombie_after: DurationSecs,
    /// How often the sweep looks for zombies, due retries and schedules.
    pub sweep_every: DurationSecs,
    /// How often plans are rebuilt from GitHub to catch missed webhooks.
    pub reconcile_every: DurationSecs,
}

impl Default for MonitoringConfig {
    fn default() -> Self {
        Self {
            heartbeat_every: DurationSecs::mins(3),
            zombie_after: DurationSecs::mins(20),
            sweep_every: DurationSecs::mins(5),
            reconcile_every: DurationSecs::hours(1),
        }
    }
}

/// The `retries` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetriesConfig {
    /// Retries before a failed task is escalated.
    pub max_retries: u32,
    /// Wait before the first retry; it doubles with each further one.
    pub backoff: DurationSecs,
}

impl Default for RetriesConfig {
    fn default() -> Self {
        Self {
            max_retries: DEFAULT_MAX_RETRIES,
            backoff: DurationSecs::mins(1),
        }
    }
}
