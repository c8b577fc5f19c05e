//! The optional Projects v2 board vayu keeps in step with its tasks.

use serde::{Deserialize, Serialize};

/// The `project` section: which board, and the names of its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// The user or organization that owns the project.
    pub owner: String,
    /// The project number from its URL.
    pub number: u64,
    /// Field names on the board.
    #[serde(default)]
    pub fields: ProjectFields,
}

/// Names of the board fields vayu writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProjectFields {
    /// Single-select field holding the status.
    pub status: String,
    /// Field holding the plan stage.
    pub stage: String,
    /// Field holding the owner domain.
    pub owner: String,
    /// Field holding the priority.
    pub priority: String,
    /// Number field holding progress (0–100).
    pub progress: String,
    /// Field holding the estimate in minutes.
    pub estimate: String,
}

impl Default for ProjectFields {
    fn default() -> Self {
        Self {
            status: "Status".into(),
            stage: "Stage".into(),
            owner: "Owner".into(),
            priority: "Priority".into(),
            progress: "Progress".into(),
            estimate: "Estimate".into(),
        }
    }
}

impl ProjectFields {
    /// Each key with the field name it holds.
    pub fn entries(&self) -> [(&'static str, &str); 6] {
        [
            ("status", &self.status),
            ("stage", &self.stage),
            ("owner", &self.owner),
            ("priority", &self.priority),
            ("progress", &self.progress),
            ("estimate", &self.estimate),
        ]
    }
}
