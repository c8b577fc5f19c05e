//! The simulated GitHub as a standalone server, for manual runs and the Action's tests.
//!
//! `cargo run --example github-sim -- --port 8080 [--seed seed.json]`
//! Admin API: POST /_sim/{repos,issues,permissions,installations,tokens}, GET /_sim/state,
//! GET /_sim/violations. The seed file holds the same objects under those list names.

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;

use clap::Parser;

/// Runs the simulated GitHub on 127.0.0.1.
#[derive(Debug, Parser)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// JSON file with repos, issues, permissions, installations and tokens to start with.
    #[arg(long)]
    seed: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let gh = support::GitHubSim::start_on(SocketAddr::from(([127, 0, 0, 1], args.port)))
        .await
        .lenient();
    if let Some(path) = &args.seed {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the seed file {}: {e}", path.display()))?;
        let seed: support::sim::Seed = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!("the seed file {} is not a valid seed: {e}", path.display())
        })?;
        gh.seed(seed);
    }
    println!("github-sim listening on {}", gh.url());
    std::future::pending::<()>().await;
    Ok(())
}
