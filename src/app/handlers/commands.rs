//! Running one permitted `/vayu` command: previews and status answer with a
//! comment, `decompose`/`replan` converge the plan, lifecycle verbs go
//! through `core::lifecycle` and change labels, assignees or state.

use serde_json::json;

use super::comments::reply_slot;
use crate::app::converge::converge;
use crate::app::ctx::Ctx;
use crate::app::effects::{Effect, Executor, Target, note_marker};
use crate::app::error::{AppError, UserError};
use crate::app::event::{Comment, Issue, Origin};
use crate::app::labels::{has, status_of, type_of, with_status};
use crate::app::observe::observe;
use crate::app::outcome::Outcome;
use crate::app::ports::{GitHub, IssuePatch, IssueState, Ledger, StateReason};
use crate::core::command::{AssignTarget, Command, Parsed, VERBS, Verdict};
use crate::core::config::{Config, LabelMeaning};
use crate::core::ids::{Login, TaskId};
use crate::core::lifecycle::{self, CloseReason, LifecycleEvent};
use crate::core::marker::escape_user_text;
use crate::core::task::{
    AssignmentMethod, Complexity, Requester, RequesterKind, Status, Task, TaskType,
};
use crate::core::triage::{Triage, TriageInput, triage};
use crate::render::{
    HelpRow, PlanCommentInput, SimpleCommentInput, StatusRow, help_comment, plan_comment,
    simple_comment, status_comment,
};

/// How a command was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// It changed something: acknowledge with 👍.
    Done,
    /// It answered with a comment already.
    Said,
}

/// Runs `cmd` (already permitted) written in `comment` on `issue`.
pub async fn run_command<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &Issue,
    comment: &Comment,
    p: &Parsed,
    cmd: &Command,
) -> Result<Reply, AppError> {
    let repo = &origin.repo;
    let say = |body: String| Effect::Comment {
        on: Target::Parent,
        slot: reply_slot(comment, p),
        body,
        replace: false,
    };
    let marker = note_marker(&reply_slot(comment, p));
    match cmd {
        Command::Help => {
            let rows: Vec<HelpRow> = VERBS
                .iter()
                .map(|v| HelpRow {
                    usage: v.usage(),
                    help: v.help.to_owned(),
                    who: format!("{} or above", cfg.permissions.required(v.verb)),
                })
                .collect();
            let body = help_comment(&marker, &rows)?;
            answer(ctx, origin, issue, say(body)).await
        }
        Command::Plan => {
            let body = preview(ctx, cfg, origin, issue, &marker).await?;
            answer(ctx, origin, issue, say(body)).await
        }
        Command::Status => {
            let body = status(ctx, cfg, origin, issue, &marker).await?;
            answer(ctx, origin, issue, say(body)).await
        }
        Command::Decompose | Command::Replan => {
            match converge(ctx, repo, issue.number, true).await? {
                Outcome::Rejected { .. } => Ok(Reply::Said),
                _ => Ok(Reply::Done),
            }
        }
        // Without declared agents anyone with the permission may take a task,
        // as before assignment existed: the lifecycle verb does it.
        Command::Claim | Command::Unclaim if cfg.assignment.agents.is_empty() => {
            lifecycle_command(ctx, cfg, origin, issue, comment, cmd).await
        }
        // Boxed so one command's future does not carry every other's.
        Command::Claim => {
            Box::pin(super::assign_cmds::claim(ctx, cfg, origin, issue, comment)).await
        }
        Command::Unclaim => {
            Box::pin(super::assign_cmds::unclaim(
                ctx, cfg, origin, issue, comment,
            ))
            .await
        }
        Command::Bid { minutes } => {
            Box::pin(super::assign_cmds::bid(
                ctx, cfg, origin, issue, comment, *minutes,
            ))
            .await
        }
        Command::Away => {
            Box::pin(super::assign_cmds::availability(
                ctx, cfg, origin, comment, true,
            ))
            .await
        }
        Command::Back => {
            Box::pin(super::assign_cmds::availability(
                ctx, cfg, origin, comment, false,
            ))
            .await
        }
        Command::Review { verdict, reason } => {
            Box::pin(super::review::command(
                ctx,
                cfg,
                origin,
                issue,
                comment,
                *verdict,
                reason.as_deref(),
            ))
            .await
        }
        Command::Assign(AssignTarget::Owner(owner)) => {
            Box::pin(super::assign_cmds::assign_owner(
                ctx, cfg, origin, issue, comment, owner,
            ))
            .await
        }
        _ => lifecycle_command(ctx, cfg, origin, issue, comment, cmd).await,
    }
}

async fn answer<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    origin: &Origin,
    issue: &Issue,
    effect: Effect,
) -> Result<Reply, AppError> {
    let mut ex = Executor::new(
        ctx,
        origin.repo.clone(),
        crate::app::convert::issue_from_event(issue),
        Default::default(),
        None,
    );
    ex.run(&effect).await?;
    Ok(Reply::Said)
}

/// The comment `/vayu plan` posts: what `decompose` would do, changing nothing.
async fn preview<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &Issue,
    marker: &str,
) -> Result<String, AppError> {
    let fresh = ctx.gh.get_issue(&origin.repo, issue.number).await?;
    let body = crate::app::labels::user_text(&fresh.body);
    let t = triage(
        &TriageInput {
            title: &fresh.title,
            body: &body,
            labels: &fresh.labels,
            task_type: type_of(&fresh.labels, cfg),
            force_decompose: false,
        },
        cfg,
        &ctx.templates,
    );
    let text = match t {
        Triage::Complex { decision, plan } => plan_comment(&PlanCommentInput {
            plan: &plan,
            complexity: Complexity::Complex,
            reasons: decision.reasons.iter().map(|r| r.to_string()).collect(),
            preview: true,
        })?,
        Triage::Simple { decision } => simple_comment(&SimpleCommentInput {
            owner: decision.owner.as_deref().unwrap_or("development"),
            config: cfg,
            preview: true,
        })?,
        Triage::NoPlan { .. } => {
            "### Plan preview\n\nThis task looks complex but has no plan: add a ```vayu block, a task list, or a `type:` label with a template.".to_owned()
        }
        Triage::Invalid { error, .. } => {
            let lines: Vec<String> = error
                .problems
                .iter()
                .map(|p| format!("- {}", escape_user_text(&p.to_string())))
                .collect();
            format!("### Plan preview: the plan is invalid\n\n{}", lines.join("\n"))
        }
    };
    Ok(format!("{marker}\n{text}"))
}

async fn status<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &Issue,
    marker: &str,
) -> Result<String, AppError> {
    let obs = observe(&ctx.gh, &origin.repo, issue.number, false).await?;
    let rows: Vec<StatusRow> = obs
        .subs
        .values()
        .map(|(i, _)| StatusRow {
            title: i.title.clone(),
            issue: i.number,
            status: crate::app::labels::state_word(i, cfg),
        })
        .collect();
    let own = status_of(&obs.parent.labels, cfg).map_or("none".into(), |s| s.to_string());
    Ok(status_comment(marker, &own, &rows)?)
}

/// A lifecycle verb on the commented issue (and, for `cancel`, its open sub-issues).
async fn lifecycle_command<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &Issue,
    comment: &Comment,
    cmd: &Command,
) -> Result<Reply, AppError> {
    let user = comment.author.login.clone();
    let event = match cmd {
        Command::Start => LifecycleEvent::Start,
        Command::Pause => LifecycleEvent::Pause { reason: None },
        Command::Resume => LifecycleEvent::Resume,
        Command::Retry => LifecycleEvent::Retry,
        Command::Cancel => LifecycleEvent::Cancel {
            reason: Some(format!("cancelled by @{user}")),
        },
        Command::Claim => LifecycleEvent::Assign {
            agent: user.clone(),
            method: AssignmentMethod::Claimed,
        },
        Command::Assign(AssignTarget::User(login)) => LifecycleEvent::Assign {
            agent: login.clone(),
            method: AssignmentMethod::Assigned,
        },
        Command::Unclaim => LifecycleEvent::Reassign,
        Command::Review { verdict, reason } => match verdict {
            Verdict::Pass => LifecycleEvent::ReviewPass {
                reviewer: Some(user.clone()),
            },
            Verdict::Fail => LifecycleEvent::ReviewFail {
                reviewer: Some(user.clone()),
                feedback: reason.clone().unwrap_or_else(|| "no reason given".into()),
            },
        },
        other => {
            return Err(AppError::Internal(format!(
                "`{}` reached the lifecycle dispatcher",
                other.verb()
            )));
        }
    };
    let obs = observe(&ctx.gh, &origin.repo, issue.number, false).await?;
    let mut task = Task::new(
        TaskId(format!("{}#{}", origin.repo, issue.number)),
        obs.parent.title.clone(),
        type_of(&obs.parent.labels, cfg).unwrap_or(TaskType::Feature),
        Requester {
            kind: RequesterKind::Human,
            id: user.to_string(),
            context: None,
        },
        ctx.now(),
    );
    task.status = status_of(&obs.parent.labels, cfg).unwrap_or(Status::Queued);
    if task.status == Status::Blocked && has(&obs.parent.labels, cfg, &LabelMeaning::Escalated) {
        // The label is where GitHub keeps the escalation; the lifecycle reads
        // it from the reason, so `/vayu retry` may grant a fresh budget.
        task.status_reason = Some(
            lifecycle::BlockReason::Escalated {
                failures: task.metadata.max_retries + 1,
                reason: "retries spent".into(),
            }
            .to_string(),
        );
    }
    task.assignment.primary_agent = obs.parent.assignees.first().cloned();
    let t = lifecycle::transition(&task, &event, ctx.now()).map_err(|e| UserError {
        message: e.to_string(),
    })?;
    let mut patch = IssuePatch::default();
    let mut assignees: Vec<Login> = obs.parent.assignees.clone();
    for e in &t.effects {
        match e {
            lifecycle::Effect::SetStatusLabel(s) => {
                patch.labels = Some(with_status(&obs.parent.labels, *s, &[], cfg));
            }
            lifecycle::Effect::CloseIssue { reason } => {
                patch.state = Some(IssueState::Closed);
                patch.state_reason = Some(match reason {
                    CloseReason::Completed => StateReason::Completed,
                    CloseReason::NotPlanned => StateReason::NotPlanned,
                });
            }
            lifecycle::Effect::AddAssignee(l) if !assignees.contains(l) => {
                assignees.push(l.clone())
            }
            lifecycle::Effect::RemoveAssignee(l) => assignees.retain(|a| a != l),
            // Comments collapse into the 👍; dispatch and retries belong to the job runner.
            _ => {}
        }
    }
    if assignees != obs.parent.assignees {
        patch.assignees = Some(assignees);
    }
    let subs = obs
        .subs
        .iter()
        .map(|(k, (i, _))| (k.clone(), i.clone()))
        .collect();
    let mut ex = Executor::new(ctx, origin.repo.clone(), obs.parent.clone(), subs, None);
    let mut effects = Vec::new();
    if t.to == Status::Cancelled {
        for (key, (sub, _)) in &obs.subs {
            if sub.state == IssueState::Open {
                effects.push(Effect::PatchSub {
                    key: key.clone(),
                    patch: IssuePatch {
                        state: Some(IssueState::Closed),
                        state_reason: Some(StateReason::NotPlanned),
                        labels: Some(with_status(&sub.labels, Status::Cancelled, &[], cfg)),
                        ..IssuePatch::default()
                    },
                    why: "close".into(),
                });
            }
        }
    }
    effects.push(Effect::PatchParent {
        patch,
        checklist: None,
    });
    ex.run_all(&effects).await?;
    crate::app::board::sync_board(ctx, &origin.repo, cfg, &ex.parent, &ex.subs, None).await?;
    ex.event(
        "task_transition",
        json!({ "from": t.from, "to": t.to, "by": user, "command": cmd.verb() }),
    )
    .await?;
    Ok(Reply::Done)
}
