//! The `.github/vayu.yml` schema (DESIGN §3, §4, §8). Every field has a
//! default, so an absent, empty or comment-only file is a valid configuration;
//! unknown keys are rejected with the list of valid ones. As in triagebot, an
//! optional section (`project`) switches its feature on by being present.
//!
//! `examples/vayu.yml` shows every section with its defaults.

mod assignment;
mod duration;
mod error;
mod execution;
mod keys;
mod labels;
mod load;
mod monitoring;
mod owners;
mod permissions;
mod planning;
mod project;
mod review;
mod schedules;
mod validate;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use assignment::{AgentConfig, AssignmentConfig, Strategy};
pub use duration::{DurationError, DurationSecs};
pub use error::{ConfigError, Problem};
pub use execution::{Dispatch, ExecutionConfig};
pub use labels::{LabelConfig, LabelMeaning, LabelSpec};
pub use load::{MAX_ALIASES, MAX_CONFIG_BYTES};
pub use monitoring::{MonitoringConfig, RetriesConfig};
pub use owners::OwnerConfig;
pub use permissions::{Permission, PermissionsConfig, UnknownPermission};
pub use planning::{ComplexityConfig, PlanningConfig};
pub use project::{ProjectConfig, ProjectFields};
pub use review::{ReviewConfig, ReviewMode};
pub use schedules::ScheduleConfig;
pub use validate::MAX_SUBTASKS_LIMIT;

/// Where a repository keeps its vayu config.
pub const CONFIG_PATH: &str = ".github/vayu.yml";

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
    /// The least permission each slash command needs.
    pub permissions: PermissionsConfig,
    /// How tasks find an agent.
    pub assignment: AssignmentConfig,
    /// Heartbeats, zombies, sweeps and reconciles.
    pub monitoring: MonitoringConfig,
    /// Retries of failed tasks.
    pub retries: RetriesConfig,
    /// The review each task type gets.
    pub review: ReviewConfig,
    /// The workflow that executes subtasks.
    pub execution: ExecutionConfig,
    /// The Projects v2 board to keep in step; none when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectConfig>,
    /// Recurring tasks.
    pub schedules: Vec<ScheduleConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            labels: LabelConfig::default(),
            owners: OwnerConfig::defaults(),
            planning: PlanningConfig::default(),
            complexity: ComplexityConfig::default(),
            permissions: PermissionsConfig::default(),
            assignment: AssignmentConfig::default(),
            monitoring: MonitoringConfig::default(),
            retries: RetriesConfig::default(),
            review: ReviewConfig::default(),
            execution: ExecutionConfig::default(),
            project: None,
            schedules: Vec::new(),
        }
    }
}

impl Config {
    /// Parses and validates the text of `.github/vayu.yml`.
    pub fn from_yaml(text: &str) -> Result<Config, ConfigError> {
        Self::from_yaml_named(CONFIG_PATH, text)
    }

    /// Parses and validates `text`, naming `file` in every problem reported.
    /// Empty or comment-only text gives the defaults.
    pub fn from_yaml_named(file: &str, text: &str) -> Result<Config, ConfigError> {
        load::load(file, text)
    }

    /// Every rule this config breaks, each with its key path but no position
    /// (for a config built in code; loading adds positions).
    pub fn problems(&self) -> Vec<Problem> {
        validate::problems(self)
    }

    /// The owner domain with this name (ASCII case ignored).
    pub fn owner(&self, name: &str) -> Option<&OwnerConfig> {
        self.owners
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    /// Every label vayu may put on an issue, with colour and description.
    pub fn label_specs(&self) -> Vec<LabelSpec> {
        self.labels
            .all_specs(self.owners.iter().map(|o| o.name.as_str()))
    }
}
