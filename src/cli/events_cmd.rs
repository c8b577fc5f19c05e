//! `vayu events`: the event log (what vayu decided, and every job's outcome
//! with its delivery) as JSON lines, oldest first; `--follow` keeps printing
//! new events as they are stored, like `tail -f`.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use crate::core::ids::RepoName;
use crate::store::{AnyStore, EventRow, Store, connect};

/// How many events one poll reads at most.
const PAGE: u32 = 500;

/// Options of `vayu events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Keep running and print new events as they arrive (Ctrl-C to stop).
    #[arg(long, short = 'f')]
    follow: bool,
    /// Only events of this repository (`owner/name`).
    #[arg(long)]
    repo: Option<String>,
    /// How many of the latest events to print first.
    #[arg(long, short = 'n', default_value_t = 50)]
    limit: u32,
    /// How often `--follow` looks for new events.
    #[arg(long, default_value = "1s", hide = true)]
    poll: crate::core::config::DurationSecs,
    /// The database (`sqlite://vayu.db`, `postgres://…`), as `vayu serve` uses it.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://vayu.db")]
    database_url: String,
}

/// Runs `vayu events`.
pub fn run(args: &EventsArgs) -> anyhow::Result<()> {
    let repo: Option<RepoName> = args
        .repo
        .as_deref()
        .map(|r| {
            r.parse().map_err(|e| {
                anyhow::anyhow!("`{r}` is not a repository: {e}; write it as owner/name")
            })
        })
        .transpose()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = connect(&args.database_url)
            .await
            .context("cannot open the database given by --database-url / DATABASE_URL")?;
        let result = print_events(&store, args, repo.as_ref()).await;
        store.close().await;
        result
    })
}

async fn print_events(
    store: &AnyStore,
    args: &EventsArgs,
    repo: Option<&RepoName>,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    // Where following starts: the newest event now. Read first, so an event
    // stored while the latest ones are read is printed once, by the loop.
    let mut last = store
        .latest_events(None, 1)
        .await?
        .last()
        .map_or(0, |e| e.id);
    let latest = store.latest_events(repo, args.limit).await?;
    for event in latest.iter().filter(|e| e.id <= last) {
        writeln!(out, "{}", line(event)).context("cannot write to stdout")?;
    }
    out.flush().context("cannot write to stdout")?;
    if !args.follow {
        return Ok(());
    }
    let poll = args.poll.to_std().max(Duration::from_millis(100));
    loop {
        let page = store.events_since(last, PAGE).await?;
        for event in &page {
            last = last.max(event.id);
            if repo.is_none_or(|r| event.event.repo.as_ref() == Some(r)) {
                writeln!(out, "{}", line(event)).context("cannot write to stdout")?;
            }
        }
        out.flush().context("cannot write to stdout")?;
        if page.len() as u32 == PAGE {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// One event as a JSON object on one line.
fn line(row: &EventRow) -> String {
    let e = &row.event;
    json!({
        "id": row.id,
        "ts": e.ts.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "kind": e.kind,
        "repo": e.repo,
        "issue": e.issue.map(|i| i.0),
        "data": e.data,
    })
    .to_string()
}
