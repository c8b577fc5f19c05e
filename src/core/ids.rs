//! Newtypes for the identifiers vayu passes around, so a number can never be
//! passed where a different kind of id belongs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Error returned when an identifier does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// A repository name that is not `owner/name`.
    #[error("`{0}` is not a repository name: expected `owner/name`")]
    Repo(String),
    /// A task reference that is not `owner/name#number`.
    #[error("`{0}` is not a task reference: expected `owner/name#number`")]
    TaskRef(String),
    /// A subtask key with characters outside `[A-Za-z0-9_.-]`.
    #[error(
        "`{0}` is not a valid subtask key: use 1-64 letters, digits, `-`, `_` or `.`, starting with a letter or digit"
    )]
    Key(String),
}

/// A repository `owner/name` as GitHub spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RepoName {
    owner: String,
    name: String,
}

impl RepoName {
    /// Builds a repository name from its two halves.
    pub fn new(owner: impl Into<String>, name: impl Into<String>) -> Result<Self, IdError> {
        let (owner, name) = (owner.into(), name.into());
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if ok(&owner) && ok(&name) {
            Ok(Self { owner, name })
        } else {
            Err(IdError::Repo(format!("{owner}/{name}")))
        }
    }
    /// The account that owns the repository.
    pub fn owner(&self) -> &str {
        &self.owner
    }
    /// The repository's own name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl FromStr for RepoName {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (owner, name) = s
            .split_once('/')
            .ok_or_else(|| IdError::Repo(s.to_owned()))?;
        Self::new(owner, name).map_err(|_| IdError::Repo(s.to_owned()))
    }
}

impl TryFrom<String> for RepoName {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<RepoName> for String {
    fn from(r: RepoName) -> Self {
        r.to_string()
    }
}

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(
    /// An issue's number within its repository (`#12`), as users see it.
    IssueNumber
);
numeric_id!(
    /// An issue's global database id, which the sub-issue and dependency
    /// endpoints take instead of the number.
    IssueId
);
numeric_id!(
    /// A GitHub App installation id.
    InstallationId
);
numeric_id!(
    /// An issue comment's id.
    CommentId
);

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A webhook delivery id (`X-GitHub-Delivery`).
    DeliveryId
);
string_id!(
    /// A GitHub login (user, bot or team slug).
    Login
);
string_id!(
    /// A task's stable id (seed 003 `task_id`).
    TaskId
);

/// A subtask's key within its plan (`design`, `backend`): short, stable, and
/// safe to put in markers and Mermaid node ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskKey(String);

impl TaskKey {
    /// Checks and wraps a key.
    pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
        let s = s.into();
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if first_ok && rest_ok && s.len() <= 64 {
            Ok(Self(s))
        } else {
            Err(IdError::Key(s))
        }
    }

    /// Derives a key from free text (a checklist title): lowercase words
    /// joined by `-`, at most 40 characters; `fallback` when nothing is left.
    pub fn slug(text: &str, fallback: &str) -> Self {
        let mut out = String::new();
        for word in text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if out.len() + word.len() + 1 > 40 {
                break;
            }
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(&word.to_ascii_lowercase());
        }
        if out.is_empty() {
            out = fallback.to_owned();
        }
        Self(out)
    }

    /// The key as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TaskKey {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for TaskKey {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<TaskKey> for String {
    fn from(k: TaskKey) -> Self {
        k.0
    }
}

/// An issue in a repository: `owner/name#12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskRef {
    /// The repository holding the issue.
    pub repo: RepoName,
    /// The issue's number.
    pub number: IssueNumber,
}

impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.repo, self.number)
    }
}

impl FromStr for TaskRef {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdError::TaskRef(s.to_owned());
        let (repo, number) = s.split_once('#').ok_or_else(err)?;
        Ok(Self {
            repo: repo.parse().map_err(|_| err())?,
            number: IssueNumber(number.parse().map_err(|_| err())?),
        })
    }
}

impl TryFrom<String> for TaskRef {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TaskRef> for String {
    fn from(r: TaskRef) -> Self {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_name_parses_and_rejects() {
        let r: RepoName = "octo/hello-world".parse().expect("valid");
        assert_eq!((r.owner(), r.name()), ("octo", "hello-world"));
        assert_eq!(r.to_string(), "octo/hello-world");
        for bad in ["", "octo", "/x", "x/", "a/b/c", "a b/c"] {
            assert!(bad.parse::<RepoName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn task_ref_round_trips_through_serde() {
        let t: TaskRef = "o/r#42".parse().expect("valid");
        let json = serde_json::to_string(&t).expect("serialize");
        assert_eq!(json, "\"o/r#42\"");
        assert_eq!(serde_json::from_str::<TaskRef>(&json).expect("parse"), t);
        assert!("o/r#x".parse::<TaskRef>().is_err());
    }

    #[test]
    fn keys_are_checked_and_slugged() {
        assert!(TaskKey::new("auth-001.design_x").is_ok());
        for bad in ["", "-a", "a b", "a→b", &"x".repeat(65)] {
            assert!(TaskKey::new(bad).is_err(), "{bad}");
        }
        assert_eq!(
            TaskKey::slug("Design the API!", "s1").as_str(),
            "design-the-api"
        );
        assert_eq!(TaskKey::slug("→→", "s1").as_str(), "s1");
    }
}
