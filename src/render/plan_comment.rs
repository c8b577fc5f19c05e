//! The comment vayu posts when it plans a task: the decision and its reasons,
//! the subtasks, the stages, the estimate and a Mermaid graph.

use serde::Serialize;

use super::{RenderError, fit_body, mermaid, render};
use crate::core::marker::{escape_table_cell, escape_user_text};
use crate::core::plan::{Mode, Plan, PlanSource};
use crate::core::task::Complexity;

/// What the plan comment needs besides the plan.
#[derive(Debug, Clone)]
pub struct PlanCommentInput<'a> {
    /// The validated plan.
    pub plan: &'a Plan,
    /// The decision.
    pub complexity: Complexity,
    /// Every reason that fired, already phrased for people.
    pub reasons: Vec<String>,
    /// Whether this is a preview (`/vayu plan`, `vayu plan`) rather than applied.
    pub preview: bool,
}

#[derive(Serialize)]
struct View {
    preview: bool,
    complexity: String,
    reasons: Vec<String>,
    source: String,
    mode: &'static str,
    mode_explained: &'static str,
    subtasks: Vec<SubtaskView>,
    stages: Vec<StageView>,
    total: String,
    critical: String,
    critical_path: String,
    owners: Vec<OwnerView>,
    max_parallelism: usize,
    bottlenecks: Vec<String>,
    mermaid: String,
}

#[derive(Serialize)]
struct SubtaskView {
    n: usize,
    key: String,
    title: String,
    owner: String,
    needs: String,
    estimate: String,
    stage: usize,
}

#[derive(Serialize)]
struct StageView {
    n: usize,
    keys: String,
    /// ` (in parallel)` or nothing: kept out of the template because a
    /// line ending in a block tag loses its newline under `trim_blocks`.
    note: &'static str,
}

#[derive(Serialize)]
struct OwnerView {
    name: String,
    subtasks: usize,
    minutes: String,
}

/// Renders the plan comment as Markdown.
pub fn plan_comment(input: &PlanCommentInput<'_>) -> Result<String, RenderError> {
    let plan = input.plan;
    let code = |k: &str| format!("`{k}`");
    let view = View {
        preview: input.preview,
        complexity: input.complexity.as_str().to_owned(),
        reasons: input.reasons.iter().map(|r| escape_user_text(r)).collect(),
        source: match &plan.source {
            PlanSource::Block => "the ```vayu block in the issue body".to_owned(),
            PlanSource::Checklist => "the task list in the issue body".to_owned(),
            PlanSource::Template { name } => format!("the `{name}` template"),
        },
        mode: match plan.mode {
            Mode::Dag => "dag",
            Mode::Stages => "stages",
        },
        mode_explained: match plan.mode {
            Mode::Dag => "each subtask starts as soon as its own needs are done",
            Mode::Stages => "each stage starts when the whole previous stage is done",
        },
        subtasks: plan
            .subtasks
            .iter()
            .enumerate()
            .map(|(i, s)| SubtaskView {
                n: i + 1,
                key: s.key.to_string(),
                title: escape_table_cell(&s.title),
                owner: escape_table_cell(&s.owner),
                needs: if s.needs.is_empty() {
                    "—".to_owned()
                } else {
                    let mut needs: Vec<String> = s.needs.iter().map(|k| code(k.as_str())).collect();
                    if let Some(c) = &s.when {
                        needs.push(format!(
                            "(only if `{}` {})",
                            c.key,
                            match c.outcome {
                                crate::core::plan::Outcome::Succeeded => "succeeded",
                                crate::core::plan::Outcome::Failed => "failed",
                            }
                        ));
                    }
                    needs.join(", ")
                },
                estimate: s.estimate.to_string(),
                stage: s.stage,
            })
            .collect(),
        stages: plan
            .stages
            .iter()
            .enumerate()
            .map(|(i, keys)| StageView {
                n: i + 1,
                keys: keys
                    .iter()
                    .map(|k| code(k.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
                note: if keys.len() > 1 { " (in parallel)" } else { "" },
            })
            .collect(),
        total: plan.estimate.total.to_string(),
        critical: plan.estimate.critical_path.to_string(),
        critical_path: plan
            .critical_path
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" → "),
        owners: plan
            .estimate
            .per_owner
            .iter()
            .map(|(name, load)| OwnerView {
                name: escape_user_text(name),
                subtasks: load.subtasks,
                minutes: load.minutes.to_string(),
            })
            .collect(),
        max_parallelism: plan.estimate.max_parallelism,
        bottlenecks: plan
            .estimate
            .bottlenecks
            .iter()
            .map(|b| escape_user_text(b))
            .collect(),
        mermaid: mermaid(plan, None),
    };
    render("plan.md", &view).map(fit_body)
}
