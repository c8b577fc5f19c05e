//! `vayu config`: check a `.github/vayu.yml` before committing it.

use std::path::PathBuf;

use clap::Subcommand;

use super::input::read_text;
use crate::core::config::Config;

/// `vayu config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a configuration file; every problem is named with its line and column.
    Check {
        /// The file, or `-` for standard input.
        file: PathBuf,
    },
    /// Print the built-in defaults as YAML.
    Defaults,
}

/// Runs a `vayu config` subcommand.
pub fn run(cmd: &ConfigCommand) -> anyhow::Result<()> {
    match cmd {
        ConfigCommand::Check { file } => {
            let text = read_text(file)?;
            let name = if file.as_os_str() == "-" {
                "stdin".to_owned()
            } else {
                file.display().to_string()
            };
            let config = Config::from_yaml_named(&name, &text)?;
            println!(
                "{name}: ok ({} owners: {}; {}-{} subtasks, at most {} stages)",
                config.owners.len(),
                config
                    .owners
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                config.planning.min_subtasks,
                config.planning.max_subtasks,
                config.planning.max_stages
            );
        }
        ConfigCommand::Defaults => {
            print!("{}", serde_saphyr::to_string(&Config::default())?);
        }
    }
    Ok(())
}
