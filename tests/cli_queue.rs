//! The queue's command line on the real binary: `vayu reconcile` against the
//! simulated GitHub, `vayu events` (with `--repo`, `--limit`, `--follow`) and
//! `vayu jobs --dead` over a store the test fills.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use vayu::core::ids::{IssueNumber, RepoName};
use vayu::store::{Failed, NewEvent, NewJob, SqliteStore, Store};

use support::GitHubSim;

const REPO: &str = "octo-org/hello";

fn vayu(args: &[&str], db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vayu"));
    cmd.args(args)
        .env_clear()
        .env("DATABASE_URL", db)
        .current_dir(std::env::temp_dir());
    cmd
}

async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

async fn store_in(dir: &tempfile::TempDir) -> (String, SqliteStore) {
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    (url.clone(), SqliteStore::connect(&url).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_decomposes_a_missed_parent_then_finds_nothing_to_do() {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    let parent = sim
        .repo(REPO)
        .issue()
        .title("Add an authentication system")
        .body(include_str!("../examples/auth-system.md"))
        .label("vayu")
        .open();
    let dir = tempfile::tempdir().unwrap();
    let (db, _store) = store_in(&dir).await;
    let run = || {
        let mut cmd = vayu(&["reconcile", REPO, "--github-api-url", &sim.url()], &db);
        cmd.env("GITHUB_TOKEN", "tok");
        cmd
    };
    let first = stdout(&output(run()).await);
    assert!(
        first.starts_with(&format!("{REPO}: 1 open parent(s) checked; ")),
        "{first}"
    );
    assert!(first.contains("GitHub write(s) repaired drift"), "{first}");
    assert_eq!(sim.issue(REPO, parent.number).sub_issues.len(), 6);
    let second = stdout(&output(run()).await);
    assert_eq!(
        second,
        format!("{REPO}: 1 open parent(s) checked; already in line with their plans\n")
    );

    let missing = output(vayu(&["reconcile", REPO], &db)).await;
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("no GitHub credentials: set GITHUB_TOKEN"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let bad = output(vayu(&["reconcile", "not-a-repo"], &db)).await;
    assert!(String::from_utf8_lossy(&bad.stderr).contains("write it as owner/name"));
    sim.assert_conformant();
}

fn event(repo: &str, n: u64) -> NewEvent {
    NewEvent {
        ts: Utc::now(),
        kind: "job.done".into(),
        repo: Some(repo.parse::<RepoName>().unwrap()),
        issue: Some(IssueNumber(n)),
        data: json!({ "job": n }),
    }
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_prints_the_latest_as_json_lines_and_follows() {
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = store_in(&dir).await;
    for n in 1..=3 {
        store.append_event(&event(REPO, n)).await.unwrap();
        store
            .append_event(&event("octo-org/other", n))
            .await
            .unwrap();
    }
    let out = stdout(&output(vayu(&["events", "--repo", REPO, "--limit", "2"], &db)).await);
    let got = lines(&out);
    assert_eq!(got.len(), 2, "{out}");
    assert_eq!(
        got.iter().map(|e| e["issue"].clone()).collect::<Vec<_>>(),
        vec![json!(2), json!(3)]
    );
    assert_eq!(got[1]["repo"], json!(REPO));
    assert_eq!(got[1]["kind"], json!("job.done"));
    assert_eq!(got[1]["data"], json!({"job": 3}));

    // --follow prints what is stored after it started, for its repository only.
    let mut child = vayu(
        &[
            "events", "--follow", "--repo", REPO, "--limit", "1", "--poll", "1s",
        ],
        &db,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let read_line = move |mut reader: BufReader<std::process::ChildStdout>| {
        tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            (reader, line)
        })
    };
    let (r, first) = read_line(reader).await.unwrap();
    reader = r;
    assert_eq!(lines(&first)[0]["issue"], json!(3));
    store
        .append_event(&event("octo-org/other", 9))
        .await
        .unwrap();
    store.append_event(&event(REPO, 10)).await.unwrap();
    let (_reader, next) = tokio::time::timeout(Duration::from_secs(60), read_line(reader))
        .await
        .expect("--follow printed nothing")
        .unwrap();
    assert_eq!(lines(&next)[0]["issue"], json!(10), "{next}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_dead_lists_the_jobs_out_of_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = store_in(&dir).await;
    let mut job = NewJob::new("event", json!({}), Utc::now());
    job.max_attempts = 1;
    store.enqueue(&job, Utc::now()).await.unwrap();
    store
        .enqueue(&NewJob::new("event", json!({}), Utc::now()), Utc::now())
        .await
        .unwrap();
    let leased = store
        .lease("w", None, Duration::from_secs(60), Utc::now(), 1)
        .await
        .unwrap();
    let failed = store
        .fail(leased[0].id, leased[0].lease, "boom", Utc::now())
        .await
        .unwrap();
    assert_eq!(failed, Failed::Dead);
    let out = stdout(&output(vayu(&["jobs", "--dead"], &db)).await);
    let fields: Vec<&str> = out.trim_end().split('\t').collect();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert_eq!(fields[0], leased[0].id.to_string());
    assert_eq!(&fields[1..4], ["dead", "event", "1/1"]);
    assert_eq!(fields[5], "boom");
    let all = stdout(&output(vayu(&["jobs"], &db)).await);
    assert_eq!(all.lines().count(), 1, "only the queued job: {all}");
    assert!(all.contains("\tqueued\t"), "{all}");
}
