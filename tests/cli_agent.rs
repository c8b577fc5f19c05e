//! `vayu agent list|workload`: the real binary against the simulated GitHub,
//! with the three agents of the assignment tests.

mod assign_common;
mod orchestrator_common;
mod support;

use std::process::{Command, Output};

use assign_common::*;
use orchestrator_common::*;

fn agent(h: &H, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vayu"))
        .arg("agent")
        .args(args)
        .env("GITHUB_TOKEN", "tok")
        .env("GITHUB_API_URL", h.sim.url())
        .env("DATABASE_URL", db)
        .output()
        .expect("run vayu agent")
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
async fn list_shows_load_capacity_and_availability() {
    // carol holds 4 tasks with a capacity of 4: not available.
    let h = world("push", "carol-full").await;
    let db = format!("sqlite://{}", h.dir.path().join("agents.db").display());

    let all = stdout(&agent(&h, &db, &["list", "--repo", REPO]));
    let rows: Vec<&str> = all.lines().collect();
    assert_eq!(rows.len(), 4, "{all}");
    assert!(rows[1].starts_with("alice"), "{all}");
    assert!(rows[1].contains("   0/5"), "{all}");
    assert!(
        rows[2].starts_with("bob") && rows[2].contains("   2/5"),
        "{all}"
    );
    assert!(
        rows[3].starts_with("carol") && rows[3].contains("   4/4") && rows[3].contains("no     no"),
        "{all}"
    );

    let free = stdout(&agent(&h, &db, &["list", "--repo", REPO, "--available"]));
    assert!(free.contains("alice") && free.contains("bob"), "{free}");
    assert!(!free.contains("carol"), "{free}");

    let work = stdout(&agent(
        &h,
        &db,
        &["workload", "--repo", REPO, "--id", "bob"],
    ));
    assert!(
        work.starts_with("bob holds 2 of 5 open vayu task(s)\n"),
        "{work}"
    );
    assert_eq!(
        work.lines().filter(|l| l.contains("executing")).count(),
        2,
        "{work}"
    );

    let stranger = agent(&h, &db, &["workload", "--repo", REPO, "--id", "mallory"]);
    assert!(!stranger.status.success());
    assert!(
        String::from_utf8_lossy(&stranger.stderr).contains("`mallory` is not an agent"),
        "{}",
        String::from_utf8_lossy(&stranger.stderr)
    );
    h.sim.assert_conformant();
}
