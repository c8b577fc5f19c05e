//! The `.github/vayu.yml` schema. Every field has a default, so an absent or
//! empty file is a valid configuration; unknown keys are rejected.
//!
//! (Skeleton: loading with positions, validation and `vayu config check` are
//! filled in by the config work.)

use serde::{Deserialize, Serialize};

use crate::core::plan::model::Mode;

/// The whole repository configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Label names.
    pub labels: LabelConfig,
    /// Owner domains (seed 004's masters), in priority order.
    pub owners: Vec<OwnerConfig>,
    /// Decomposition bounds.
    pub planning: PlanningConfig,
    /// Simple/complex thresholds.
    pub complexity: ComplexityConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            labels: LabelConfig::default(),
            owners: OwnerConfig::defaults(),
            planning: PlanningConfig::default(),
            complexity: ComplexityConfig::default(),
        }
    }
}

/// Label names (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelConfig {
    /// An issue with this label becomes a task.
    pub trigger: String,
    /// An issue with this label is ignored.
    pub skip: String,
    /// Prefix of type labels (`type:`).
    pub type_prefix: String,
    /// Prefix of priority labels.
    pub priority_prefix: String,
    /// Prefix of owner labels.
    pub owner_prefix: String,
    /// Prefix of status labels.
    pub status_prefix: String,
}

impl Default for LabelConfig {
    fn default() -> Self {
        Self {
            trigger: "vayu".into(),
            skip: "vayu:skip".into(),
            type_prefix: "type:".into(),
            priority_prefix: "priority:".into(),
            owner_prefix: "owner:".into(),
            status_prefix: "status:".into(),
        }
    }
}

/// One owner domain and the words that point to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerConfig {
    /// Domain name, used in `owner:` labels and plans.
    pub name: String,
    /// Words in a title or body that point to this domain.
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl OwnerConfig {
    /// Seed 004's masters with keywords that route simple tasks.
    pub fn defaults() -> Vec<Self> {
        let o = |name: &str, kw: &[&str]| OwnerConfig {
            name: name.into(),
            keywords: kw.iter().map(|s| (*s).into()).collect(),
        };
        vec![
            o(
                "development",
                &[
                    "implement",
                    "code",
                    "bug",
                    "fix",
                    "refactor",
                    "feature",
                    "api",
                    "backend",
                    "frontend",
                    "test",
                    "tests",
                ],
            ),
            o(
                "security",
                &[
                    "security",
                    "vulnerability",
                    "audit",
                    "cve",
                    "auth",
                    "secret",
                    "permission",
                ],
            ),
            o(
                "inventory",
                &["inventory", "list", "repositories", "portfolio", "catalog"],
            ),
            o(
                "cicd",
                &[
                    "ci", "cd", "deploy", "pipeline", "workflow", "release", "build",
                ],
            ),
            o(
                "docs",
                &["docs", "documentation", "readme", "guide", "tutorial"],
            ),
        ]
    }
}

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
