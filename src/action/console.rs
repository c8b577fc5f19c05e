//! Where `vayu action` writes: the job log (workflow commands), the step's
//! outputs (`$GITHUB_OUTPUT`) and its summary (`$GITHUB_STEP_SUMMARY`).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::ActionError;
use super::workflow_commands::{END_GROUP, Level, annotation, file_entry, group, verbatim};

/// The job log and the step's output files.
#[derive(Debug, Clone, Default)]
pub struct Console {
    output_path: Option<PathBuf>,
    summary_path: Option<PathBuf>,
}

/// The step's outputs (the only keys vayu ever writes to `$GITHUB_OUTPUT`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outputs {
    /// The issue acted on.
    pub task: Option<u64>,
    /// Its status afterwards (`completed`, `failed`, …).
    pub status: String,
    /// 0-100.
    pub progress: u8,
    /// Subtasks dispatched because they became ready.
    pub ready: Vec<u64>,
}

impl Console {
    /// A console writing to these files (each optional, as outside a runner).
    pub fn new(output_path: Option<PathBuf>, summary_path: Option<PathBuf>) -> Self {
        Self {
            output_path,
            summary_path,
        }
    }

    /// Prints one of our own lines.
    pub fn info(&self, line: &str) {
        // Our own text cannot start a command unless it begins with `::`.
        let safe = if line.starts_with("::") {
            format!(" {line}")
        } else {
            line.to_owned()
        };
        println!("{safe}");
    }

    /// Prints text that may come from users (issue titles, step output) so
    /// the runner takes no command from it.
    pub fn untrusted(&self, text: &str) {
        println!("{}", verbatim(text));
    }

    /// An annotation.
    pub fn annotate(&self, level: Level, message: &str) {
        println!("{}", annotation(level, Some("vayu"), message));
    }

    /// Opens a log group.
    pub fn group(&self, title: &str) {
        println!("{}", group(title));
    }

    /// Closes the group.
    pub fn end_group(&self) {
        println!("{END_GROUP}");
    }

    /// Writes the outputs; without `$GITHUB_OUTPUT` they are printed instead.
    pub fn write_outputs(&self, o: &Outputs) -> Result<(), ActionError> {
        let ready = format!(
            "[{}]",
            o.ready
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        let task = o.task.map(|n| n.to_string()).unwrap_or_default();
        let progress = o.progress.to_string();
        let pairs = [
            ("task", task.as_str()),
            ("status", o.status.as_str()),
            ("progress", progress.as_str()),
            ("ready", ready.as_str()),
        ];
        let text: String = pairs.iter().map(|(k, v)| file_entry(k, v)).collect();
        match &self.output_path {
            Some(p) => append(p, &text),
            None => {
                for (k, v) in pairs {
                    self.info(&format!("{k}={v}"));
                }
                Ok(())
            }
        }
    }

    /// Appends Markdown to the step summary, when there is one.
    pub fn summary(&self, markdown: &str) -> Result<(), ActionError> {
        match &self.summary_path {
            Some(p) => append(p, &format!("{markdown}\n")),
            None => Ok(()),
        }
    }
}

fn append(path: &Path, text: &str) -> Result<(), ActionError> {
    let io = |source| ActionError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)
}
