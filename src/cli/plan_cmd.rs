//! `vayu plan`: plan an issue body offline and print exactly what vayu would post.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::input::read_text;
use crate::core::config::Config;
use crate::core::marker::{BEGIN, END, escape_mermaid_label};
use crate::core::plan::TemplateSet;
use crate::core::task::TaskType;
use crate::core::triage::{Triage, TriageInput, triage};
use crate::render::{
    OrchestrationInput, PlanCommentInput, SimpleCommentInput, checklist_block, mermaid,
    orchestration_plan, plan_comment, simple_comment,
};

/// Output formats of `vayu plan`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// The plan comment and the parent's checklist, as vayu would post them.
    Markdown,
    /// Seed 004's orchestration plan.
    Json,
    /// The DAG as Mermaid source.
    Mermaid,
}

/// Arguments of `vayu plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The issue body: a Markdown file, or `-` for standard input.
    file: PathBuf,
    /// The task type, as a `type:` label would give it (picks the template).
    #[arg(long = "type", value_name = "TYPE")]
    task_type: Option<String>,
    /// The issue title (default: the body's first line).
    #[arg(long)]
    title: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// A `.github/vayu.yml` to plan with (default: the built-in defaults).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Decompose even when the task looks simple, as `/vayu decompose` does.
    #[arg(long)]
    decompose: bool,
}

/// Plans the body and prints the result; an invalid plan is an error naming every problem.
pub fn run(args: &PlanArgs) -> anyhow::Result<()> {
    let body = read_text(&args.file)?;
    let config = match &args.config {
        Some(path) => {
            let text = read_text(path)?;
            Config::from_yaml_named(&path.display().to_string(), &text)?
        }
        None => Config::default(),
    };
    let task_type = args
        .task_type
        .as_deref()
        .map(str::parse::<TaskType>)
        .transpose()
        .context("--type")?;
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| first_line_title(&body));
    let labels: Vec<String> = task_type
        .map(|t| vec![config.labels.type_label(t)])
        .unwrap_or_default();
    let templates = TemplateSet::builtin();
    let outcome = triage(
        &TriageInput {
            title: &title,
            body: &body,
            labels: &labels,
            task_type,
            force_decompose: args.decompose,
        },
        &config,
        &templates,
    );
    match outcome {
        Triage::Simple { decision } => {
            let owner = decision
                .owner
                .clone()
                .or_else(|| config.owners.first().map(|o| o.name.clone()))
                .unwrap_or_default();
            match args.format {
                Format::Markdown => print!(
                    "{}",
                    simple_comment(&SimpleCommentInput {
                        owner: &owner,
                        config: &config,
                        preview: true,
                    })?
                ),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "parent_task_id": parent_id(&args.file),
                        "task_title": title,
                        "complexity": decision.complexity,
                        "assigned_to": owner,
                        "reasons": decision.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    }))?
                ),
                // One node: the task and the owner it goes to.
                Format::Mermaid => print!(
                    "graph TD\n  task[\"{}<br/><small>{}</small>\"]\n",
                    escape_mermaid_label(&title),
                    escape_mermaid_label(&owner)
                ),
            }
        }
        Triage::Complex { decision, plan } => match args.format {
            Format::Markdown => {
                let comment = plan_comment(&PlanCommentInput {
                    plan: &plan,
                    complexity: decision.complexity,
                    reasons: decision.reasons.iter().map(ToString::to_string).collect(),
                    preview: true,
                })?;
                let block = checklist_block(&plan, &[])?;
                print!(
                    "{comment}\n---\n\nThe checklist vayu keeps in the parent issue:\n\n{BEGIN}\n{block}{END}\n"
                );
            }
            Format::Json => {
                let value = orchestration_plan(&OrchestrationInput {
                    plan: &plan,
                    parent_task_id: &parent_id(&args.file),
                    title: &title,
                    complexity: decision.complexity,
                    created_at: chrono::Utc::now(),
                });
                println!("{}", serde_json::to_string_pretty(&value)?);
            }
            Format::Mermaid => print!("{}", mermaid(&plan, None)),
        },
        Triage::NoPlan { decision } => {
            let reasons: Vec<String> = decision.reasons.iter().map(ToString::to_string).collect();
            bail!(
                "this task is complex ({}), but it has no plan: add a ```vayu block or a task list \
                 to the body, or give a type whose template fits (--type {})",
                reasons.join("; "),
                TaskType::ALL
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            )
        }
        Triage::Invalid { error, .. } => {
            bail!("the plan is invalid:\n{}", indent(&error.to_string()))
        }
    }
    Ok(())
}

/// The issue title implied by a body: its first non-empty line, without `#`s.
fn first_line_title(body: &str) -> String {
    body.lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty())
        .unwrap_or("Untitled")
        .chars()
        .take(256)
        .collect()
}

/// The parent id shown in JSON output for a local file: its stem.
fn parent_id(path: &Path) -> String {
    if path == Path::new("-") {
        return "stdin".to_owned();
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "issue".to_owned())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
