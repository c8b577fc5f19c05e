//! The command line (the binary's edge: errors become messages and exit codes).

mod action_cmd;
mod agent_cmd;
mod config_cmd;
mod events_cmd;
mod input;
mod inspect_cmd;
mod jobs_cmd;
mod plan_cmd;
mod reconcile_cmd;
mod report_cmd;
mod serve_cmd;
mod task_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// vayu: turn GitHub issues into managed, decomposed tasks.
#[derive(Debug, Parser)]
#[command(name = "vayu", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Plan an issue body and print what vayu would post.
    Plan(plan_cmd::PlanArgs),
    /// Work with `.github/vayu.yml` files.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// Show how vayu reads a webhook delivery: the normalized event as JSON, or why it is ignored.
    InspectEvent(inspect_cmd::InspectArgs),
    /// Run the GitHub App webhook server (setup mode without App credentials).
    Serve(Box<serve_cmd::ServeArgs>),
    /// Inspect the job queue (`--dead`: jobs out of attempts) and requeue dead jobs.
    Jobs(jobs_cmd::JobsArgs),
    /// Run as the companion GitHub Action (reads GITHUB_* and INPUT_* variables).
    Action(action_cmd::ActionArgs),
    /// Analytics over the server's task history (throughput, latency, success, queue).
    Report(report_cmd::ReportArgs),
    /// Create, inspect and list tasks on GitHub (a token and --repo).
    #[command(subcommand)]
    Task(task_cmd::TaskCommand),
    /// Reconcile a repository now: repair every open parent's drift from its plan.
    Reconcile(Box<reconcile_cmd::ReconcileArgs>),
    /// Print the event log (decisions, job outcomes) as JSON lines; --follow to keep watching.
    Events(events_cmd::EventsArgs),
    /// The repository's agents: availability and workload.
    #[command(subcommand)]
    Agent(agent_cmd::AgentCommand),
}

/// Runs the CLI and turns any error into a message on stderr and exit code 1.
pub fn main() -> ExitCode {
    if std::env::args_os().nth(1).is_some_and(|a| {
        a == "serve" || a == "jobs" || a == "report" || a == "reconcile" || a == "events"
    }) {
        serve_cmd::load_dotenv();
    }
    let cli = Cli::parse();
    if let Command::Action(args) = &cli.command {
        return action_cmd::run_action(args);
    }
    let result = match cli.command {
        Command::Action(_) => Ok(()),
        Command::Plan(args) => plan_cmd::run(&args),
        Command::Config(cmd) => config_cmd::run(&cmd),
        Command::InspectEvent(args) => inspect_cmd::run(&args),
        Command::Serve(args) => serve_cmd::run(&args),
        Command::Jobs(cmd) => jobs_cmd::run(&cmd),
        Command::Report(args) => report_cmd::run(&args),
        Command::Task(cmd) => task_cmd::run(&cmd),
        Command::Agent(cmd) => agent_cmd::run(&cmd),
        Command::Reconcile(args) => reconcile_cmd::run(&args),
        Command::Events(args) => events_cmd::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
