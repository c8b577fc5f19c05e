//! Which quality check a finished task gets (seed 003 §8), per task type.

use serde::{Deserialize, Serialize};

use crate::core::task::TaskType;

/// How a finished task is checked before it counts as done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewMode {
    /// No review: done when the work is done.
    #[default]
    None,
    /// The agent that did the work checks it.
    #[serde(rename = "self")]
    SelfReview,
    /// Another agent checks it.
    Peer,
    /// A human checks it (`/vayu review pass|fail`).
    User,
    /// Automated checks (CI) decide.
    Automated,
}

/// The `review` section: a mode per task type, and one for the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewConfig {
    /// The mode for types not listed.
    pub default: ReviewMode,
    /// Features.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<ReviewMode>,
    /// Bugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<ReviewMode>,
    /// Maintenance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<ReviewMode>,
    /// Scheduled tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<ReviewMode>,
    /// Research.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub research: Option<ReviewMode>,
    /// Learning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning: Option<ReviewMode>,
    /// Security work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<ReviewMode>,
    /// Releases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<ReviewMode>,
}

impl ReviewConfig {
    /// The review a task of type `kind` gets.
    pub fn mode_for(&self, kind: TaskType) -> ReviewMode {
        let specific = match kind {
            TaskType::Feature => self.feature,
            TaskType::Bug => self.bug,
            TaskType::Maintenance => self.maintenance,
            TaskType::Scheduled => self.scheduled,
            TaskType::Research => self.research,
            TaskType::Learning => self.learning,
            TaskType::Security => self.security,
            TaskType::Release => self.release,
        };
        specific.unwrap_or(self.default)
    }

    /// Whether any task type gets `mode`.
    pub fn uses(&self, mode: ReviewMode) -> bool {
        [
            self.feature,
            self.bug,
            self.maintenance,
            self.scheduled,
            self.research,
            self.learning,
            self.security,
            self.release,
        ]
        .into_iter()
        .flatten()
        .chain([self.default])
        .any(|m| m == mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_sees_the_default_and_every_type() {
        let none = ReviewConfig::default();
        assert!(!none.uses(ReviewMode::Automated));
        assert!(none.uses(ReviewMode::None));
        let security = ReviewConfig {
            security: Some(ReviewMode::Automated),
            ..ReviewConfig::default()
        };
        assert!(security.uses(ReviewMode::Automated));
        assert!(!security.uses(ReviewMode::Peer));
    }

    #[test]
    fn a_type_without_its_own_mode_uses_the_default() {
        let r = ReviewConfig {
            default: ReviewMode::Peer,
            security: Some(ReviewMode::User),
            ..ReviewConfig::default()
        };
        assert_eq!(r.mode_for(TaskType::Security), ReviewMode::User);
        assert_eq!(r.mode_for(TaskType::Bug), ReviewMode::Peer);
        assert_eq!(
            ReviewConfig::default().mode_for(TaskType::Release),
            ReviewMode::None
        );
    }
}
