//! Runs the real `vayu action` binary against the simulated GitHub, as a
//! runner would: `GITHUB_*` variables, an event file, and fresh
//! `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` files.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;

use super::sim::GitHubSim;

pub const REPO: &str = "octo-org/hello";
pub const TOKEN: &str = "tok";
pub const BOT: &str = "github-actions[bot]";

/// What one run left behind.
#[derive(Debug)]
pub struct ActionRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The raw `$GITHUB_OUTPUT` file.
    pub outputs_file: String,
    pub summary: String,
    pub dir: PathBuf,
}

impl ActionRun {
    /// `$GITHUB_OUTPUT` as the runner reads it, in order.
    pub fn outputs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut lines = self.outputs_file.lines();
        while let Some(line) = lines.next() {
            if let Some((name, delim)) = line.split_once("<<") {
                let mut value = Vec::new();
                for l in lines.by_ref() {
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                out.push((name.to_owned(), value.join("\n")));
            } else if let Some((name, value)) = line.split_once('=') {
                out.push((name.to_owned(), value.to_owned()));
            }
        }
        out
    }

    pub fn output(&self, name: &str) -> Option<String> {
        self.outputs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The workflow commands the runner would process in stdout, honouring
    /// `::stop-commands::<token>` … `::<token>::`.
    pub fn commands(&self) -> Vec<String> {
        let mut stopped: Option<String> = None;
        let mut seen = Vec::new();
        for line in self.stdout.lines() {
            if let Some(token) = &stopped {
                if line == format!("::{token}::") {
                    stopped = None;
                }
                continue;
            }
            if let Some(token) = line.strip_prefix("::stop-commands::") {
                stopped = Some(token.to_owned());
                continue;
            }
            if line.starts_with("::") {
                seen.push(line.to_owned());
            }
        }
        seen
    }
}

/// A directory of its own for one run.
pub fn scratch_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "vayu-action-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `vayu action` with `mode`, the event, and extra `INPUT_*`/other variables.
pub async fn run_action(
    sim: &GitHubSim,
    mode: &str,
    event_name: &str,
    event: &Value,
    extra: &[(&str, &str)],
) -> ActionRun {
    let dir = scratch_dir();
    let event_path = dir.join("event.json");
    std::fs::write(&event_path, serde_json::to_vec(event).expect("json")).expect("event file");
    let out = dir.join("output");
    let summary = dir.join("summary");
    std::fs::write(&out, "").expect("output file");
    std::fs::write(&summary, "").expect("summary file");
    // `option_env!`: the sim example includes this module too, without a binary.
    let Some(bin) = option_env!("CARGO_BIN_EXE_vayu") else {
        panic!("run_action is for integration tests, where cargo builds the vayu binary");
    };
    let mut cmd = Command::new(bin);
    cmd.arg("action")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", sim.url())
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "77")
        .env("GITHUB_REF_NAME", "main")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", &dir)
        .env("INPUT_MODE", mode)
        .env("INPUT_GITHUB_TOKEN", TOKEN)
        .env("VAYU_EDIT_INTERVAL", "0")
        .env("VAYU_MUTATION_GAP", "0");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run vayu");
    ActionRun {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        outputs_file: std::fs::read_to_string(&out).expect("outputs"),
        summary: std::fs::read_to_string(&summary).expect("summary"),
        dir,
    }
}

/// Numbers of a planned parent (#1, by `alice`) and its subtasks a → b → c.
#[derive(Debug, Clone, Copy)]
pub struct Planned {
    pub parent: u64,
    pub a: u64,
    pub b: u64,
    pub c: u64,
}

/// A parent body whose plan is a → b → c, with `a_title` and `text` chosen by the test.
pub fn parent_body(a_title: &str, text: &str) -> String {
    let quoted = a_title.replace('\'', "''");
    format!(
        "{text}\n\n```vayu\nsubtasks:\n  - key: a\n    title: '{quoted}'\n    owner: development\n  - key: b\n    title: Build\n    owner: development\n    needs: [a]\n  - key: c\n    title: Document\n    owner: docs\n    needs: [b]\n```\n"
    )
}

/// A real webhook payload from `tests/fixtures/github/webhooks/`, its issue
/// replaced by the sim's issue `n` and its repository by [`REPO`].
fn payload_about(sim: &GitHubSim, fixture: &str, n: u64, sender: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/github/webhooks/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture");
    let mut v: Value = serde_json::from_str(&text).expect("fixture json");
    let s = sim.issue(REPO, n);
    let issue = &mut v["issue"];
    issue["number"] = n.into();
    issue["id"] = s.id.into();
    issue["node_id"] = s.node_id.clone().into();
    issue["title"] = s.title.clone().into();
    issue["body"] = s.body.clone().into();
    issue["labels"] = s.labels.iter().map(|l| label_json(l)).collect();
    v["repository"]["full_name"] = REPO.into();
    v["repository"]["name"] = "hello".into();
    v["repository"]["owner"]["login"] = "octo-org".into();
    v["sender"]["login"] = sender.into();
    v
}

fn label_json(name: &str) -> Value {
    serde_json::json!({ "id": 1, "node_id": "L", "url": "", "name": name, "color": "ededed", "default": false, "description": null })
}

/// An `issues.labeled` delivery (a real payload, its issue replaced by the
/// sim's issue `n`) as `sender` adding `label`.
pub fn labeled_event(sim: &GitHubSim, n: u64, label: &str, sender: &str) -> Value {
    let mut v = payload_about(sim, "issues.labeled.1.json", n, sender);
    v["issue"]["user"]["login"] = "alice".into();
    v["label"] = label_json(label);
    v
}

/// An `issue_comment.created` delivery (a real payload, its issue and
/// comment replaced by the sim's) for comment `id` on issue `n`.
pub fn comment_event(sim: &GitHubSim, n: u64, id: u64, body: &str, author: &str) -> Value {
    let mut v = payload_about(sim, "issue_comment.created.2.json", n, author);
    v["issue"].as_object_mut().map(|o| o.remove("pull_request"));
    v["comment"]["id"] = id.into();
    v["comment"]["body"] = body.into();
    v["comment"]["user"]["login"] = author.into();
    v
}

/// Opens the parent as `alice` and lets `vayu action --mode plan` decompose
/// it, as a `vayu-plan.yml` workflow would on `issues: labeled`.
pub async fn planned(sim: &GitHubSim) -> Planned {
    planned_with(sim, &parent_body("Design", "Ship the auth system.")).await
}

/// [`planned`] with a parent body chosen by the test.
pub async fn planned_with(sim: &GitHubSim, body: &str) -> Planned {
    sim.token_as(TOKEN, BOT);
    let parent = sim
        .repo(REPO)
        .issue()
        .title("Ship auth")
        .body(body)
        .label("vayu")
        .by("alice")
        .open();
    let event = labeled_event(sim, parent.number, "vayu", "alice");
    let run = run_action(sim, "plan", "issues", &event, &[]).await;
    assert_eq!(run.code, 0, "plan failed:\n{}\n{}", run.stdout, run.stderr);
    let snapshot = sim.issue(REPO, parent.number);
    let key_of = |key: &str| {
        snapshot
            .sub_issues
            .iter()
            .copied()
            .find(|n| {
                sim.issue(REPO, *n)
                    .body
                    .unwrap_or_default()
                    .contains(&format!(" key={key} "))
            })
            .unwrap_or_else(|| panic!("no sub-issue for {key}: {snapshot:#?}"))
    };
    let planned = Planned {
        parent: parent.number,
        a: key_of("a"),
        b: key_of("b"),
        c: key_of("c"),
    };
    sim.world().dispatches.clear();
    planned
}

/// Posts a comment as `user` directly into the sim's state (no request logged).
pub fn seed_comment(sim: &GitHubSim, issue: u64, user: &str, body: &str) -> u64 {
    let mut w = sim.world();
    let id = w.next_id();
    let now = w.now();
    let c = super::sim::SimComment {
        id,
        node_id: format!("IC_sim{id}"),
        issue_number: issue,
        body: body.to_owned(),
        user: user.to_owned(),
        created_at: now.clone(),
        updated_at: now,
        reactions: Vec::new(),
    };
    w.ensure_repo(REPO).comments.insert(id, c);
    id
}

/// Replaces the issue's `status:` label directly.
pub fn set_status(sim: &GitHubSim, issue: u64, status: &str) {
    let labels: Vec<String> = sim
        .issue(REPO, issue)
        .labels
        .into_iter()
        .filter(|l| !l.starts_with("status:"))
        .chain([format!("status:{status}")])
        .collect();
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    set_labels(sim, issue, &refs);
}

/// Sets an issue's labels directly.
pub fn set_labels(sim: &GitHubSim, issue: u64, labels: &[&str]) {
    let mut w = sim.world();
    let ids: Vec<u64> = labels.iter().map(|l| w.ensure_label(REPO, l)).collect();
    w.issue_mut(REPO, issue).expect("issue").labels = ids;
}
