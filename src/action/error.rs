//! Why `vayu action` stopped.

use crate::app::ports::GitHubError;

/// A failure of `vayu action`; each message names the thing and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// An input or runner variable is missing or malformed.
    #[error("input `{name}` {message}")]
    Input {
        /// The input or variable.
        name: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The task may not run now; nothing was written.
    #[error("{0}")]
    Refused(String),
    /// The repository's config is invalid.
    #[error("{0}")]
    Config(String),
    /// The event file could not be read.
    #[error("cannot read the event file `{path}`: {message}")]
    Event {
        /// Where it was.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A local file (output, summary, progress) could not be used.
    #[error("cannot use `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The `run` command could not be started.
    #[error("cannot start the `run` command with `sh -c`: {0}")]
    Spawn(std::io::Error),
    /// A GitHub call failed.
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    /// The orchestrator (shared with the server) failed.
    #[error(transparent)]
    App(#[from] crate::app::AppError),
    /// The Action's scratch ledger could not be opened.
    #[error("cannot open the Action's scratch ledger: {0}")]
    Ledger(String),
    /// A template failed (a bug in vayu).
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
}

impl ActionError {
    /// The exit code: 2 for a refusal (nothing changed), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            ActionError::Refused(_) => 2,
            _ => 1,
        }
    }
}
