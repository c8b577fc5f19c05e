//! The issue bodies in `examples/` planned end to end, so they stay valid
//! (or stay invalid in the documented way).

use crate::core::config::Config;
use crate::core::ids::TaskKey;
use crate::core::plan::{
    Minutes, Mode, OwnerLoad, Plan, PlanError, PlanSource, TemplateSet, parse_plan, validate_with,
};
use crate::core::task::TaskType;

const AUTH: &str = include_str!("../../../examples/auth-system.md");
const AUTH_CHECKLIST: &str = include_str!("../../../examples/auth-system-checklist.md");
const CYCLE: &str = include_str!("../../../examples/invalid-cycle.md");
const UNKNOWN_NEED: &str = include_str!("../../../examples/invalid-unknown-need.md");
const FEATURE: &str = include_str!("../../../examples/feature-template.md");

fn plan(body: &str, task_type: Option<TaskType>) -> Result<Plan, PlanError> {
    let spec = parse_plan(body, task_type, "Add CSV export", &TemplateSet::builtin())?
        .expect("the example has a plan");
    validate_with(&spec, &Config::default())
}

fn keys(keys: &[TaskKey]) -> Vec<&str> {
    keys.iter().map(TaskKey::as_str).collect()
}

fn stages(plan: &Plan) -> Vec<Vec<&str>> {
    plan.stages.iter().map(|s| keys(s)).collect()
}

#[test]
fn seed_004_auth_block_has_six_subtasks_in_five_stages() {
    let plan = plan(AUTH, None).expect("valid");
    assert_eq!(plan.source, PlanSource::Block);
    assert_eq!(plan.mode, Mode::Stages);
    assert_eq!(plan.subtasks.len(), 6);
    assert_eq!(
        stages(&plan),
        [
            vec!["design"],
            vec!["backend", "frontend"],
            vec!["tests"],
            vec!["security"],
            vec!["docs"]
        ]
    );
    // backend and frontend tie at 30 min; the first written wins.
    assert_eq!(
        keys(&plan.critical_path),
        ["design", "backend", "tests", "security", "docs"]
    );
    let e = &plan.estimate;
    assert_eq!(e.total_subtasks, 6);
    assert_eq!(e.total, Minutes { min: 85, max: 120 });
    // Seed 004: "Total Time: 65-90 minutes".
    assert_eq!(e.critical_path, Minutes { min: 65, max: 90 });
    assert_eq!(e.max_parallelism, 2);
    assert!(e.parallelization_possible);
    assert_eq!(
        e.per_owner.get("development"),
        Some(&OwnerLoad {
            subtasks: 5,
            minutes: Minutes { min: 75, max: 105 }
        })
    );
    assert_eq!(
        e.per_owner.get("security"),
        Some(&OwnerLoad {
            subtasks: 1,
            minutes: Minutes { min: 10, max: 15 }
        })
    );
    assert_eq!(
        e.bottlenecks,
        [
            "stage_1: design blocks backend and frontend",
            "stage_3: tests must wait for backend and frontend",
            "owner development: 75-105 min of work, more than the 65-90 min critical path"
        ]
    );
    let backend = plan
        .subtask(&TaskKey::new("backend").expect("key"))
        .expect("backend");
    assert_eq!(
        backend.files,
        ["server/routes/auth.js", "server/middleware/auth.js"]
    );
    assert_eq!(backend.stage, 2);
}

#[test]
fn seed_004_auth_checklist_gives_the_same_shape() {
    let plan = plan(AUTH_CHECKLIST, None).expect("valid");
    assert_eq!(plan.source, PlanSource::Checklist);
    assert_eq!(plan.mode, Mode::Dag);
    assert_eq!(
        stages(&plan),
        [
            vec!["design-authentication-architecture"],
            vec!["backend", "frontend"],
            vec!["tests"],
            vec!["security-audit"],
            vec!["docs"]
        ]
    );
    assert_eq!(plan.estimate.total, Minutes { min: 85, max: 120 });
    assert_eq!(plan.estimate.critical_path, Minutes { min: 65, max: 90 });
}

#[test]
fn the_hash_is_stable_and_follows_content() {
    let a = plan(AUTH, None).expect("valid").hash;
    assert_eq!(a, plan(AUTH, None).expect("valid").hash);
    let edited = AUTH.replace("estimate: 10m", "estimate: 12m");
    assert_ne!(a, plan(&edited, None).expect("valid").hash);
}

#[test]
fn a_shared_resource_splits_a_stage() {
    let body = AUTH
        .replace(
            "    needs: [design]\n    estimate: 20-30m\n    files: [server",
            "    needs: [design]\n    resources: [staging-db]\n    estimate: 20-30m\n    files: [server",
        )
        .replace(
            "    needs: [design]\n    estimate: 20-30m\n    files: [client",
            "    needs: [design]\n    resources: [staging-db]\n    estimate: 20-30m\n    files: [client",
        );
    let plan = plan(&body, None).expect("valid");
    assert_eq!(
        stages(&plan),
        [
            vec!["design"],
            vec!["backend"],
            vec!["frontend"],
            vec!["tests"],
            vec!["security"],
            vec!["docs"]
        ]
    );
    assert!(!plan.estimate.parallelization_possible);
}

#[test]
fn the_cycle_example_is_refused_naming_the_cycle() {
    let err = plan(CYCLE, None).expect_err("cycle");
    assert_eq!(
        err.to_string(),
        "line 8, column 5: dependency cycle design → tests → design: remove one of these needs so the work has an order"
    );
}

#[test]
fn the_unknown_need_example_is_refused_naming_key_and_subtask() {
    let err = plan(UNKNOWN_NEED, None).expect_err("unknown need");
    assert_eq!(
        err.to_string(),
        "line 17, column 5: subtask `deploy` needs `test`, but no subtask has that key: use one of `refactor`, `tests`, `deploy`"
    );
}

#[test]
fn the_feature_example_is_planned_by_the_template() {
    let plan = plan(FEATURE, Some(TaskType::Feature)).expect("valid");
    assert_eq!(
        plan.source,
        PlanSource::Template {
            name: "feature".into()
        }
    );
    assert_eq!(plan.subtasks[1].title, "Backend: Add CSV export");
    assert_eq!(plan.estimate.total, Minutes { min: 85, max: 120 });
    // Without a type there is nothing to plan from.
    assert_eq!(
        parse_plan(FEATURE, None, "x", &TemplateSet::builtin()),
        Ok(None)
    );
}
