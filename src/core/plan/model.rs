//! The plan data types shared by the parsers, the validator and the renderers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::ids::TaskKey;

/// Where in the source text something was written (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// Line, counting from 1 at the start of the issue body or file.
    pub line: usize,
    /// Column, counting from 1.
    pub column: usize,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// How subtasks are released (DESIGN §4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Each subtask starts as soon as its own needs are met (faster).
    #[default]
    Dag,
    /// Stage by stage: a stage starts when every subtask of the previous one is done (seed 004).
    Stages,
}

/// Which result of a dependency a conditional need waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The dependency completed.
    Succeeded,
    /// The dependency failed or was closed as not planned.
    Failed,
}

/// `when: <key> succeeded|failed`: run only if `key` ended that way (seed 003 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Condition {
    /// The subtask whose result decides.
    pub key: TaskKey,
    /// The result that lets this subtask run.
    pub outcome: Outcome,
}

/// A duration estimate in whole minutes, as a range (`15m`, `10-15m`, `1h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Minutes {
    /// Optimistic.
    pub min: u32,
    /// Pessimistic.
    pub max: u32,
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{} min", self.min)
        } else {
            write!(f, "{}-{} min", self.min, self.max)
        }
    }
}

/// Where a plan came from (DESIGN §4: first found wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanSource {
    /// A fenced ```` ```vayu ```` YAML block in the issue body.
    Block,
    /// A Markdown task list in the issue body.
    Checklist,
    /// A per-type template.
    Template {
        /// The template's name (`feature`, `research`, …).
        name: String,
    },
}

/// One subtask as written, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubtaskSpec {
    /// Stable key, unique within the plan.
    pub key: TaskKey,
    /// Issue title for the sub-issue.
    pub title: String,
    /// The single owner domain (`development`, `security`, …).
    pub owner: Option<String>,
    /// Keys that must be done first.
    pub needs: Vec<TaskKey>,
    /// Run only if a dependency ended a given way.
    pub when: Option<Condition>,
    /// Named mutexes: two subtasks sharing one never run together.
    pub resources: Vec<String>,
    /// Duration estimate.
    pub estimate: Option<Minutes>,
    /// Files the subtask touches.
    pub files: Vec<String>,
    /// How we know it is done.
    pub success: Option<String>,
    /// Longer description for the sub-issue body.
    pub description: Option<String>,
    /// Where it was written, for error messages.
    pub span: Option<Span>,
}

/// A plan as parsed from one source, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// Release policy, when the source says (the configured default applies otherwise).
    pub mode: Option<Mode>,
    /// Subtasks in written order.
    pub subtasks: Vec<SubtaskSpec>,
    /// Where it came from.
    pub source: PlanSource,
}

/// A validated subtask: exactly one owner and an estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subtask {
    /// Stable key, unique within the plan.
    pub key: TaskKey,
    /// Issue title for the sub-issue.
    pub title: String,
    /// The single owner domain.
    pub owner: String,
    /// Keys that must be done first.
    pub needs: Vec<TaskKey>,
    /// Run only if a dependency ended a given way.
    pub when: Option<Condition>,
    /// Named mutexes.
    pub resources: Vec<String>,
    /// Duration estimate (the configured default when none was written).
    pub estimate: Minutes,
    /// Files the subtask touches.
    pub files: Vec<String>,
    /// How we know it is done.
    pub success: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// 1-based stage (longest-path layer, after resource separation).
    pub stage: usize,
}

/// Load on one owner domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerLoad {
    /// Subtasks owned.
    pub subtasks: usize,
    /// Their summed estimate.
    pub minutes: Minutes,
}

/// Seed 004's resource estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceEstimate {
    /// Number of subtasks.
    pub total_subtasks: usize,
    /// Sum of all estimates (the work).
    pub total: Minutes,
    /// Length of the critical path (the wall-clock time with unlimited workers).
    pub critical_path: Minutes,
    /// Per owner, sorted by owner name.
    pub per_owner: std::collections::BTreeMap<String, OwnerLoad>,
    /// The widest stage.
    pub max_parallelism: usize,
    /// Whether any stage holds more than one subtask.
    pub parallelization_possible: bool,
    /// Human-readable bottlenecks (`stage_3: security audit must wait for tests`).
    pub bottlenecks: Vec<String>,
}

/// A validated plan, ready to render or apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Release policy.
    pub mode: Mode,
    /// Where it came from.
    pub source: PlanSource,
    /// Subtasks in written order.
    pub subtasks: Vec<Subtask>,
    /// Stage `i` (0-based here, `stage_{i+1}` when shown) lists its keys in written order.
    pub stages: Vec<Vec<TaskKey>>,
    /// The longest chain by pessimistic estimate, first to last.
    pub critical_path: Vec<TaskKey>,
    /// Totals and loads.
    pub estimate: ResourceEstimate,
    /// A short stable hash of the plan's content, for markers and re-plan diffs.
    pub hash: String,
}

impl Plan {
    /// The subtask with this key.
    pub fn subtask(&self, key: &TaskKey) -> Option<&Subtask> {
        self.subtasks.iter().find(|s| &s.key == key)
    }
}
