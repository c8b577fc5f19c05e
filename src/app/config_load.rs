//! Reads a repository's `.github/vayu.yml` through the GitHub port. A missing
//! file means the defaults; a broken one is the user's to fix, so it is
//! returned as a value, not as a failure of the job.

use super::error::AppError;
use super::ports::GitHub;
use crate::core::config::{CONFIG_PATH, Config, ConfigError};
use crate::core::ids::RepoName;

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
