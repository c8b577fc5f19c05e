//! What can go wrong while handling an event, split by what the job runner
//! should do about it: a [`UserError`] becomes a comment and is not retried,
//! a transient error is retried, an internal one is a bug to look at.

use super::ports::{GitHubError, LedgerError};
use crate::render::RenderError;

/// A problem with what a user wrote or asked; vayu explains it on GitHub.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    /// The explanation, ready to post.
    pub message: String,
}

/// Why handling an event failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The user's input is wrong; reported to them, never retried.
    #[error(transparent)]
    User(#[from] UserError),
    /// GitHub or the database may succeed later: retry the job.
    #[error("temporary failure, will retry: {0}")]
    Transient(String),
    /// A bug or a permanent GitHub refusal: not worth retrying as is.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// Whether the job runner should try again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, AppError::Transient(_))
    }
}

impl From<GitHubError> for AppError {
    fn from(e: GitHubError) -> Self {
        if e.is_retryable() {
            AppError::Transient(e.to_string())
        } else {
            AppError::Internal(e.to_string())
        }
    }
}

impl From<LedgerError> for AppError {
    fn from(e: LedgerError) -> Self {
        AppError::Transient(e.to_string())
    }
}

impl From<RenderError> for AppError {
    fn from(e: RenderError) -> Self {
        AppError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_errors_split_by_retryability() {
        let t: AppError = GitHubError::Transient {
            message: "502".into(),
        }
        .into();
        assert!(t.is_retryable());
        let p: AppError = GitHubError::PermissionDenied {
            message: "no".into(),
        }
        .into();
        assert!(!p.is_retryable());
        let u: AppError = UserError {
            message: "bad".into(),
        }
        .into();
        assert!(!u.is_retryable());
        assert_eq!(u.to_string(), "bad");
    }
}
