//! The Projects v2 board as a dashboard: after every converge, the parent
//! and its sub-issues are items on the configured board, with Status, Stage,
//! Owner, Priority, Progress and Estimate in line with their labels and the
//! plan. GitHub is read first (one query), so only missing items and changed
//! values are written, each kind in one batched mutation.
//!
//! The board is a view: when it cannot be written (no permission, a missing
//! single-select option), one comment on the parent says what to fix and the
//! rest of the work goes on; nothing is retried in a loop.

use std::collections::BTreeMap;

use serde_json::json;

use super::ctx::Ctx;
use super::effects::{Effect, Executor, Target, note_marker};
use super::error::AppError;
use super::labels::{priority_of, status_of};
use super::ports::{
    FieldUpdate, FieldValue, GitHub, GitHubError, Issue, IssueState, Ledger, Project, ProjectField,
    StateReason,
};
use crate::core::config::{Config, LabelMeaning, ProjectConfig};
use crate::core::ids::{RepoName, TaskKey};
use crate::core::marker::escape_user_text;
use crate::core::plan::Plan;
use crate::core::task::Status;

/// The comment slot of board problems (one comment per parent).
pub const BOARD_SLOT: &str = "board";

/// A value vayu wants in a field, before it is matched to the board.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// A word: an option name of a single-select field, or text.
    Word(String),
    /// A number: a number field, or an option / text spelling it.
    Num(u32),
}

/// What one issue's item should show, by config field key (`status`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The issue's node id.
    pub content_id: String,
    /// Wanted values by field key.
    pub values: Vec<(&'static str, Wanted)>,
}

/// Something the board lacks, reported to the user once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// No field with this name.
    Field(String),
    /// The single-select field has no option with this name.
    Option {
        /// Field name.
        field: String,
        /// Option name vayu needs.
        option: String,
    },
    /// The field's type cannot hold the value.
    Kind {
        /// Field name.
        field: String,
        /// Its `dataType`.
        data_type: String,
    },
}

/// The rows for a parent and its sub-issues (pure).
pub fn rows(
    cfg: &Config,
    parent: &Issue,
    subs: &BTreeMap<TaskKey, Issue>,
    plan: Option<&Plan>,
) -> Vec<Row> {
    let closed = |i: &Issue| i.state == IssueState::Closed;
    let mut out = Vec::with_capacity(subs.len() + 1);
    let mut parent_row = common(cfg, parent);
    if let Some(plan) = plan {
        let done = plan
            .subtasks
            .iter()
            .filter(|s| subs.get(&s.key).is_some_and(closed))
            .count();
        let total = plan.subtasks.len().max(1);
        let stage = plan
            .subtasks
            .iter()
            .filter(|s| !subs.get(&s.key).is_some_and(closed))
            .map(|s| s.stage)
            .min()
            .unwrap_or(plan.stages.len());
        parent_row.push(("stage", Wanted::Num(stage_number(stage))));
        parent_row.push(("progress", Wanted::Num(percent(done, total))));
        parent_row.push(("estimate", Wanted::Num(plan.estimate.total.max)));
    } else if subs.is_empty() {
        // A simple task; a parent seen without its plan (a slash command)
        // keeps the progress the last plan sync wrote.
        parent_row.push((
            "progress",
            Wanted::Num(if closed(parent) { 100 } else { 0 }),
        ));
    }
    out.push(Row {
        content_id: parent.node_id.clone(),
        values: parent_row,
    });
    for (key, issue) in subs {
        let mut values = common(cfg, issue);
        if let Some(s) = plan.and_then(|p| p.subtask(key)) {
            values.push(("stage", Wanted::Num(stage_number(s.stage))));
            values.push(("estimate", Wanted::Num(s.estimate.max)));
        }
        values.push(("progress", Wanted::Num(if closed(issue) { 100 } else { 0 })));
        out.push(Row {
            content_id: issue.node_id.clone(),
            values,
        });
    }
    out.retain(|r| !r.content_id.is_empty());
    out
}

/// `Subtask::stage` is already 1-based, as users see it.
fn stage_number(stage: usize) -> u32 {
    u32::try_from(stage).unwrap_or(u32::MAX)
}

fn percent(done: usize, total: usize) -> u32 {
    u32::try_from(done * 100 / total).unwrap_or(100)
}

/// Status, owner and priority, from the labels.
fn common(cfg: &Config, issue: &Issue) -> Vec<(&'static str, Wanted)> {
    let mut v = Vec::new();
    // A closed sub-issue keeps its last status label; closing it as done is
    // what completes it.
    let closed_done =
        issue.state == IssueState::Closed && issue.state_reason != Some(StateReason::NotPlanned);
    let status = if closed_done {
        Some(Status::Completed)
    } else {
        status_of(&issue.labels, cfg)
    };
    if let Some(s) = status {
        v.push(("status", Wanted::Word(title_case(s.as_str()))));
    }
    let owner = issue
        .labels
        .iter()
        .find_map(|l| match cfg.labels.parse_label(l) {
            Some(LabelMeaning::Owner(o)) => Some(o),
            _ => None,
        });
    if let Some(o) = owner {
        v.push(("owner", Wanted::Word(o)));
    }
    if let Some(p) = priority_of(&issue.labels, cfg) {
        v.push(("priority", Wanted::Word(title_case(p.as_str()))));
    }
    v
}

fn title_case(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Names compare ignoring case, spaces, `-` and `_` ("In progress" = "in_progress").
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    norm(a) == norm(b)
}

/// The value to write for `wanted` in `field`, or what the board lacks.
pub fn resolve(field: &ProjectField, wanted: &Wanted) -> Result<FieldValue, Gap> {
    match (field.data_type.as_str(), wanted) {
        ("SINGLE_SELECT", w) => {
            let names: Vec<String> = match w {
                Wanted::Word(s) => vec![s.clone()],
                Wanted::Num(n) => vec![n.to_string(), format!("Stage {n}")],
            };
            field
                .options
                .iter()
                .find(|o| names.iter().any(|n| same_name(&o.name, n)))
                .map(|o| FieldValue::SingleSelect(o.id.clone()))
                .ok_or_else(|| Gap::Option {
                    field: field.name.clone(),
                    option: names.last().cloned().unwrap_or_default(),
                })
        }
        ("TEXT", Wanted::Word(s)) => Ok(FieldValue::Text(s.clone())),
        ("TEXT", Wanted::Num(n)) => Ok(FieldValue::Text(n.to_string())),
        ("NUMBER", Wanted::Num(n)) => Ok(FieldValue::Number(f64::from(*n))),
        _ => Err(Gap::Kind {
            field: field.name.clone(),
            data_type: field.data_type.clone(),
        }),
    }
}

/// Matches rows to the board's fields: (content id, field id, value) to
/// hold, and the gaps met on the way.
pub fn plan_values(
    pc: &ProjectConfig,
    project: &Project,
    rows: &[Row],
) -> (Vec<(String, String, FieldValue)>, Vec<Gap>) {
    let names: BTreeMap<&str, &str> = pc.fields.entries().into_iter().collect();
    let mut values = Vec::new();
    let mut gaps = Vec::new();
    for row in rows {
        for (key, wanted) in &row.values {
            let Some(name) = names.get(key).filter(|n| !n.is_empty()) else {
                continue;
            };
            let Some(field) = project.fields.iter().find(|f| same_name(&f.name, name)) else {
                gaps.push(Gap::Field((*name).to_owned()));
                continue;
            };
            match resolve(field, wanted) {
                Ok(v) => values.push((row.content_id.clone(), field.id.clone(), v)),
                Err(g) => gaps.push(g),
            }
        }
    }
    gaps.sort();
    gaps.dedup();
    (values, gaps)
}

/// What the board sync did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoardSync {
    /// Items added.
    pub added: usize,
    /// Field values written.
    pub updated: usize,
    /// What the board lacks (reported in one comment).
    pub gaps: Vec<Gap>,
}

/// Brings the board in line for `parent` and `subs`. Permission problems and
/// gaps become one comment on the parent; only a GitHub failure that may
/// pass (5xx, rate limit) is returned, so the job retries later.
pub async fn sync_board<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    parent: &Issue,
    subs: &BTreeMap<TaskKey, Issue>,
    plan: Option<&Plan>,
) -> Result<BoardSync, AppError> {
    let Some(pc) = &cfg.project else {
        return Ok(BoardSync::default());
    };
    match write_board(ctx, repo, pc, cfg, parent, subs, plan).await {
        Ok(sync) => {
            if !sync.gaps.is_empty() {
                let body = gaps_comment(pc, &sync.gaps);
                report(ctx, repo, parent, body).await?;
            }
            Ok(sync)
        }
        Err(e) if e.is_retryable() => Err(e.into()),
        Err(e) => {
            tracing::warn!(%repo, error = %e, "project board not updated");
            report(ctx, repo, parent, access_comment(pc, &e)).await?;
            Ok(BoardSync::default())
        }
    }
}

async fn write_board<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    pc: &ProjectConfig,
    cfg: &Config,
    parent: &Issue,
    subs: &BTreeMap<TaskKey, Issue>,
    plan: Option<&Plan>,
) -> Result<BoardSync, GitHubError> {
    let Some(project) = ctx.gh.find_project(repo, &pc.owner, pc.number).await? else {
        return Err(GitHubError::NotFound {
            what: format!("project {} of {}", pc.number, pc.owner),
        });
    };
    let rows = rows(cfg, parent, subs, plan);
    let (values, gaps) = plan_values(pc, &project, &rows);
    let content: Vec<String> = rows.iter().map(|r| r.content_id.clone()).collect();
    let existing = ctx.gh.project_items(repo, &project.id, &content).await?;
    let mut items: BTreeMap<String, (String, BTreeMap<String, FieldValue>)> = existing
        .into_iter()
        .map(|i| (i.content_id, (i.item_id, i.values)))
        .collect();
    let missing: Vec<String> = content
        .iter()
        .filter(|c| !items.contains_key(*c))
        .cloned()
        .collect();
    if !missing.is_empty() {
        let ids = ctx
            .gh
            .add_project_items(repo, &project.id, &missing)
            .await?;
        for (c, id) in missing.iter().zip(ids) {
            items.insert(c.clone(), (id, BTreeMap::new()));
        }
    }
    let updates: Vec<FieldUpdate> = values
        .into_iter()
        .filter_map(|(content_id, field_id, value)| {
            let (item_id, current) = items.get(&content_id)?;
            (current.get(&field_id) != Some(&value)).then(|| FieldUpdate {
                item_id: item_id.clone(),
                field_id,
                value,
            })
        })
        .collect();
    if !updates.is_empty() {
        ctx.gh
            .set_project_fields(repo, &project.id, &updates)
            .await?;
    }
    Ok(BoardSync {
        added: missing.len(),
        updated: updates.len(),
        gaps,
    })
}

/// Posts (or brings up to date) the one board comment on the parent; the
/// ledger remembers each text posted, so a repeat costs no GitHub call.
async fn report<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    parent: &Issue,
    body: String,
) -> Result<(), AppError> {
    let digest = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut h);
        h.finish()
    };
    let key = format!("{repo}#{}/-/board-reported/{digest:016x}", parent.number);
    if ctx.store.effect_done(&key).await?.is_some() {
        return Ok(());
    }
    let mut ex = Executor::new(ctx, repo.clone(), parent.clone(), BTreeMap::new(), None);
    ex.run(&Effect::Comment {
        on: Target::Parent,
        slot: BOARD_SLOT.into(),
        body,
        replace: true,
    })
    .await?;
    ctx.store
        .record_effect(&key, &json!({ "board": "reported" }), ctx.now())
        .await?;
    Ok(())
}

fn board_name(pc: &ProjectConfig) -> String {
    format!(
        "project {} of `{}`",
        pc.number,
        escape_user_text(&pc.owner).replace('`', "'")
    )
}

fn code(s: &str) -> String {
    format!("`{}`", escape_user_text(s).replace('`', "'"))
}

/// The comment naming what the board lacks and how to add it.
pub fn gaps_comment(pc: &ProjectConfig, gaps: &[Gap]) -> String {
    let lines: Vec<String> = gaps
        .iter()
        .map(|g| match g {
            Gap::Field(f) => format!("- a field named {}", code(f)),
            Gap::Option { field, option } => {
                format!(
                    "- the option {} in the single-select field {}",
                    code(option),
                    code(field)
                )
            }
            Gap::Kind { field, data_type } => format!(
                "- the field {} is of type {}, which cannot hold what vayu writes there \
                 (use a single-select, text or number field)",
                code(field),
                code(data_type)
            ),
        })
        .collect();
    format!(
        "{}\n### The project board is missing something\n\n\
         vayu keeps {} in step with this task, but the board lacks:\n\n{}\n\n\
         To fix: open the board, then ⋯ → **Settings** → the field → add the option with \
         exactly this name (or create the field; names are set under `project.fields` in \
         `.github/vayu.yml`). vayu keeps the other fields up to date meanwhile and fills \
         these on the next change. This is reported once.",
        note_marker(BOARD_SLOT),
        board_name(pc),
        lines.join("\n")
    )
}

/// The comment for a board vayu cannot reach.
pub fn access_comment(pc: &ProjectConfig, e: &GitHubError) -> String {
    let why = match e {
        GitHubError::NotFound { .. } => "GitHub says it does not exist or is not visible to vayu",
        GitHubError::PermissionDenied { .. } => "GitHub denied access to it",
        _ => "GitHub refused the update",
    };
    format!(
        "{}\n### vayu cannot update the project board\n\n\
         vayu is configured to keep {} up to date, but {why} ({}).\n\n\
         To fix: give the GitHub App the **Projects** organization permission (read and write; \
         `organization_projects`) and accept it on the installation, or, for the Action, pass a \
         token with the `project` scope as `github-token` (`GITHUB_TOKEN` cannot reach \
         projects). Check `project.owner` and `project.number` in `.github/vayu.yml`. \
         The task itself is not affected; this is reported once.",
        note_marker(BOARD_SLOT),
        board_name(pc),
        escape_user_text(&e.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ports::SelectOption;

    fn select(name: &str, opts: &[&str]) -> ProjectField {
        ProjectField {
            id: format!("F_{name}"),
            name: name.into(),
            data_type: "SINGLE_SELECT".into(),
            options: opts
                .iter()
                .map(|o| SelectOption {
                    id: format!("O_{o}"),
                    name: (*o).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn options_match_ignoring_case_and_separators() {
        let f = select("Status", &["In progress", "Executing", "Stage 2"]);
        assert_eq!(
            resolve(&f, &Wanted::Word("executing".into())),
            Ok(FieldValue::SingleSelect("O_Executing".into()))
        );
        assert_eq!(
            resolve(&f, &Wanted::Word("in_progress".into())),
            Ok(FieldValue::SingleSelect("O_In progress".into()))
        );
        assert_eq!(
            resolve(&f, &Wanted::Num(2)),
            Ok(FieldValue::SingleSelect("O_Stage 2".into()))
        );
        assert_eq!(
            resolve(&f, &Wanted::Word("Reviewing".into())),
            Err(Gap::Option {
                field: "Status".into(),
                option: "Reviewing".into()
            })
        );
    }

    #[test]
    fn numbers_and_text_fit_their_fields_only() {
        let num = ProjectField {
            id: "N".into(),
            name: "Progress".into(),
            data_type: "NUMBER".into(),
            options: vec![],
        };
        assert_eq!(
            resolve(&num, &Wanted::Num(40)),
            Ok(FieldValue::Number(40.0))
        );
        assert_eq!(
            resolve(&num, &Wanted::Word("x".into())),
            Err(Gap::Kind {
                field: "Progress".into(),
                data_type: "NUMBER".into()
            })
        );
        let text = ProjectField {
            data_type: "TEXT".into(),
            ..num
        };
        assert_eq!(
            resolve(&text, &Wanted::Num(3)),
            Ok(FieldValue::Text("3".into()))
        );
    }

    #[test]
    fn the_gaps_comment_names_field_option_and_fix_and_escapes() {
        let pc = ProjectConfig {
            owner: "octo-org".into(),
            number: 3,
            fields: Default::default(),
        };
        let body = gaps_comment(
            &pc,
            &[Gap::Option {
                field: "Status".into(),
                option: "Reviewing".into(),
            }],
        );
        assert!(body.starts_with("<!-- vayu:note v=1 slot=board -->\n"));
        assert!(body.contains("- the option `Reviewing` in the single-select field `Status`"));
        assert!(body.contains("⋯ → **Settings**"));
        let evil = gaps_comment(&pc, &[Gap::Field("<!-- vayu:x --> @team".into())]);
        assert!(!evil[10..].contains("<!--"), "{evil}");
    }
}
