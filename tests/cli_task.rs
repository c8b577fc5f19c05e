//! `vayu task create|status|list`: the real binary against the simulated GitHub.

mod orchestrator_common;
mod support;

use std::process::{Command, Output};

use orchestrator_common::*;

fn task(h: &H, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vayu"))
        .arg("task")
        .args(args)
        .env("GITHUB_TOKEN", "tok")
        .env("GITHUB_API_URL", h.sim.url())
        .output()
        .expect("run vayu task")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread")]
async fn create_opens_an_issue_with_the_task_labels() {
    let h = setup().await;
    let out = task(
        &h,
        &[
            "create",
            "--repo",
            REPO,
            "--type",
            "research",
            "--priority",
            "high",
            "Analyze performance bottlenecks",
        ],
    );
    let text = stdout(&out);
    let n: u64 = text
        .strip_prefix(&format!("created {REPO}#"))
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    let issue = h.sim.issue(REPO, n);
    assert_eq!(issue.title, "Analyze performance bottlenecks");
    assert_eq!(issue.labels, ["vayu", "type:research", "priority:high"]);
    h.sim.assert_conformant();
}

#[tokio::test(flavor = "multi_thread")]
async fn status_and_list_show_the_decomposed_task() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let subs = h.subs(parent);

    let text = stdout(&task(&h, &["status", "--id", &format!("{REPO}#{parent}")]));
    assert!(
        text.starts_with(&format!("{REPO}#{parent} Add authentication\n")),
        "{text}"
    );
    assert!(text.contains("  subtasks   0/6 completed\n"), "{text}");
    let design = subs["design"];
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("    #{design:<6} design       queued"))),
        "{text}"
    );

    // Only `design` is ready; the other five wait on it.
    let queued = stdout(&task(&h, &["list", "--repo", REPO, "--status", "queued"]));
    let rows: Vec<&str> = queued.lines().skip(1).collect();
    assert!(
        rows.iter().any(|r| r.starts_with(&format!("#{design} "))),
        "{queued}"
    );
    assert!(rows.iter().all(|r| !r.contains("blocked")), "{queued}");
    let blocked = stdout(&task(&h, &["list", "--repo", REPO, "--status", "blocked"]));
    assert_eq!(blocked.lines().count(), 1 + 5, "{blocked}");

    let security = stdout(&task(&h, &["list", "--repo", REPO, "--owner", "security"]));
    let rows: Vec<&str> = security.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{security}");
    assert!(
        rows[0].starts_with(&format!("#{} ", subs["security"])),
        "{security}"
    );

    let none = stdout(&task(&h, &["list", "--repo", REPO, "--owner", "nobody"]));
    assert_eq!(none, "no open tasks match\n");
    h.sim.assert_conformant();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_id_is_explained() {
    let h = setup().await;
    let out = task(&h, &["status", "--id", "octo-app-12"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("write it as owner/repo#12"), "{err}");
}
