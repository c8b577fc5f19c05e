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
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vayu"));
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

pub const PARENT_BODY: &str = "Ship the auth system.\n\n```vayu\nsubtasks:\n  - {key: a, title: Design, owner: development}\n  - {key: b, title: Build, owner: development, needs: [a]}\n  - {key: c, title: Document, owner: docs, needs: [b]}\n```\n";

/// Arranges a decomposed parent with sub-issues a (queued), b (blocked by
/// a) and c (blocked by b), as the orchestrator leaves them.
pub fn planned(sim: &GitHubSim) -> Planned {
    planned_with(sim, "Design", "Design the thing.")
}

/// [`planned`] with the title and user text of subtask a chosen by the test.
pub fn planned_with(sim: &GitHubSim, a_title: &str, a_text: &str) -> Planned {
    sim.token_as(TOKEN, BOT);
    let repo = sim.repo(REPO);
    let parent = repo
        .issue()
        .title("Ship auth")
        .body(PARENT_BODY)
        .label("vayu")
        .by("alice")
        .open();
    let sub = |key: &str, title: &str, text: &str, status: &str| {
        repo.issue()
            .title(title)
            .body(&format!(
                "<!-- vayu:task v=1 parent=#{} key={key} plan=h1 -->\n{text}",
                parent.number
            ))
            .label("vayu")
            .label(status)
            .open()
    };
    let a = sub("a", a_title, a_text, "status:queued");
    let b = sub("b", "Build", "Build it.", "status:blocked");
    let c = sub("c", "Document", "Write it up.", "status:blocked");
    {
        let mut w = sim.world();
        for s in [&a, &b, &c] {
            w.issue_by_id_mut(s.id).expect("sub").parent = Some(parent.id);
        }
        w.issue_by_id_mut(parent.id).expect("parent").sub_issues = vec![a.id, b.id, c.id];
        w.issue_by_id_mut(b.id).expect("b").blocked_by = vec![a.id];
        w.issue_by_id_mut(c.id).expect("c").blocked_by = vec![b.id];
    }
    Planned {
        parent: parent.number,
        a: a.number,
        b: b.number,
        c: c.number,
    }
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

/// Sets an issue's labels directly.
pub fn set_labels(sim: &GitHubSim, issue: u64, labels: &[&str]) {
    let mut w = sim.world();
    let ids: Vec<u64> = labels.iter().map(|l| w.ensure_label(REPO, l)).collect();
    w.issue_mut(REPO, issue).expect("issue").labels = ids;
}
