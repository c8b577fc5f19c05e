//! `vayu inspect-event`: show how vayu reads a webhook delivery, for users
//! debugging why a delivery did or did not do something.

use std::path::PathBuf;

use clap::Args;

use super::input::read_text;
use crate::github::webhook;

/// Arguments of `vayu inspect-event`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The delivery's `X-GitHub-Event` header (`issues`, `issue_comment`, …).
    #[arg(long = "event")]
    event: String,
    /// The delivery's JSON body: a file, or `-` for standard input.
    file: PathBuf,
}

/// Prints the normalized event as JSON, or `ignored: <reason>`.
pub fn run(args: &InspectArgs) -> anyhow::Result<()> {
    let body = read_text(&args.file)?;
    let out = webhook::inspect(&args.event, body.as_bytes())?;
    println!("{out}");
    Ok(())
}
