//! `vayu task`: create, inspect and list tasks directly on GitHub (a token
//! and `--repo`), with the label names of the repository's configuration.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::app::config_load::load_config;
use crate::app::labels::{priority_of, state_word, type_of};
use crate::app::ports::{GitHub, Issue, NewIssue, StateFilter};
use crate::core::config::{Config, LabelMeaning};
use crate::core::ids::{IssueNumber, RepoName};
use crate::core::marker::find_task;
use crate::core::task::{Priority, Status, TaskType};
use crate::github::{ClientConfig, GitHubClient};

/// How to reach GitHub.
#[derive(Debug, Args)]
pub struct GitHubArgs {
    /// A token that may read (and, for `create`, write) the repository's issues.
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true)]
    token: String,
    /// The REST API root (GitHub Enterprise: `https://HOST/api/v3`).
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    github_api_url: String,
}

/// `vayu task …`.
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Open an issue that vayu takes on as a task (trigger, type and priority labels).
    Create {
        /// The issue title.
        title: String,
        /// The repository, as `owner/name`.
        #[arg(long)]
        repo: RepoName,
        /// The task type.
        #[arg(long = "type", default_value = "feature")]
        task_type: TaskType,
        /// The priority.
        #[arg(long, default_value = "normal")]
        priority: Priority,
        /// The issue body (a plan block or checklist makes it decomposable).
        #[arg(long, default_value = "")]
        body: String,
        #[command(flatten)]
        github: GitHubArgs,
    },
    /// Show one task: its labels, assignees and sub-issues with their states.
    Status {
        /// The task, as `owner/repo#n`.
        #[arg(long)]
        id: String,
        #[command(flatten)]
        github: GitHubArgs,
    },
    /// List open tasks, optionally by status and owner domain.
    List {
        /// The repository, as `owner/name`.
        #[arg(long)]
        repo: RepoName,
        /// Only tasks in this state.
        #[arg(long)]
        status: Option<Status>,
        /// Only tasks of this owner domain (`security`, `backend`, …).
        #[arg(long)]
        owner: Option<String>,
        #[command(flatten)]
        github: GitHubArgs,
    },
}

/// Runs a `vayu task` subcommand.
pub fn run(cmd: &TaskCommand) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let out = match cmd {
            TaskCommand::Create {
                title,
                repo,
                task_type,
                priority,
                body,
                github,
            } => {
                let gh = client(github)?;
                let cfg = config(&gh, repo).await?;
                create(&gh, &cfg, repo, title, body, *task_type, *priority).await?
            }
            TaskCommand::Status { id, github } => {
                let (repo, number) = parse_id(id)?;
                let gh = client(github)?;
                let cfg = config(&gh, &repo).await?;
                status(&gh, &cfg, &repo, number).await?
            }
            TaskCommand::List {
                repo,
                status,
                owner,
                github,
            } => {
                let gh = client(github)?;
                let cfg = config(&gh, repo).await?;
                list(&gh, &cfg, repo, *status, owner.as_deref()).await?
            }
        };
        print!("{out}");
        Ok(())
    })
}

pub(super) fn client(args: &GitHubArgs) -> anyhow::Result<GitHubClient> {
    let cfg = ClientConfig {
        base_url: args.github_api_url.clone(),
        ..ClientConfig::default()
    };
    Ok(GitHubClient::with_token(cfg, &args.token)?)
}

pub(super) async fn config(gh: &GitHubClient, repo: &RepoName) -> anyhow::Result<Config> {
    match load_config(gh, repo).await? {
        Ok(cfg) => Ok(cfg),
        Err(e) => bail!("{repo}'s .github/vayu.yml is invalid:\n{e}"),
    }
}

/// `owner/repo#12` → the repository and the number.
fn parse_id(id: &str) -> anyhow::Result<(RepoName, IssueNumber)> {
    let (repo, number) = id
        .split_once('#')
        .with_context(|| format!("`{id}` is not a task id: write it as owner/repo#12"))?;
    let repo: RepoName = repo
        .parse()
        .with_context(|| format!("`{repo}` is not owner/repo"))?;
    let number: u64 = number
        .parse()
        .with_context(|| format!("`{number}` is not an issue number"))?;
    Ok((repo, IssueNumber(number)))
}

async fn create(
    gh: &GitHubClient,
    cfg: &Config,
    repo: &RepoName,
    title: &str,
    body: &str,
    task_type: TaskType,
    priority: Priority,
) -> anyhow::Result<String> {
    if title.trim().is_empty() {
        bail!("the title is empty");
    }
    let labels = vec![
        cfg.labels.label(&LabelMeaning::Trigger),
        cfg.labels.type_label(task_type),
        cfg.labels.priority_label(priority),
    ];
    let issue = gh
        .create_issue(
            repo,
            &NewIssue {
                title: title.to_owned(),
                body: body.to_owned(),
                labels,
                assignees: Vec::new(),
            },
        )
        .await?;
    Ok(format!(
        "created {repo}#{}: {} [{}]\n",
        issue.number,
        issue.title,
        issue.labels.join(", ")
    ))
}

async fn status(
    gh: &GitHubClient,
    cfg: &Config,
    repo: &RepoName,
    number: IssueNumber,
) -> anyhow::Result<String> {
    let issue = gh.get_issue(repo, number).await?;
    let subs = gh.list_sub_issues(repo, number).await?;
    let mut out = format!("{repo}#{} {}\n", issue.number, issue.title);
    let field = |name: &str, value: String| format!("  {name:<10} {value}\n");
    out += &field("status", state_word(&issue, cfg));
    out += &field(
        "type",
        type_of(&issue.labels, cfg).map_or("-".into(), |t| t.to_string()),
    );
    out += &field(
        "priority",
        priority_of(&issue.labels, cfg).map_or("-".into(), |p| p.to_string()),
    );
    out += &field("owner", owner_of(&issue, cfg).unwrap_or_else(|| "-".into()));
    out += &field("assignees", logins(&issue));
    if !subs.is_empty() {
        let done = subs
            .iter()
            .filter(|s| state_word(s, cfg) == "completed")
            .count();
        let _ = writeln!(out, "  subtasks   {done}/{} completed", subs.len());
        for s in &subs {
            let key = find_task(&s.body).map_or("-".to_owned(), |m| m.key.to_string());
            let _ = writeln!(
                out,
                "    #{:<6} {:<12} {:<14} {}",
                s.number,
                key,
                state_word(s, cfg),
                s.title
            );
        }
    }
    Ok(out)
}

async fn list(
    gh: &GitHubClient,
    cfg: &Config,
    repo: &RepoName,
    status: Option<Status>,
    owner: Option<&str>,
) -> anyhow::Result<String> {
    // Tasks in any open state carry one status label: ask per label rather
    // than scanning every open issue of the repository.
    let wanted: Vec<Status> = match status {
        Some(s) => vec![s],
        None => Status::ALL
            .iter()
            .copied()
            .filter(|s| !matches!(s, Status::Completed | Status::Cancelled))
            .collect(),
    };
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    for s in wanted {
        let label = cfg.labels.status_label(s);
        for issue in gh
            .issues_with_label(repo, &label, StateFilter::Open)
            .await?
        {
            if !seen.insert(issue.number) {
                continue;
            }
            let own = owner_of(&issue, cfg);
            if owner.is_some_and(|o| own.as_deref() != Some(o)) {
                continue;
            }
            rows.push((issue, own));
        }
    }
    rows.sort_by_key(|(i, _)| i.number);
    if rows.is_empty() {
        return Ok("no open tasks match\n".into());
    }
    let mut out = format!(
        "{:<8} {:<12} {:<9} {:<12} {:<16} title\n",
        "issue", "status", "priority", "owner", "assignees"
    );
    for (i, own) in &rows {
        let _ = writeln!(
            out,
            "#{:<7} {:<12} {:<9} {:<12} {:<16} {}",
            i.number,
            state_word(i, cfg),
            priority_of(&i.labels, cfg).map_or("-".into(), |p| p.to_string()),
            own.as_deref().unwrap_or("-"),
            logins(i),
            i.title
        );
    }
    Ok(out)
}

fn owner_of(issue: &Issue, cfg: &Config) -> Option<String> {
    issue
        .labels
        .iter()
        .find_map(|l| match cfg.labels.parse_label(l) {
            Some(LabelMeaning::Owner(o)) => Some(o),
            _ => None,
        })
}

fn logins(issue: &Issue) -> String {
    if issue.assignees.is_empty() {
        return "-".into();
    }
    issue
        .assignees
        .iter()
        .map(|l| l.0.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_parse_or_say_how_to_write_them() {
        let (repo, n) = parse_id("octo/app#12").expect("valid");
        assert_eq!((repo.to_string(), n), ("octo/app".into(), IssueNumber(12)));
        let err = parse_id("octo/app-12").expect_err("no #").to_string();
        assert!(err.contains("owner/repo#12"), "{err}");
        assert!(parse_id("octo/app#x").is_err());
        assert!(parse_id("octo#1").is_err());
    }
}
