//! Recurring tasks (seed 003 §4, "house management") started by the sweep.

use serde::{Deserialize, Serialize};

use crate::core::task::TaskType;

/// One recurring task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Unique name; also the title when `title` is absent.
    pub name: String,
    /// When to open the task: a five-field cron expression, in UTC.
    pub cron: String,
    /// The task type, which picks the plan template.
    #[serde(default = "default_template")]
    pub template: TaskType,
    /// The issue title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Extra labels for the issue.
    #[serde(default)]
    pub labels: Vec<String>,
}

fn default_template() -> TaskType {
    TaskType::Scheduled
}

impl ScheduleConfig {
    /// The title of the issue this schedule opens.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.name)
    }
}
