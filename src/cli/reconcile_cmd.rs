//! `vayu reconcile <owner/repo>`: bring every open parent with the trigger
//! label in line with its plan now, from GitHub's own state (the same repair
//! the server runs periodically), and say what it did.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::app::{Ctx, Outcome, reconcile};
use crate::core::ids::{Login, RepoName};
use crate::github::auth::AppCredentials;
use crate::github::{ClientConfig, GitHubClient};
use crate::store::{Store, connect};

/// Options of `vayu reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The repository, as `owner/name`.
    repo: String,
    /// A token that may write issues in the repository (used instead of App credentials).
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true)]
    github_token: Option<String>,
    /// The GitHub App's id (with its private key, instead of a token).
    #[arg(long, env = "VAYU_APP_ID")]
    app_id: Option<u64>,
    /// A file holding the App's private key (PEM).
    #[arg(long, env = "VAYU_PRIVATE_KEY_PATH")]
    private_key_path: Option<PathBuf>,
    /// The App's private key itself (PEM); read from the environment only.
    #[arg(long, env = "VAYU_PRIVATE_KEY", hide = true, hide_env_values = true)]
    private_key: Option<String>,
    /// GitHub's REST API (for GitHub Enterprise Server: `https://<host>/api/v3`).
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    github_api_url: String,
    /// vayu's database, where effects and events are recorded (the one `vayu serve` uses).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://vayu.db")]
    database_url: String,
    /// The App's bot login, whose own events vayu ignores (`<app-slug>[bot]`).
    #[arg(long, env = "VAYU_BOT_LOGIN", default_value = "vayu[bot]")]
    bot_login: String,
}

/// Runs `vayu reconcile`.
pub fn run(args: &ReconcileArgs) -> anyhow::Result<()> {
    let repo: RepoName = args.repo.parse().map_err(|e| {
        anyhow::anyhow!(
            "`{}` is not a repository: {e}; write it as owner/name",
            args.repo
        )
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let github = github_client(args)?;
        let store = connect(&args.database_url)
            .await
            .context("cannot open the database given by --database-url / DATABASE_URL")?;
        let ctx = Ctx::new(github, store, Login(args.bot_login.clone()));
        let outcome = reconcile(&ctx, &repo).await;
        ctx.store.close().await;
        let outcome = outcome.with_context(|| format!("reconciling {repo} failed"))?;
        println!("{}", summary(&repo, &outcome));
        Ok(())
    })
}

/// One line saying what the reconcile looked at and changed.
fn summary(repo: &RepoName, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Reconciled { parents: 0, .. } => {
            format!("{repo}: no open issues with the trigger label; nothing to reconcile")
        }
        Outcome::Reconciled { parents, writes: 0 } => {
            format!("{repo}: {parents} open parent(s) checked; already in line with their plans")
        }
        Outcome::Reconciled { parents, writes } => format!(
            "{repo}: {parents} open parent(s) checked; {writes} GitHub write(s) repaired drift"
        ),
        other => format!("{repo}: {other:?}"),
    }
}

/// A token client when a token is given, else an App client.
fn github_client(args: &ReconcileArgs) -> anyhow::Result<GitHubClient> {
    let cfg = ClientConfig {
        base_url: args.github_api_url.clone(),
        ..ClientConfig::default()
    };
    if let Some(token) = args.github_token.as_deref().filter(|t| !t.is_empty()) {
        return Ok(GitHubClient::with_token(cfg, token)?);
    }
    let pem = match (&args.private_key, &args.private_key_path) {
        (Some(pem), _) => pem.clone().into_bytes(),
        (None, Some(path)) => std::fs::read(path)
            .with_context(|| format!("cannot read the App's private key at {}", path.display()))?,
        (None, None) => bail!(
            "no GitHub credentials: set GITHUB_TOKEN (or --github-token), or the App's \
             VAYU_APP_ID and VAYU_PRIVATE_KEY_PATH"
        ),
    };
    let app_id = args
        .app_id
        .context("no App id: set --app-id or VAYU_APP_ID (or use GITHUB_TOKEN)")?;
    let creds = AppCredentials::from_pem(app_id.to_string(), &pem)?;
    Ok(GitHubClient::with_app(cfg, creds))
}
