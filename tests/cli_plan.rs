//! `vayu plan` and `vayu config check` run as processes, as a newcomer runs them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn vayu(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vayu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vayu");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("wait for vayu")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "vayu failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failure(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "expected exit 1");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn auth_example_as_json_has_six_subtasks_in_five_stages() {
    let out = stdout(&vayu(
        &["plan", "examples/auth-system.md", "--format", "json"],
        None,
    ));
    let plan: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(plan["subtasks"].as_array().map(Vec::len), Some(6));
    let stages = plan["execution_plan"].as_object().expect("stages");
    assert_eq!(stages.len(), 5);
    assert_eq!(
        stages["stage_2"],
        serde_json::json!(["backend", "frontend"])
    );
    assert_eq!(plan["complexity"], "complex");
    assert_eq!(plan["parent_task_id"], "auth-system");
    assert_eq!(
        plan["resource_estimate"]["duration_estimate"],
        "85-120 minutes"
    );
    let first = &plan["subtasks"][0];
    for field in [
        "subtask_id",
        "title",
        "description",
        "assigned_to",
        "dependencies",
        "estimated_duration_minutes",
        "files_affected",
        "success_criteria",
        "status",
    ] {
        assert!(first.get(field).is_some(), "subtask lacks {field}");
    }
    assert_eq!(plan["progress"]["current_stage"], 1);
}

#[test]
fn markdown_output_has_the_graph_the_estimate_and_the_checklist() {
    let out = stdout(&vayu(&["plan", "examples/auth-system.md"], None));
    assert!(out.contains("```mermaid\ngraph TD\n"), "{out}");
    assert!(out.contains("  t_design --> t_backend\n"), "{out}");
    assert!(
        out.contains("**Estimate**: 85-120 min of work; 65-90 min on the critical path"),
        "{out}"
    );
    assert!(
        out.contains("<!-- vayu:begin -->\n<!-- vayu:plan v=1 hash="),
        "{out}"
    );
    assert_eq!(out.matches("\n- [ ] ").count(), 6, "{out}");
}

#[test]
fn the_checklist_form_plans_the_same_stages() {
    let out = stdout(&vayu(
        &[
            "plan",
            "examples/auth-system-checklist.md",
            "--format",
            "json",
        ],
        None,
    ));
    let plan: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let stages = plan["execution_plan"].as_object().expect("stages");
    assert_eq!(stages.len(), 5);
    assert_eq!(stages["stage_2"].as_array().map(Vec::len), Some(2));
}

#[test]
fn mermaid_format_prints_only_the_graph() {
    let out = stdout(&vayu(
        &["plan", "examples/auth-system.md", "--format", "mermaid"],
        None,
    ));
    assert!(out.starts_with("graph TD\n"), "{out}");
    assert_eq!(out.matches(" --> ").count(), 6, "{out}");
}

#[test]
fn a_cycle_is_refused_and_named() {
    let err = failure(&vayu(&["plan", "examples/invalid-cycle.md"], None));
    assert!(err.contains("design → tests → design"), "{err}");
    assert!(err.contains("line 8, column 5"), "{err}");
}

#[test]
fn an_unknown_need_is_named() {
    let err = failure(&vayu(&["plan", "examples/invalid-unknown-need.md"], None));
    assert!(
        err.contains("needs `test`, but no subtask has that key"),
        "{err}"
    );
}

#[test]
fn eleven_subtasks_are_refused_with_the_bound() {
    let mut body = String::from("```vayu\nsubtasks:\n");
    for i in 0..11 {
        body.push_str(&format!(
            "  - {{key: s{i}, title: Step {i}, owner: docs}}\n"
        ));
    }
    body.push_str("```\n");
    let err = failure(&vayu(&["plan", "-"], Some(&body)));
    assert!(
        err.contains("a plan needs 3–10 subtasks (planning.min_subtasks–planning.max_subtasks); this one has 11"),
        "{err}"
    );
}

#[test]
fn a_simple_task_routes_to_one_owner() {
    let out = stdout(&vayu(&["plan", "examples/simple-task.md"], None));
    assert!(out.contains("simple task → `development`"), "{out}");
    let json = stdout(&vayu(
        &["plan", "examples/simple-task.md", "--format", "json"],
        None,
    ));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["complexity"], "simple");
    assert_eq!(v["assigned_to"], "development");
    assert!(v["reasons"].is_array(), "{v}");
    let graph = stdout(&vayu(
        &["plan", "examples/simple-task.md", "--format", "mermaid"],
        None,
    ));
    assert!(graph.starts_with("graph TD\n  task[\""), "{graph}");
    assert!(graph.contains("<small>development</small>"), "{graph}");
}

#[test]
fn the_type_template_applies_when_decomposition_is_asked_for() {
    let out = stdout(&vayu(
        &[
            "plan",
            "examples/feature-template.md",
            "--type",
            "feature",
            "--decompose",
            "--format",
            "json",
        ],
        None,
    ));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["subtasks"].as_array().map(Vec::len), Some(6));
    let err = failure(&vayu(
        &["plan", "examples/feature-template.md", "--type", "epic"],
        None,
    ));
    assert!(err.contains("unknown task type `epic`"), "{err}");
}

#[test]
fn config_check_accepts_the_example_and_names_bad_keys() {
    let ok = stdout(&vayu(&["config", "check", "examples/vayu.yml"], None));
    assert!(ok.starts_with("examples/vayu.yml: ok"), "{ok}");
    let err = failure(&vayu(
        &["config", "check", "-"],
        Some("planning:\n  max_subtask: 3\n"),
    ));
    assert!(
        err.contains("stdin:2:3: unknown key `max_subtask` in `planning`"),
        "{err}"
    );
}

#[test]
fn plan_uses_a_given_config() {
    let dir = std::env::temp_dir().join(format!("vayu-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cfg = dir.join("vayu.yml");
    std::fs::write(&cfg, "planning:\n  max_subtasks: 5\n").expect("write config");
    let err = failure(&vayu(
        &[
            "plan",
            "examples/auth-system.md",
            "--config",
            cfg.to_str().expect("utf-8 path"),
        ],
        None,
    ));
    assert!(err.contains("a plan needs 3–5 subtasks"), "{err}");
    assert!(err.contains("this one has 6"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
