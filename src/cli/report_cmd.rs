//! `vayu report`: seed 003's analytics over the server's task history.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{TimeDelta, Utc};
use clap::{Args, ValueEnum};

use crate::core::config::{Config, DurationSecs};
use crate::core::report::{Report, ReportInput, Spread, report};
use crate::server::analytics::Feed;
use crate::store::{Store, connect};

/// `vayu report` options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How far back the window reaches (`7d`, `12h`, `90m`).
    #[arg(long, default_value = "7d")]
    since: DurationSecs,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// A `.github/vayu.yml` whose agents' capacities give utilization.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The database `vayu serve` writes (`sqlite://vayu.db`, `postgres://…`).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://vayu.db")]
    database_url: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// Prints the report.
pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let capacity = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let cfg = Config::from_yaml_named(&path.display().to_string(), &text)?;
            cfg.assignment
                .agents
                .iter()
                .map(|a| (a.login.clone(), a.capacity))
                .collect()
        }
        None => BTreeMap::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let r = runtime.block_on(async {
        let store = connect(&args.database_url)
            .await
            .context("cannot open the database")?;
        let mut feed = Feed::default();
        feed.catch_up(&store).await?;
        let depth = store.queue_depth().await?;
        let until = Utc::now();
        let back = TimeDelta::seconds(i64::try_from(args.since.as_secs()).unwrap_or(i64::MAX));
        anyhow::Ok(report(&ReportInput {
            since: until.checked_sub_signed(back).unwrap_or(until),
            until,
            events: feed.events(),
            capacity: &capacity,
            jobs_queued: depth.queued,
        }))
    })?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        Format::Table => print!("{}", table(&r)),
    }
    Ok(())
}

fn table(r: &Report) -> String {
    let pct = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:.1}%", v * 100.0));
    let spread = |s: Option<Spread>| {
        s.map_or("-".to_owned(), |s| {
            format!(
                "median {:.1} min, p90 {:.1} min (n={})",
                s.median, s.p90, s.samples
            )
        })
    };
    let rows = [
        ("tasks taken on", r.created.to_string()),
        ("tasks completed", r.completed.to_string()),
        ("throughput", format!("{:.2} per day", r.throughput_per_day)),
        ("completion rate", pct(r.completion_rate)),
        ("assignment latency", spread(r.assignment_latency_minutes)),
        ("time to resolution", spread(r.time_to_resolution_minutes)),
        ("first-time success", pct(r.first_time_success)),
        ("error rate", pct(r.error_rate)),
        ("tasks queued", r.tasks_queued.to_string()),
        ("jobs queued", r.jobs_queued.to_string()),
    ];
    let mut out = format!(
        "vayu report {} .. {}\n\n",
        r.since.format("%Y-%m-%d %H:%M"),
        r.until.format("%Y-%m-%d %H:%M")
    );
    for (name, value) in rows {
        let _ = writeln!(out, "{name:<20} {value}");
    }
    if !r.agents.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<20} {:>6} {:>9} {:>11}",
            "agent", "active", "completed", "utilization"
        );
        for a in &r.agents {
            let _ = writeln!(
                out,
                "{:<20} {:>6} {:>9} {:>11}",
                a.login,
                a.active,
                a.completed,
                pct(a.utilization)
            );
        }
    }
    out
}
