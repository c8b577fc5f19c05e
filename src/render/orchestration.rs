//! Seed 004's orchestration-plan JSON, for `vayu plan --format json` and for
//! tools that consume plans.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::core::plan::Plan;
use crate::core::task::Complexity;

/// What the orchestration plan needs besides the plan.
#[derive(Debug, Clone)]
pub struct OrchestrationInput<'a> {
    /// The validated plan.
    pub plan: &'a Plan,
    /// The parent task's id (`o/r#12`, or a file name for a local preview).
    pub parent_task_id: &'a str,
    /// The parent's title.
    pub title: &'a str,
    /// The decision.
    pub complexity: Complexity,
    /// When the plan was made.
    pub created_at: DateTime<Utc>,
}

/// Builds the orchestration plan in seed 004's shape: `subtasks[]`,
/// `execution_plan.stage_N`, `resource_estimate` and `progress`.
pub fn orchestration_plan(input: &OrchestrationInput<'_>) -> Value {
    let plan = input.plan;
    let created = input.created_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let subtasks: Vec<Value> = plan
        .subtasks
        .iter()
        .map(|s| {
            json!({
                "subtask_id": s.key,
                "parent_task_id": input.parent_task_id,
                "title": s.title,
                "description": s.description.clone().unwrap_or_default(),
                "assigned_to": s.owner,
                "dependencies": s.needs,
                "condition": s.when,
                "resources": s.resources,
                "stage": s.stage,
                "estimated_duration_minutes": s.estimate.max,
                "estimated_duration_range": [s.estimate.min, s.estimate.max],
                "files_affected": s.files,
                "success_criteria": s.success.clone().unwrap_or_default(),
                "status": "pending",
                "created_at": created,
            })
        })
        .collect();
    let mut stages = Map::new();
    for (i, keys) in plan.stages.iter().enumerate() {
        stages.insert(format!("stage_{}", i + 1), json!(keys));
    }
    let est = &plan.estimate;
    json!({
        "orchestration_id": format!("orch-{}", input.parent_task_id),
        "parent_task_id": input.parent_task_id,
        "task_title": input.title,
        "complexity": input.complexity,
        "mode": plan.mode,
        "plan_hash": plan.hash,
        "created_at": created,
        "status": "planning",
        "subtasks": subtasks,
        "execution_plan": stages,
        "critical_path": plan.critical_path,
        "resource_estimate": {
            "total_subtasks": est.total_subtasks,
            "duration_estimate": format!("{}-{} minutes", est.total.min, est.total.max),
            "critical_path_estimate": format!("{}-{} minutes", est.critical_path.min, est.critical_path.max),
            "masters": est.per_owner.keys().collect::<Vec<_>>(),
            "per_owner": est.per_owner,
            "workers": est.max_parallelism,
            "parallelization_possible": est.parallelization_possible,
            "bottlenecks": est.bottlenecks,
        },
        "progress": {
            "current_stage": 1,
            "completed_subtasks": [],
            "active_subtasks": [],
            "failed_subtasks": [],
            "zombie_subtasks": [],
        },
    })
}
