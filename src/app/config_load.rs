//! Reads a repository's `.github/vayu.yml` through the GitHub port. A missing
//! file means the defaults; a broken one is the user's to fix, so it is
//! returned as a value, not as a failure of the job.

use std::borrow::Cow;

use super::error::AppError;
use super::ports::GitHub;
use crate::core::config::{CONFIG_PATH, Config, ConfigError};
use crate::core::ids::RepoName;
use crate::core::plan::{PlanError, TemplateSet};
use crate::core::task::TaskType;

/// Where a repository keeps its own plan templates: `<type>.yml` there
/// replaces the built-in template of that type.
pub const TEMPLATES_DIR: &str = ".github/vayu/plans";

/// A repository template that does not parse: its path and the problems.
#[derive(Debug, Clone)]
pub struct BrokenTemplate {
    /// The file, e.g. `.github/vayu/plans/feature.yml`.
    pub path: String,
    /// What is wrong, with line and column in that file.
    pub error: PlanError,
}

/// The templates a task of `task_type` can use in `repo`: `base`, with the
/// repository's own `<type>.yml` over it when there is one. Only that one
/// file is read (a conditional request after the first time).
pub async fn load_templates<'b, G: GitHub>(
    gh: &G,
    repo: &RepoName,
    task_type: Option<TaskType>,
    base: &'b TemplateSet,
) -> Result<Result<Cow<'b, TemplateSet>, BrokenTemplate>, AppError> {
    let Some(kind) = task_type else {
        return Ok(Ok(Cow::Borrowed(base)));
    };
    let path = format!("{TEMPLATES_DIR}/{}.yml", kind.as_str());
    let Some(file) = gh.read_file(repo, &path).await? else {
        return Ok(Ok(Cow::Borrowed(base)));
    };
    let mut set = base.clone();
    Ok(
        match set.overlay(&format!("{}.yml", kind.as_str()), &file.text) {
            Ok(()) => Ok(Cow::Owned(set)),
            Err(error) => Err(BrokenTemplate { path, error }),
        },
    )
}

/// The repository's configuration, or what is wrong with its file.
pub async fn load_config<G: GitHub>(
    gh: &G,
    repo: &RepoName,
) -> Result<Result<Config, ConfigError>, AppError> {
    match gh.read_file(repo, CONFIG_PATH).await? {
        None => Ok(Ok(Config::default())),
        Some(file) => Ok(Config::from_yaml(&file.text)),
    }
}
