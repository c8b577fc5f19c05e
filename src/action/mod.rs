//! `vayu action`: the companion GitHub Action (DESIGN §8). It reads the
//! runner's environment and event file, talks to GitHub through the same
//! [`GitHub`] port and app-layer helpers as the server, and reports through
//! workflow commands, `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY`.
//!
//! State lives on GitHub only: status labels, the sub-issue's one progress
//! comment (heartbeat and retry count in its markers), blocked-by links.

pub mod console;
pub mod env;
pub mod error;
mod execute;
mod ops;
pub mod progress;
pub mod protocol;
mod report;
pub mod steps;
mod sweep;
pub mod workflow_commands;

use chrono::Utc;

use crate::app::ports::GitHub;
use crate::core::config::Config;
use crate::core::ids::IssueNumber;

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
    /// The repository's config.
    pub config: Config,
    /// The log and output files.
    pub console: &'a Console,
}

/// Runs the mode the environment asks for.
pub async fn run<G: GitHub>(
    env: &ActionEnv,
    gh: &G,
    console: &Console,
) -> Result<Finished, ActionError> {
    let config = ops::load_config(gh, env).await?;
    let cx = Cx {
        env,
        gh,
        config,
        console,
    };
    let now = Utc::now();
    match env.mode {
        Mode::Execute => execute::execute(&cx, now).await,
        Mode::Sweep => sweep::sweep(&cx, now).await,
        Mode::Report => report::report(&cx, now).await,
        Mode::Plan => Err(ActionError::Unavailable(
            "mode `plan` runs the server's event handlers (app::handlers), which this build of vayu does not include yet; use the App server for planning, or a newer vayu-version".into(),
        )),
    }
}

/// The issue to act on: the `task` input, else the event's
/// (`workflow_dispatch` input `task`, `repository_dispatch`
/// `client_payload.task`, or the issue of an issue/comment event).
pub fn task_number(env: &ActionEnv) -> Result<Option<IssueNumber>, ActionError> {
    if env.task.is_some() {
        return Ok(env.task);
    }
    let Some(path) = &env.event_path else {
        return Ok(None);
    };
    let body = std::fs::read(path).map_err(|e| ActionError::Event {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ActionError::Event {
            path: path.display().to_string(),
            message: format!("not JSON: {e}"),
        })?;
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
