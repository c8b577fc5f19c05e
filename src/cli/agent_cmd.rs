//! `vayu agent`: the agents of a repository's configuration, their
//! availability and workload (open vayu tasks assigned on GitHub, away
//! status from the server's database).

use std::fmt::Write as _;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::task_cmd::{GitHubArgs, client, config};
use crate::app::Ctx;
use crate::app::assignment::agent_states;
use crate::app::labels::state_word;
use crate::app::ports::GitHub;
use crate::core::ids::{Login, RepoName};
use crate::store::connect;

/// Where away status is kept.
#[derive(Debug, Args)]
pub struct AgentDb {
    /// The database `vayu serve` writes (`/vayu away` is recorded there).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://vayu.db")]
    database_url: String,
}

/// `vayu agent …`.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// The configured agents with their load, capacity and away status.
    List {
        /// The repository, as `owner/name`.
        #[arg(long)]
        repo: RepoName,
        /// Only agents that can take a task now (not away, under capacity).
        #[arg(long)]
        available: bool,
        #[command(flatten)]
        github: GitHubArgs,
        #[command(flatten)]
        db: AgentDb,
    },
    /// The open vayu tasks assigned to one agent.
    Workload {
        /// The agent's GitHub login.
        #[arg(long)]
        id: String,
        /// The repository, as `owner/name`.
        #[arg(long)]
        repo: RepoName,
        #[command(flatten)]
        github: GitHubArgs,
    },
}

/// Runs a `vayu agent` subcommand.
pub fn run(cmd: &AgentCommand) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let out = runtime.block_on(async {
        match cmd {
            AgentCommand::List {
                repo,
                available,
                github,
                db,
            } => list(repo, *available, github, &db.database_url).await,
            AgentCommand::Workload { id, repo, github } => workload(repo, id, github).await,
        }
    })?;
    print!("{out}");
    Ok(())
}

async fn list(
    repo: &RepoName,
    only_available: bool,
    github: &GitHubArgs,
    database_url: &str,
) -> anyhow::Result<String> {
    let gh = client(github)?;
    let cfg = config(&gh, repo).await?;
    if cfg.assignment.agents.is_empty() {
        return Ok(format!(
            "{repo} declares no agents (assignment.agents in .github/vayu.yml)\n"
        ));
    }
    let store = connect(database_url)
        .await
        .context("cannot open the database for away status")?;
    let ctx = Ctx::new(gh, store, Login("vayu[bot]".into()));
    let states = agent_states(&ctx, repo, &cfg).await?;
    let mut out = format!(
        "{:<20} {:>4}/{:<8} {:<6} {:<10} owners\n",
        "agent", "load", "capacity", "away", "available"
    );
    let mut shown = 0;
    for a in &cfg.assignment.agents {
        let st = states
            .get(&a.login.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default();
        let held = st.held.len();
        let available = !st.away && held < a.capacity as usize;
        if only_available && !available {
            continue;
        }
        shown += 1;
        let owners = if a.owners.is_empty() {
            "any".to_owned()
        } else {
            a.owners.join(",")
        };
        let load = if a.team {
            "-".to_owned()
        } else {
            held.to_string()
        };
        let _ = writeln!(
            out,
            "{:<20} {:>4}/{:<8} {:<6} {:<10} {owners}",
            a.login,
            load,
            a.capacity,
            if st.away { "yes" } else { "no" },
            if available { "yes" } else { "no" },
        );
    }
    if shown == 0 {
        return Ok("no agent is available\n".into());
    }
    Ok(out)
}

async fn workload(repo: &RepoName, id: &str, github: &GitHubArgs) -> anyhow::Result<String> {
    let gh = client(github)?;
    let cfg = config(&gh, repo).await?;
    let Some(agent) = cfg
        .assignment
        .agents
        .iter()
        .find(|a| a.login.eq_ignore_ascii_case(id))
    else {
        bail!("`{id}` is not an agent of {repo} (assignment.agents in .github/vayu.yml)");
    };
    let login = Login(agent.login.clone());
    let mut tasks = Vec::new();
    let mut page = Some(1);
    while let Some(p) = page {
        let got = gh.list_assigned_issues(repo, &login, p).await?;
        page = got.next;
        tasks.extend(got.items.into_iter().filter(|i| {
            !i.is_pull_request
                && crate::app::labels::status_of(&i.labels, &cfg).is_some_and(|s| !s.is_terminal())
        }));
    }
    let mut out = format!(
        "{} holds {} of {} open vayu task(s)\n",
        agent.login,
        tasks.len(),
        agent.capacity
    );
    for t in &tasks {
        let _ = writeln!(
            out,
            "  #{:<6} {:<12} {}",
            t.number,
            state_word(t, &cfg),
            t.title
        );
    }
    Ok(out)
}
