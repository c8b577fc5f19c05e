//! How subtasks are run: which workflow the companion Action dispatches (DESIGN §8).

use serde::{Deserialize, Serialize};

/// How vayu starts the workflow that executes a subtask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dispatch {
    /// `workflow_dispatch` of the configured workflow file.
    #[default]
    Workflow,
    /// A `repository_dispatch` event the workflow listens for.
    Repository,
}

/// The `execution` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExecutionConfig {
    /// The workflow file (in `.github/workflows/`) that executes a subtask.
    pub workflow: String,
    /// The branch or tag to run it on; the default branch when absent.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// How the workflow is started.
    pub dispatch: Dispatch,
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        Self {
            workflow: "vayu-execute.yml".into(),
            git_ref: None,
            dispatch: Dispatch::Workflow,
        }
    }
}
