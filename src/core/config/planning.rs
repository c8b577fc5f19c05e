//! Decomposition bounds (DESIGN §4) and the simple/complex thresholds (seed 004).

use serde::{Deserialize, Serialize};

use crate::core::plan::model::Mode;

/// Decomposition bounds (DESIGN §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanningConfig {
    /// Fewest subtasks a plan may have.
    pub min_subtasks: usize,
    /// Most subtasks a plan may have.
    pub max_subtasks: usize,
    /// Most stages a plan may have.
    pub max_stages: usize,
    /// Release policy when a plan does not say.
    pub mode: Mode,
    /// Minutes assumed for a subtask with no estimate.
    pub default_estimate_minutes: u32,
}

impl Default for PlanningConfig {
    fn default() -> Self {
        Self {
            min_subtasks: 3,
            max_subtasks: 10,
            max_stages: 10,
            mode: Mode::Dag,
            default_estimate_minutes: 15,
        }
    }
}

/// Thresholds of the simple/complex decision (seed 004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplexityConfig {
    /// A task touching this many files or more is complex.
    pub files: usize,
    /// A task estimated above this many minutes is complex.
    pub minutes: u32,
    /// A task spanning this many owner domains or more is complex.
    pub owners: usize,
}

impl Default for ComplexityConfig {
    fn default() -> Self {
        Self {
            files: 4,
            minutes: 30,
            owners: 2,
        }
    }
}
