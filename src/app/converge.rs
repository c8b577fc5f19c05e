//! One function brings a task issue and its sub-issues in line with what
//! its body and labels say: triage, then route a simple task, explain an
//! invalid plan, or create/link/label/close sub-issues for a valid one. Every
//! handler (label, edit, close, command, reconcile) ends here, so redelivery,
//! re-planning, progress and drift repair are one code path.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::json;

use super::config_load::{TEMPLATES_DIR, load_config, load_templates};
use super::ctx::Ctx;
use super::desired::{PlanInput, all_final, plan_effects, verdicts};
use super::effects::{Effect, Executor, PROBLEMS_SLOT, Target, note_marker};
use super::error::{AppError, UserError};
use super::labels::{has, status_of, type_of, user_text, with_status};
use super::observe::{Observed, observe};
use super::outcome::Outcome;
use super::ports::{GitHub, Issue, IssuePatch, IssueState, Ledger, TaskRecord};
use crate::core::config::{Config, ConfigError, LabelMeaning};
use crate::core::ids::{IssueNumber, RepoName, TaskKey};
use crate::core::plan::{Plan, PlanSource};
use crate::core::task::{Complexity, Status, TaskType};
use crate::core::triage::{Triage, TriageInput, triage};
use crate::render::{
    CompletionRow, PlanCommentInput, ProblemsInput, SimpleCommentInput, completion_report,
    plan_comment, problems_comment, simple_comment,
};

/// Brings issue `n` of `repo` and its sub-issues in line with its plan.
/// `force` decomposes even a task that looks simple (`/vayu decompose`).
pub async fn converge<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    n: IssueNumber,
    force: bool,
) -> Result<Outcome, AppError> {
    let cfg = match load_config(&ctx.gh, repo).await? {
        Ok(cfg) => cfg,
        Err(e) => return config_broken(ctx, repo, n, &e).await,
    };
    let obs = observe(&ctx.gh, repo, n, true).await?;
    if has(&obs.parent.labels, &cfg, &LabelMeaning::Skip) {
        return Ok(Outcome::Ignored {
            why: format!("#{n} has the `{}` label", cfg.labels.skip),
        });
    }
    if !force && !has(&obs.parent.labels, &cfg, &LabelMeaning::Trigger) {
        return Ok(Outcome::Ignored {
            why: format!("#{n} does not have the `{}` label", cfg.labels.trigger),
        });
    }
    if obs.parent.state == IssueState::Closed {
        return Ok(Outcome::Ignored {
            why: format!("#{n} is closed"),
        });
    }
    let decomposed = !obs.subs.is_empty();
    let body = user_text(&obs.parent.body);
    let task_type = type_of(&obs.parent.labels, &cfg);
    // A broken repository template is left out (not silently swapped for
    // the built-in one), so a task that needs it finds no template.
    let (templates, broken) = match load_templates(&ctx.gh, repo, task_type, &ctx.templates).await?
    {
        Ok(t) => (t, None),
        Err(b) => {
            let kind = task_type.map_or("", TaskType::as_str);
            (Cow::Owned(ctx.templates.without(kind)), Some(b))
        }
    };
    let t = triage(
        &TriageInput {
            title: &obs.parent.title,
            body: &body,
            labels: &obs.parent.labels,
            task_type,
            force_decompose: force || decomposed,
        },
        &cfg,
        &templates,
    );
    // A broken repository template matters only to a task that needs it
    // (it was left out, so such a task finds no plan): one with its own
    // plan, or a simple one, goes on.
    if let Some(b) = broken
        && matches!(t, Triage::NoPlan { .. })
    {
        let problems = b
            .error
            .problems
            .iter()
            .map(|p| format!("`{}`: {p}", b.path))
            .collect();
        return rejected(
            ctx,
            repo,
            &cfg,
            obs,
            TEMPLATE_INVALID,
            problems,
            "plan_invalid",
        )
        .await;
    }
    match t {
        Triage::Simple { decision } => {
            let owner = decision
                .owner
                .or_else(|| cfg.owners.first().map(|o| o.name.clone()))
                .unwrap_or_default();
            route_simple(ctx, repo, &cfg, obs, &owner).await
        }
        Triage::NoPlan { .. } => {
            let missing = format!(
                "no ```vayu block, no task list, and no `{}<type>` label with a template",
                cfg.labels.type_prefix
            );
            if force {
                // Asked for by a command: answer it, the task itself is fine.
                return Err(UserError {
                    message: format!(
                        "#{n} has nothing to decompose: {missing}. Add one of them, then run `/vayu decompose` again."
                    ),
                }
                .into());
            }
            let problems = vec![format!("#{n} looks complex but has no plan: {missing}")];
            rejected(
                ctx,
                repo,
                &cfg,
                obs,
                "No plan found",
                problems,
                "plan_invalid",
            )
            .await
        }
        Triage::Invalid { error, source, .. } => {
            let mut problems: Vec<String> = error.problems.iter().map(|p| p.to_string()).collect();
            let title = match source {
                // Positions are in the template, not the issue: say which.
                Some(PlanSource::Template { name }) => {
                    let path = format!("{TEMPLATES_DIR}/{name}.yml");
                    let file = if matches!(templates, Cow::Owned(_)) {
                        format!("`{path}`")
                    } else {
                        format!("the built-in `{name}` template (add `{path}` to replace it)")
                    };
                    for p in &mut problems {
                        *p = format!("{file}: {p}");
                    }
                    TEMPLATE_INVALID
                }
                _ => "The plan is invalid",
            };
            rejected(ctx, repo, &cfg, obs, title, problems, "plan_invalid").await
        }
        Triage::Complex { decision, plan } => {
            let reasons = decision.reasons.iter().map(|r| r.to_string()).collect();
            apply_plan(ctx, repo, &cfg, obs, &plan, reasons).await
        }
    }
}

async fn route_simple<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    obs: Observed,
    owner: &str,
) -> Result<Outcome, AppError> {
    let owner_label = cfg.labels.owner_label(owner);
    let patch = IssuePatch {
        labels: Some(with_status(
            &obs.parent.labels,
            status_of(&obs.parent.labels, cfg)
                .filter(|s| !matches!(s, Status::Created | Status::Failed))
                .unwrap_or(Status::Queued),
            &[owner_label],
            cfg,
        )),
        ..IssuePatch::default()
    };
    let body = format!(
        "{}\n{}",
        note_marker("triage"),
        simple_comment(&SimpleCommentInput {
            owner,
            config: cfg,
            preview: false,
        })?
    );
    let was_failed = status_of(&obs.parent.labels, cfg) == Some(Status::Failed);
    let mut ex = Executor::new(ctx, repo.clone(), obs.parent, BTreeMap::new(), None);
    // Before the status changes: a crash in between must not lose the fix note.
    if was_failed {
        ex.resolve_problems().await?;
    }
    ex.run_all(&[
        Effect::PatchParent {
            patch,
            checklist: None,
        },
        Effect::Comment {
            on: Target::Parent,
            slot: "triage".into(),
            body,
            replace: true,
        },
    ])
    .await?;
    if ex.writes > 0 {
        ex.event("task_routed", json!({ "owner": owner })).await?;
    }
    super::assignment::assign_ready(ctx, repo, cfg, &mut ex, true).await?;
    record_task(ctx, repo, cfg, &ex.parent, None, None).await?;
    super::board::sync_board(ctx, repo, cfg, &ex.parent, &BTreeMap::new(), None).await?;
    Ok(Outcome::Routed {
        owner: owner.to_owned(),
        writes: ex.writes,
    })
}

/// The heading of a rejection whose problems are in a plan template.
const TEMPLATE_INVALID: &str = "The plan template is invalid";

async fn rejected<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    obs: Observed,
    title: &str,
    problems: Vec<String>,
    event: &'static str,
) -> Result<Outcome, AppError> {
    let body = problems_comment(&ProblemsInput {
        marker: &note_marker("problems"),
        title,
        intro: "vayu did not change anything. What it found:",
        problems: problems.clone(),
        fix: if title == TEMPLATE_INVALID {
            "Fix the template, then comment `/vayu replan` here (or write the plan in the issue body instead)."
        } else {
            "Edit the issue body to fix these; vayu re-reads it on every edit (or comment `/vayu replan`)."
        },
    })?;
    // A plan rejected after `/vayu decompose` gets the trigger label, so the
    // edit that fixes it re-plans; a broken config's trigger name is unknown.
    let trigger = match event {
        "config_invalid" => vec![],
        _ => vec![cfg.labels.trigger.clone()],
    };
    let patch = IssuePatch {
        labels: Some(with_status(
            &obs.parent.labels,
            Status::Failed,
            &trigger,
            cfg,
        )),
        ..IssuePatch::default()
    };
    let mut ex = Executor::new(ctx, repo.clone(), obs.parent, BTreeMap::new(), None);
    ex.run_all(&[
        Effect::Comment {
            on: Target::Parent,
            slot: PROBLEMS_SLOT.into(),
            body,
            replace: true,
        },
        Effect::PatchParent {
            patch,
            checklist: None,
        },
    ])
    .await?;
    if ex.writes > 0 {
        ex.event(event, json!({ "problems": problems })).await?;
    }
    Ok(Outcome::Rejected {
        reason: problems.join("\n"),
        writes: ex.writes,
    })
}

async fn config_broken<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    n: IssueNumber,
    e: &ConfigError,
) -> Result<Outcome, AppError> {
    let obs = observe(&ctx.gh, repo, n, false).await?;
    let problems = e.to_string().lines().map(str::to_owned).collect();
    let cfg = Config::default();
    rejected(
        ctx,
        repo,
        &cfg,
        obs,
        "The vayu configuration is invalid",
        problems,
        "config_invalid",
    )
    .await
}

async fn apply_plan<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    obs: Observed,
    plan: &Plan,
    reasons: Vec<String>,
) -> Result<Outcome, AppError> {
    let n = obs.parent.number;
    let first = obs.subs.is_empty();
    let comment = format!(
        "{}\n{}",
        note_marker("plan"),
        plan_comment(&PlanCommentInput {
            plan,
            complexity: Complexity::Complex,
            reasons,
            preview: false,
        })?
    );
    let v = verdicts(plan, &obs);
    note_closes(ctx, repo, &obs).await?;
    let report = if all_final(&v) {
        Some(completion(ctx, repo, plan, &obs).await?)
    } else {
        None
    };
    let mut effects = plan_effects(&PlanInput {
        plan,
        cfg,
        obs: &obs,
        plan_comment: &comment,
        completion: report.as_deref(),
    })?;
    let subs = obs
        .subs
        .iter()
        .map(|(k, (i, _))| (k.clone(), i.clone()))
        .collect();
    // The parent's edit goes last, after assignment, so its checklist shows
    // who took what in the same run (a redelivery then finds nothing to fix).
    let parent_edit = match effects.last() {
        Some(Effect::PatchParent { .. }) => effects.pop(),
        _ => None,
    };
    let mut ex = Executor::new(ctx, repo.clone(), obs.parent.clone(), subs, Some(plan));
    if first {
        ex.event(
            "orchestration_started",
            json!({ "plan": plan.hash, "subtasks": plan.subtasks.len() }),
        )
        .await?;
    }
    // Before the status changes: a crash in between must not lose the fix note.
    if status_of(&obs.parent.labels, cfg) == Some(Status::Failed) {
        ex.resolve_problems().await?;
    }
    ex.run_all(&effects).await?;
    super::assignment::assign_ready(ctx, repo, cfg, &mut ex, false).await?;
    if let Some(Effect::PatchParent { patch, checklist }) = parent_edit {
        let checklist = checklist.map(|c| with_assigned(cfg, &ex, c));
        ex.run(&Effect::PatchParent { patch, checklist }).await?;
    }
    let done = ex.parent.state == IssueState::Closed;
    if done && obs.parent.state == IssueState::Open {
        ex.event("orchestration_completed", json!({ "plan": plan.hash }))
            .await?;
    }
    let plan_json = serde_json::to_value(plan).map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.store
        .save_plan(repo, n, &plan.hash, &plan_json, ctx.now())
        .await?;
    record_task(ctx, repo, cfg, &ex.parent, None, None).await?;
    for (key, issue) in &ex.subs {
        record_task(ctx, repo, cfg, issue, Some(n), Some(key)).await?;
    }
    super::board::sync_board(ctx, repo, cfg, &ex.parent, &ex.subs, Some(plan)).await?;
    Ok(Outcome::Planned {
        subtasks: plan.subtasks.len(),
        writes: ex.writes,
        completed: done,
    })
}

/// The checklist with each ready subtask's status as its sub-issue shows it
/// now (`assigned` once an agent took it).
fn with_assigned<G, S>(
    cfg: &Config,
    ex: &Executor<'_, G, S>,
    checklist: Vec<(TaskKey, Option<Status>)>,
) -> Vec<(TaskKey, Option<Status>)> {
    checklist
        .into_iter()
        .map(|(key, status)| {
            let now = ex.subs.get(&key).and_then(|i| status_of(&i.labels, cfg));
            match (status, now) {
                (
                    Some(Status::Queued | Status::Assigned),
                    Some(s @ (Status::Queued | Status::Assigned)),
                ) => (key, Some(s)),
                _ => (key, status),
            }
        })
        .collect()
}

/// Remembers when each closed sub-issue was first seen closed (for the
/// completion report's durations) and announces it once.
async fn note_closes<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    obs: &Observed,
) -> Result<(), AppError> {
    let n = obs.parent.number;
    for (key, ended) in obs.ended() {
        let outcome = match ended {
            super::assess::Ended::Completed => "completed",
            super::assess::Ended::NotPlanned => "not_planned",
        };
        let closed_key = format!("{repo}#{n}/{key}/closed");
        let fresh = ctx
            .store
            .record_effect(&closed_key, &json!({ "outcome": outcome }), ctx.now())
            .await?;
        if fresh {
            let issue = obs.subs.get(&key).map(|(i, _)| i.number.0);
            ctx.store
                .append_event(&super::ports::LedgerEvent {
                    ts: ctx.now(),
                    kind: "subtask_completed",
                    repo: repo.clone(),
                    issue: n,
                    data: json!({ "key": key, "issue": issue, "outcome": outcome }),
                })
                .await?;
        }
    }
    Ok(())
}

async fn completion<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    plan: &Plan,
    obs: &Observed,
) -> Result<String, AppError> {
    let n = obs.parent.number;
    let mut rows = Vec::new();
    for s in &plan.subtasks {
        let Some((issue, _)) = obs.subs.get(&s.key) else {
            continue;
        };
        let created = ctx
            .store
            .effect_done(&format!("{repo}#{n}/{}/create", s.key))
            .await?;
        let closed = ctx
            .store
            .effect_done(&format!("{repo}#{n}/{}/closed", s.key))
            .await?;
        let minutes = match (created, closed) {
            (Some(a), Some(b)) => Some((b.done_at - a.done_at).num_minutes()),
            _ => None,
        };
        rows.push(CompletionRow {
            title: s.title.clone(),
            issue: issue.number,
            completed: obs.ended().get(&s.key) == Some(&super::assess::Ended::Completed),
            minutes,
            retries: 0,
        });
    }
    Ok(completion_report(&note_marker("completion"), &rows)?)
}

async fn record_task<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    now: &Issue,
    parent: Option<IssueNumber>,
    key: Option<&TaskKey>,
) -> Result<(), AppError> {
    let labels = &now.labels;
    ctx.store
        .upsert_task(&TaskRecord {
            repo: repo.clone(),
            issue: now.number,
            parent,
            key: key.cloned(),
            task_type: type_of(labels, cfg).unwrap_or(TaskType::Feature),
            priority: super::labels::priority_of(labels, cfg).unwrap_or_default(),
            // The agent holding it, as GitHub's assignees say (the CLI's workload).
            owner: now.assignees.first().cloned(),
            status: status_of(labels, cfg).unwrap_or(Status::Created),
            updated_at: ctx.now(),
        })
        .await?;
    Ok(())
}
