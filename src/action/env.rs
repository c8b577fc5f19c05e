//! What `vayu action` reads from its environment: the runner's `GITHUB_*`
//! variables and the action's inputs (`INPUT_*`, which `action.yml` maps
//! explicitly because composite actions do not export them).

use std::path::PathBuf;
use std::time::Duration;

use crate::core::ids::{IssueNumber, RepoName};

use super::error::ActionError;

/// The four things the Action can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Run one subtask and report its progress.
    Execute,
    /// Do what the server does for an issue or comment event.
    Plan,
    /// Find zombies, due retries and finished parents.
    Sweep,
    /// Post the parent's progress report.
    Report,
}

impl Mode {
    /// Parses the `mode` input.
    pub fn parse(s: &str) -> Result<Self, ActionError> {
        match s.trim() {
            "execute" => Ok(Mode::Execute),
            "plan" => Ok(Mode::Plan),
            "sweep" => Ok(Mode::Sweep),
            "report" => Ok(Mode::Report),
            other => Err(ActionError::Input {
                name: "mode",
                message: format!(
                    "`{other}` is not a mode: expected execute, plan, sweep or report"
                ),
            }),
        }
    }

    /// The input's word for this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Execute => "execute",
            Mode::Plan => "plan",
            Mode::Sweep => "sweep",
            Mode::Report => "report",
        }
    }
}

/// The environment of one `vayu action` run.
#[derive(Debug, Clone)]
pub struct ActionEnv {
    /// `INPUT_MODE`.
    pub mode: Mode,
    /// `GITHUB_EVENT_NAME`.
    pub event_name: String,
    /// `GITHUB_EVENT_PATH`.
    pub event_path: Option<PathBuf>,
    /// `GITHUB_REPOSITORY`.
    pub repo: RepoName,
    /// `GITHUB_API_URL` (default `https://api.github.com`).
    pub api_url: String,
    /// `GITHUB_SERVER_URL` (default `https://github.com`).
    pub server_url: String,
    /// `GITHUB_RUN_ID`.
    pub run_id: Option<String>,
    /// `GITHUB_REF_NAME`: the branch dispatches go to when the config names none.
    pub ref_name: Option<String>,
    /// `GITHUB_ACTOR`.
    pub actor: Option<String>,
    /// `INPUT_GITHUB_TOKEN` (falling back to `GITHUB_TOKEN`).
    pub token: String,
    /// `INPUT_TASK`: the issue to act on, when given.
    pub task: Option<IssueNumber>,
    /// `INPUT_RUN`: the command to execute (written in the workflow file).
    pub run: Option<String>,
    /// `INPUT_CONFIG` (default `.github/vayu.yml`).
    pub config_path: String,
    /// `GITHUB_OUTPUT`.
    pub output_path: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`.
    pub summary_path: Option<PathBuf>,
    /// `RUNNER_TEMP`: where the progress file goes.
    pub temp_dir: Option<PathBuf>,
    /// `VAYU_EDIT_INTERVAL` seconds (default 5): the least time between two
    /// edits of the progress comment while the step runs.
    pub edit_interval: Duration,
    /// `VAYU_MUTATION_GAP` seconds (default 0.25): the least time between
    /// two GitHub writes. GitHub asks for a second between writes from one
    /// client making many; one run makes a handful, so a shorter gap keeps
    /// the Action's overhead low without nearing the secondary limits.
    pub mutation_gap: Duration,
    /// `VAYU_BOT_LOGIN` (default `github-actions[bot]`): the account whose
    /// comments vayu trusts as its own (progress, heartbeat, retries).
    pub bot_login: String,
}

/// The default account of `GITHUB_TOKEN`.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

impl ActionEnv {
    /// Reads the environment through `get` (so tests need not set real variables).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ActionError> {
        let non_empty = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mode = Mode::parse(&non_empty("INPUT_MODE").unwrap_or_else(|| "execute".into()))?;
        let repo_text = non_empty("GITHUB_REPOSITORY").ok_or(ActionError::Input {
            name: "GITHUB_REPOSITORY",
            message: "is not set: run vayu action inside a GitHub Actions job".into(),
        })?;
        let repo = repo_text.parse().map_err(|_| ActionError::Input {
            name: "GITHUB_REPOSITORY",
            message: format!("`{repo_text}` is not `owner/name`"),
        })?;
        let token = non_empty("INPUT_GITHUB_TOKEN")
            .or_else(|| non_empty("GITHUB_TOKEN"))
            .ok_or(ActionError::Input {
                name: "github-token",
                message: "is empty: pass `github-token: ${{ github.token }}` (the default)".into(),
            })?;
        let task = match non_empty("INPUT_TASK") {
            None => None,
            Some(t) => Some(parse_issue_number(&t).ok_or_else(|| ActionError::Input {
                name: "task",
                message: format!("`{t}` is not an issue number such as `12` or `#12`"),
            })?),
        };
        let edit_interval = seconds(non_empty("VAYU_EDIT_INTERVAL"), "VAYU_EDIT_INTERVAL", 5.0)?;
        let mutation_gap = seconds(non_empty("VAYU_MUTATION_GAP"), "VAYU_MUTATION_GAP", 0.25)?;
        Ok(Self {
            mode,
            event_name: non_empty("GITHUB_EVENT_NAME").unwrap_or_default(),
            event_path: non_empty("GITHUB_EVENT_PATH").map(PathBuf::from),
            repo,
            api_url: non_empty("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            server_url: non_empty("GITHUB_SERVER_URL")
                .unwrap_or_else(|| "https://github.com".into()),
            run_id: non_empty("GITHUB_RUN_ID"),
            ref_name: non_empty("GITHUB_REF_NAME"),
            actor: non_empty("GITHUB_ACTOR"),
            token,
            task,
            // Not trimmed: the command is the workflow author's, exactly as written.
            run: get("INPUT_RUN").filter(|r| !r.trim().is_empty()),
            config_path: non_empty("INPUT_CONFIG")
                .unwrap_or_else(|| crate::core::config::CONFIG_PATH.into()),
            output_path: non_empty("GITHUB_OUTPUT").map(PathBuf::from),
            summary_path: non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            temp_dir: non_empty("RUNNER_TEMP").map(PathBuf::from),
            edit_interval,
            mutation_gap,
            bot_login: non_empty("VAYU_BOT_LOGIN").unwrap_or_else(|| ACTIONS_BOT.into()),
        })
    }

    /// The link to this workflow run, when the runner said which it is.
    pub fn run_url(&self) -> Option<String> {
        self.run_id.as_ref().map(|id| {
            format!(
                "{}/{}/actions/runs/{id}",
                self.server_url.trim_end_matches('/'),
                self.repo
            )
        })
    }
}

/// A number of seconds from 0 to 3600, or `default` when unset.
fn seconds(
    value: Option<String>,
    name: &'static str,
    default: f64,
) -> Result<Duration, ActionError> {
    let Some(s) = value else {
        return Ok(Duration::from_secs_f64(default));
    };
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (0.0..=3600.0).contains(v))
        .map(Duration::from_secs_f64)
        .ok_or_else(|| ActionError::Input {
            name,
            message: format!("`{s}` is not a number of seconds from 0 to 3600"),
        })
}

/// `12` or `#12` → issue 12; anything else (including 0) → `None`.
pub fn parse_issue_number(s: &str) -> Option<IssueNumber> {
    let digits = s.trim().trim_start_matches('#');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0).map(IssueNumber)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<ActionEnv, ActionError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ActionEnv::from_lookup(|k| map.get(k).cloned())
    }

    const BASE: &[(&str, &str)] = &[
        ("GITHUB_REPOSITORY", "o/r"),
        ("INPUT_GITHUB_TOKEN", "t"),
        ("GITHUB_RUN_ID", "42"),
    ];

    #[test]
    fn reads_inputs_with_defaults() {
        let e = env(&[BASE, &[("INPUT_TASK", "#7"), ("INPUT_RUN", "make test")]].concat())
            .expect("env");
        assert_eq!(e.mode, Mode::Execute);
        assert_eq!(e.task, Some(IssueNumber(7)));
        assert_eq!(e.run.as_deref(), Some("make test"));
        assert_eq!(e.config_path, ".github/vayu.yml");
        assert_eq!(e.edit_interval, Duration::from_secs(5));
        assert_eq!(e.bot_login, "github-actions[bot]");
        assert_eq!(
            e.run_url().as_deref(),
            Some("https://github.com/o/r/actions/runs/42")
        );
    }

    #[test]
    fn names_the_bad_input() {
        let err = env(&[BASE, &[("INPUT_MODE", "deploy")]].concat()).expect_err("bad mode");
        assert_eq!(
            err.to_string(),
            "input `mode` `deploy` is not a mode: expected execute, plan, sweep or report"
        );
        let err = env(&[BASE, &[("INPUT_TASK", "$(id)")]].concat()).expect_err("bad task");
        assert_eq!(
            err.to_string(),
            "input `task` `$(id)` is not an issue number such as `12` or `#12`"
        );
        let err = env(&[("INPUT_GITHUB_TOKEN", "t")]).expect_err("no repo");
        assert!(err.to_string().contains("GITHUB_REPOSITORY"), "{err}");
    }

    #[test]
    fn issue_numbers() {
        assert_eq!(parse_issue_number(" #12 "), Some(IssueNumber(12)));
        assert_eq!(parse_issue_number("0"), None);
        assert_eq!(parse_issue_number("1e3"), None);
    }
}
