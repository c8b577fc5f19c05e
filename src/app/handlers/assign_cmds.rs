//! `/vayu claim`, `unclaim`, `bid <minutes>`, `away` and `back`: the
//! agent's side of assignment; and `/vayu assign <owner>`, which moves a
//! task to another owner domain. Each checks the task's state and the agent's
//! capability and availability (core::assign) before changing anything.

use std::collections::BTreeMap;

use serde_json::json;

use super::commands::Reply;
use crate::app::assignment::{
    ASSIGNMENT_SLOT, Which, agent_states, announcement, assign_effects, auction_key, bid_key,
    closes_at, need_of, patch_effect, set_away, unclaimed_key,
};
use crate::app::auction_state::{AuctionState, read_state, state_lines};
use crate::app::converge::converge;
use crate::app::ctx::Ctx;
use crate::app::effects::{Effect, Executor, Target, note_marker};
use crate::app::error::{AppError, UserError};
use crate::app::event::{Comment, Issue as EventIssue, Origin};
use crate::app::labels::{status_of, with_status};
use crate::app::ports::{GitHub, Issue, IssuePatch, Ledger};
use crate::core::assign::{self, Bid, check_bid};
use crate::core::config::{Config, LabelMeaning};
use crate::core::ids::{Login, RepoName};
use crate::core::marker::find_task;
use crate::core::task::Status;
use crate::render::notice;

fn user(message: String) -> AppError {
    UserError { message }.into()
}

/// The issue as GitHub has it now, refused unless it is a queued, unassigned task.
async fn queued_task<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    repo: &RepoName,
    issue: &EventIssue,
    verb: &str,
) -> Result<Issue, AppError> {
    let fresh = ctx.gh.get_issue(repo, issue.number).await?;
    let n = fresh.number;
    match status_of(&fresh.labels, cfg) {
        None => Err(user(format!(
            "#{n} is not a vayu task (it has no status label), so there is nothing to {verb}."
        ))),
        Some(Status::Queued) if fresh.assignees.is_empty() => Ok(fresh),
        Some(s) => {
            let held = match fresh.assignees.first() {
                Some(a) => format!(" It is held by `{a}`, who can `/vayu unclaim` it."),
                None => String::new(),
            };
            Err(user(format!(
                "#{n} is `{s}`: only a `queued` task without an assignee can be {verb}ed.{held}"
            )))
        }
    }
}

/// Re-converges the plan the issue belongs to (or the simple task itself),
/// so checklists follow and a given-back task finds its next agent.
pub(super) async fn settle<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
) -> Result<(), AppError> {
    let n = find_task(&issue.body).map_or(issue.number, |m| m.parent);
    // Boxed: converge's future is large, and the command futures that end
    // here would otherwise each carry a copy on the worker's stack.
    Box::pin(converge(ctx, repo, n, false)).await?;
    Ok(())
}

/// `/vayu claim`: the commenter takes a queued task it is capable of.
pub(super) async fn claim<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &EventIssue,
    comment: &Comment,
) -> Result<Reply, AppError> {
    let repo = &origin.repo;
    let fresh = queued_task(ctx, cfg, repo, issue, "claim").await?;
    let states = agent_states(ctx, repo, cfg).await?;
    let need = need_of(&ctx.store, repo, cfg, &fresh).await?;
    let login = comment.author.login.as_str();
    let d =
        assign::claim(&cfg.assignment, &need, &states, login).map_err(|e| user(e.to_string()))?;
    let mut ex = Executor::new(ctx, repo.clone(), fresh.clone(), BTreeMap::new(), None);
    let fx = assign_effects(
        cfg,
        &Which::Parent,
        &fresh,
        &d,
        "Claimed with `/vayu claim`.",
        &[],
    )?;
    ex.run_all(&fx).await?;
    ex.event(
        "task_assigned",
        json!({ "issue": fresh.number.0, "agents": d.logins(), "method": d.method, "why": d.explanation() }),
    )
    .await?;
    settle(ctx, repo, &ex.parent).await?;
    Ok(Reply::Done)
}

/// `/vayu unclaim`: an assignee gives a task back before starting it.
pub(super) async fn unclaim<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &EventIssue,
    comment: &Comment,
) -> Result<Reply, AppError> {
    let repo = &origin.repo;
    let fresh = ctx.gh.get_issue(repo, issue.number).await?;
    let login = &comment.author.login;
    let n = fresh.number;
    if !fresh
        .assignees
        .iter()
        .any(|a| a.as_str().eq_ignore_ascii_case(login.as_str()))
    {
        return Err(user(format!(
            "`{login}` is not assigned to #{n}, so there is nothing to give back. A maintainer can use `/vayu assign @user`."
        )));
    }
    if status_of(&fresh.labels, cfg) != Some(Status::Assigned) {
        return Err(user(format!(
            "#{n} is not `assigned` any more (work has started or ended): `/vayu pause` or `/vayu cancel` it instead."
        )));
    }
    ctx.store
        .record_effect(
            &unclaimed_key(repo, n, login.as_str()),
            &json!({}),
            ctx.now(),
        )
        .await?;
    let keep: Vec<Login> = fresh
        .assignees
        .iter()
        .filter(|a| !a.as_str().eq_ignore_ascii_case(login.as_str()))
        .cloned()
        .collect();
    let patch = IssuePatch {
        labels: Some(with_status(&fresh.labels, Status::Queued, &[], cfg)),
        assignees: Some(keep),
        ..IssuePatch::default()
    };
    let text = format!(
        "### Assignment\n\n`{login}` gave this task back with `/vayu unclaim`; it is queued again."
    );
    let event = json!({ "issue": n.0, "by": login });
    reassigned(ctx, repo, fresh, patch, &text, ("task_unclaimed", event)).await
}

/// Applies an assignment change to the task itself, says why in its
/// assignment note, records `event`, and lets the plan find the next agent.
async fn reassigned<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    fresh: Issue,
    patch: IssuePatch,
    text: &str,
    (kind, data): (&'static str, serde_json::Value),
) -> Result<Reply, AppError> {
    let body = notice(&note_marker(ASSIGNMENT_SLOT), text)?;
    let mut ex = Executor::new(ctx, repo.clone(), fresh, BTreeMap::new(), None);
    ex.run_all(&[
        patch_effect(&Which::Parent, patch, kind),
        Effect::Comment {
            on: Target::Parent,
            slot: ASSIGNMENT_SLOT.into(),
            body,
            replace: true,
        },
    ])
    .await?;
    ex.event(kind, data).await?;
    settle(ctx, repo, &ex.parent).await?;
    Ok(Reply::Done)
}

/// `/vayu bid <minutes>`: an offer in the task's open auction.
pub(super) async fn bid<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &EventIssue,
    comment: &Comment,
    minutes: u32,
) -> Result<Reply, AppError> {
    let repo = &origin.repo;
    let fresh = queued_task(ctx, cfg, repo, issue, "bid on").await?;
    let n = fresh.number;
    let posted = announcement(ctx, repo, n).await?;
    let on_github = posted.as_ref().and_then(|c| read_state(&c.body));
    let closes = match ctx.store.effect_done(&auction_key(repo, n)).await? {
        Some(open) => closes_at(&open.result),
        // A run without this ledger (the Action's) reads the announcement.
        None => match &on_github {
            Some(s) => Some(s.closes),
            None => {
                return Err(user(format!(
                    "No auction is open on #{n}: tasks are auctioned when `assignment.strategy` is `auction`."
                )));
            }
        },
    };
    if let Some(at) = closes.filter(|at| ctx.now() >= *at) {
        return Err(user(format!(
            "The auction on #{n} closed at {}; bids are no longer taken.",
            at.to_rfc3339()
        )));
    }
    let states = agent_states(ctx, repo, cfg).await?;
    let need = need_of(&ctx.store, repo, cfg, &fresh).await?;
    let login = comment.author.login.as_str();
    check_bid(&cfg.assignment, &need, &states, login).map_err(|e| user(e.to_string()))?;
    let bid_before = |s: &AuctionState| {
        s.bids
            .iter()
            .any(|b| b.login.eq_ignore_ascii_case(login) && b.order != comment.id.0)
    };
    let fresh_bid = !on_github.as_ref().is_some_and(bid_before)
        && ctx
            .store
            .record_effect(
                &bid_key(repo, n, login),
                &json!({ "minutes": minutes, "order": comment.id.0 }),
                ctx.now(),
            )
            .await?;
    if !fresh_bid {
        return Err(user(format!(
            "`{login}` already bid on #{n}; a first bid is final."
        )));
    }
    if let (Some(c), Some(state)) = (posted, on_github) {
        record_on_announcement(ctx, repo, c, state, login, minutes, comment.id.0).await?;
    }
    let ex = Executor::new(ctx, repo.clone(), fresh, BTreeMap::new(), None);
    ex.event(
        "bid_received",
        json!({ "issue": n.0, "by": login, "minutes": minutes }),
    )
    .await?;
    Ok(Reply::Done)
}

/// Adds a bid to the auction's announcement, where runs without this
/// ledger (the Action's) find it at the close.
async fn record_on_announcement<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    c: crate::app::ports::Comment,
    mut state: AuctionState,
    login: &str,
    minutes: u32,
    order: u64,
) -> Result<(), AppError> {
    if state.bids.iter().any(|b| b.order == order) {
        return Ok(());
    }
    state.bids.push(Bid {
        login: login.to_owned(),
        minutes,
        order,
    });
    let visible: Vec<&str> = c
        .body
        .lines()
        .filter(|l| !l.starts_with("<!-- vayu:auction ") && !l.starts_with("<!-- vayu:bid "))
        .collect();
    let body = format!("{}\n{}", visible.join("\n").trim_end(), state_lines(&state));
    ctx.gh.update_comment(repo, c.id, &body).await?;
    Ok(())
}

/// `/vayu away` and `/vayu back`: the commenter's availability. Going away
/// hands its not-yet-started tasks to other agents.
pub(super) async fn availability<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    comment: &Comment,
    away: bool,
) -> Result<Reply, AppError> {
    let repo = &origin.repo;
    let login = &comment.author.login;
    let Some(agent) = cfg.assignment.agent(login.as_str()) else {
        return Err(user(format!(
            "`{login}` is not an agent in `assignment.agents`, so it has no availability to change."
        )));
    };
    if !set_away(ctx, repo, &agent.login, away).await? {
        return Ok(Reply::Done);
    }
    if away {
        let held = ctx.gh.list_assigned_issues(repo, login, 1).await?;
        for i in held.items {
            if status_of(&i.labels, cfg) == Some(Status::Assigned) {
                settle(ctx, repo, &i).await?;
            }
        }
    }
    Ok(Reply::Done)
}

/// `/vayu assign <owner>`: a task that has not started moves to another
/// owner domain (its owner label). An agent already given it lets go, and
/// assignment then picks one of the new domain, as for any ready task.
pub(super) async fn assign_owner<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    issue: &EventIssue,
    comment: &Comment,
    owner: &str,
) -> Result<Reply, AppError> {
    let repo = &origin.repo;
    let Some(owner) = cfg
        .owners
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(owner))
        .map(|o| o.name.clone())
    else {
        let known: Vec<String> = cfg.owners.iter().map(|o| format!("`{}`", o.name)).collect();
        return Err(user(format!(
            "`{owner}` is not an owner in `.github/vayu.yml`; the owners are {}.",
            known.join(", ")
        )));
    };
    let fresh = ctx.gh.get_issue(repo, issue.number).await?;
    let n = fresh.number;
    let status = match status_of(&fresh.labels, cfg) {
        None => {
            return Err(user(format!(
                "#{n} is not a vayu task (it has no status label), so it has no owner to change."
            )));
        }
        Some(s @ (Status::Queued | Status::Assigned | Status::Blocked)) => s,
        Some(s) => {
            return Err(user(format!(
                "#{n} is `{s}`: only a task that has not started (`queued`, `assigned` or `blocked`) changes owner."
            )));
        }
    };
    let was = fresh
        .labels
        .iter()
        .find_map(|l| match cfg.labels.parse_label(l) {
            Some(LabelMeaning::Owner(o)) => Some(o),
            _ => None,
        });
    let mut labels: Vec<String> = fresh
        .labels
        .iter()
        .filter(|l| !matches!(cfg.labels.parse_label(l), Some(LabelMeaning::Owner(_))))
        .cloned()
        .collect();
    labels.push(cfg.labels.owner_label(&owner));
    let let_go = status == Status::Assigned;
    let patch = IssuePatch {
        labels: Some(if let_go {
            with_status(&labels, Status::Queued, &[], cfg)
        } else {
            labels
        }),
        assignees: let_go.then(Vec::new),
        ..IssuePatch::default()
    };
    let by = &comment.author.login;
    let text = format!(
        "### Assignment\n\n`{by}` moved this task to `{owner}` with `/vayu assign`{}.",
        if let_go {
            "; it is queued for an agent of that domain"
        } else {
            ""
        }
    );
    let event = json!({ "issue": n.0, "from": was, "to": owner, "by": by });
    reassigned(ctx, repo, fresh, patch, &text, ("owner_changed", event)).await
}
