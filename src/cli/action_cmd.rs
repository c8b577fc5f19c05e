//! `vayu action`: the companion GitHub Action's entry point. Everything comes
//! from the runner's environment (see `action.yml`), so it takes no flags.

use std::process::ExitCode;

use clap::Args;

use crate::action::workflow_commands::Level;
use crate::action::{ActionEnv, Console, Outputs, run};
use crate::github::{ClientConfig, GitHubClient};

/// No flags: inputs arrive as `INPUT_*` variables, as in any action.
#[derive(Debug, Args)]
pub struct ActionArgs {}

/// Runs the action and maps the result to an exit code: 0 done, 1 failed,
/// 2 refused (nothing was changed).
pub fn run_action(_args: &ActionArgs) -> ExitCode {
    let env = match ActionEnv::from_lookup(|k| std::env::var(k).ok()) {
        Ok(env) => env,
        Err(e) => {
            Console::default().annotate(Level::Error, &e.to_string());
            return ExitCode::from(e.exit_code());
        }
    };
    let console = Console::new(env.output_path.clone(), env.summary_path.clone());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            console.annotate(
                Level::Error,
                &format!("cannot start the async runtime: {e}"),
            );
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let cfg = ClientConfig {
            base_url: env.api_url.clone(),
            mutation_gap: env.mutation_gap,
            ..ClientConfig::default()
        };
        let gh = GitHubClient::with_token(cfg, &env.token)?;
        run(&env, gh, &console).await
    });
    match result {
        Ok(finished) => {
            if let Err(e) = console.write_outputs(&finished.outputs) {
                console.annotate(Level::Error, &e.to_string());
                return ExitCode::FAILURE;
            }
            match finished.failure {
                None => ExitCode::SUCCESS,
                Some(_) => ExitCode::FAILURE,
            }
        }
        Err(e) => {
            console.annotate(Level::Error, &e.to_string());
            let _ = console.write_outputs(&Outputs {
                task: env.task.map(|n| n.0),
                status: if e.exit_code() == 2 {
                    "refused"
                } else {
                    "error"
                }
                .into(),
                progress: 0,
                ready: Vec::new(),
            });
            ExitCode::from(e.exit_code())
        }
    }
}
