//! `vayu jobs`: list the job queue and requeue dead jobs.

use anyhow::{Context, bail};
use chrono::Utc;
use clap::{Args, Subcommand};

use crate::store::{JobId, JobRow, JobState, Store, connect};

/// Where the queue lives (the same database `vayu serve` uses).
#[derive(Debug, Args)]
pub struct DbArgs {
    /// The database (`sqlite://vayu.db`, `postgres://…`).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://vayu.db")]
    database_url: String,
}

/// `vayu jobs [--dead]` lists jobs; `vayu jobs retry <id>` requeues a dead one.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct JobsArgs {
    #[command(subcommand)]
    command: Option<JobsCommand>,
    /// Only the dead jobs (out of attempts), with their last error.
    #[arg(long)]
    dead: bool,
    #[command(flatten)]
    db: DbArgs,
}

/// `vayu jobs …`.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List queued and running jobs (or, with --dead, the jobs out of attempts).
    List {
        /// Only the dead jobs, with their last error.
        #[arg(long)]
        dead: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Queue a dead job again with zero attempts.
    Retry {
        /// The job id, as `vayu jobs list --dead` prints it.
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Runs `vayu jobs`.
pub fn run(args: &JobsArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match &args.command {
            None => list(&args.db.database_url, args.dead).await,
            Some(JobsCommand::List { dead, db }) => list(&db.database_url, *dead).await,
            Some(JobsCommand::Retry { id, db }) => retry(&db.database_url, JobId(*id)).await,
        }
    })
}

async fn list(url: &str, dead: bool) -> anyhow::Result<()> {
    let store = connect(url).await.context("cannot open the job database")?;
    let states: &[JobState] = if dead {
        &[JobState::Dead]
    } else {
        &[JobState::Queued, JobState::Running]
    };
    for &state in states {
        for job in store.list_jobs(state).await? {
            println!("{}", line(&job));
        }
    }
    store.close().await;
    Ok(())
}

/// One tab-separated line per job: id, state, kind, attempts, run_at, last error.
fn line(job: &JobRow) -> String {
    format!(
        "{}\t{}\t{}\t{}/{}\t{}\t{}",
        job.id,
        job.state,
        job.kind,
        job.attempts,
        job.max_attempts,
        job.run_at.to_rfc3339(),
        job.last_error.as_deref().unwrap_or("")
    )
}

async fn retry(url: &str, id: JobId) -> anyhow::Result<()> {
    let store = connect(url).await.context("cannot open the job database")?;
    let result = store.retry_dead(id, Utc::now()).await;
    store.close().await;
    if let Err(e) = result {
        if matches!(e, crate::store::StoreError::NotFound { .. }) {
            bail!(
                "job {id} is not dead (see `vayu jobs list --dead` for the jobs that can be retried)"
            );
        }
        return Err(e.into());
    }
    println!("job {id} queued again");
    Ok(())
}
