//! `vayu action`: the companion GitHub Action (DESIGN §8). It reads the
//! runner's environment and event file and runs the same app layer as the
//! server ([`crate::app::handle`], [`crate::app::reconcile`],
//! [`crate::app::converge::converge`]) against GitHub with `GITHUB_TOKEN`,
//! reporting through workflow commands, `$GITHUB_OUTPUT` and
//! `$GITHUB_STEP_SUMMARY`.
//!
//! State lives on GitHub only: status labels, the sub-issue's one progress
//! comment (heartbeat and retry count in its markers), blocked-by links. The
//! orchestrator's ledger is a scratch SQLite file that lives for one run:
//! idempotency across runs comes from the markers, as in a reconcile.

pub mod console;
pub mod env;
pub mod error;
mod execute;
mod ops;
mod plan;
pub mod progress;
pub mod protocol;
mod report;
pub mod steps;
mod sweep;
pub mod workflow_commands;

use std::path::PathBuf;

use chrono::Utc;

use crate::app::Ctx;
use crate::app::ports::GitHub;
use crate::core::config::Config;
use crate::core::ids::{IssueNumber, Login};
use crate::store::SqliteStore;

pub use console::{Console, Outputs};
pub use env::{ActionEnv, Mode};
pub use error::ActionError;

/// How a run ended when it did not stop on an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The step's outputs.
    pub outputs: Outputs,
    /// Set when the work itself failed (the step then exits 1 after all writes).
    pub failure: Option<String>,
}

/// Everything one run needs.
#[derive(Debug)]
pub struct Cx<'a, G> {
    /// The environment.
    pub env: &'a ActionEnv,
    /// GitHub.
    pub gh: &'a G,
    /// The orchestrator's context (same GitHub client, scratch ledger).
    pub app: &'a Ctx<G, SqliteStore>,
    /// The repository's config.
    pub config: Config,
    /// The log and output files.
    pub console: &'a Console,
}

/// Runs the mode the environment asks for.
pub async fn run<G: GitHub>(
    env: &ActionEnv,
    gh: G,
    console: &Console,
) -> Result<Finished, ActionError> {
    let dir = env.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
    let db: PathBuf = dir.join(format!(
        "vayu-ledger-{}.db",
        workflow_commands::random_token("")
    ));
    let store = SqliteStore::connect(&format!("sqlite://{}", db.display()))
        .await
        .map_err(|e| ActionError::Ledger(e.to_string()))?;
    let mut app = Ctx::new(gh, store, Login(env.bot_login.clone()));
    app.scratch_ledger = true;
    let result = run_with(env, &app, console).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    result
}

async fn run_with<G: GitHub>(
    env: &ActionEnv,
    app: &Ctx<G, SqliteStore>,
    console: &Console,
) -> Result<Finished, ActionError> {
    let config = ops::load_config(&app.gh, env).await?;
    let cx = Cx {
        env,
        gh: &app.gh,
        app,
        config,
        console,
    };
    let now = Utc::now();
    match env.mode {
        Mode::Execute => execute::execute(&cx, now).await,
        Mode::Sweep => sweep::sweep(&cx, now).await,
        Mode::Report => report::report(&cx, now).await,
        Mode::Plan => plan::plan(&cx).await,
    }
}

/// The issue to act on: the `task` input, else the event's
/// (`workflow_dispatch` input `task`, `repository_dispatch`
/// `client_payload.task`, or the issue of an issue/comment event).
pub fn task_number(env: &ActionEnv) -> Result<Option<IssueNumber>, ActionError> {
    if env.task.is_some() {
        return Ok(env.task);
    }
    let Some(value) = read_event(env)? else {
        return Ok(None);
    };
    let candidate = match env.event_name.as_str() {
        "workflow_dispatch" => value.pointer("/inputs/task"),
        "repository_dispatch" => value.pointer("/client_payload/task"),
        "issues" | "issue_comment" => value.pointer("/issue/number"),
        _ => None,
    };
    let n = match candidate {
        Some(serde_json::Value::Number(n)) => n.as_u64().filter(|n| *n > 0).map(IssueNumber),
        Some(serde_json::Value::String(s)) => env::parse_issue_number(s),
        _ => None,
    };
    Ok(n)
}

/// The event file's bytes, when the runner gave one.
fn read_event_bytes(env: &ActionEnv) -> Result<Option<Vec<u8>>, ActionError> {
    let Some(path) = &env.event_path else {
        return Ok(None);
    };
    std::fs::read(path)
        .map(Some)
        .map_err(|e| ActionError::Event {
            path: path.display().to_string(),
            message: e.to_string(),
        })
}

fn read_event(env: &ActionEnv) -> Result<Option<serde_json::Value>, ActionError> {
    let Some(body) = read_event_bytes(env)? else {
        return Ok(None);
    };
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| ActionError::Event {
            path: env
                .event_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            message: format!("not JSON: {e}"),
        })
}
