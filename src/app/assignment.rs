//! Assignment in the orchestrator: gathers what `core::assign` needs from
//! GitHub (each agent's open assigned tasks) and the ledger (away status,
//! auctions, bids, give-backs), and turns decisions into effects: assignee,
//! `status:assigned` and a comment that explains the choice.
//!
//! Runs after every converge for the tasks that are ready and unassigned,
//! so a redelivered event finds nothing left to decide and writes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

use super::auction_state::{AuctionState, first_per_agent, read_state, state_lines};
use super::ctx::Ctx;
use super::effects::{Effect, Executor, Target, note_marker};
use super::error::AppError;
use super::labels::{priority_of, status_of, with_status};
use super::ports::{GitHub, Issue, IssuePatch, IssueState, Ledger};
use crate::core::assign::{
    AgentState, Bid, Decision, Held, Mode, NoAgent, States, TaskNeed, auction, evaluate,
    failover_needed, mode_for, push, weight_of_body,
};
use crate::core::command::{Command, parse_comment};
use crate::core::config::{Config, LabelMeaning};
use crate::core::ids::{IssueNumber, Login, RepoName, TaskKey};
use crate::core::report::paces;
use crate::core::task::Status;
use crate::render::{assignment_comment, auction_comment, claimable_comment, notice};

/// The comment slot of the assignment explanation.
pub const ASSIGNMENT_SLOT: &str = "assignment";
/// Pages of assigned issues read per agent; beyond this the agent is busy anyway.
const MAX_PAGES: u32 = 5;

/// History entries read for the agents' paces: the recent past, bounded.
const PACE_HISTORY: u32 = 5_000;
/// Availability changes kept per agent; a longer log is not read further.
const MAX_AWAY_LOG: u32 = 10_000;

/// Which issue an assignment is about, in executor terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// The executor's parent (a simple task, or the issue a command is on).
    Parent,
    /// A sub-issue of the executor's parent.
    Sub(TaskKey),
}

impl Which {
    fn target(&self) -> Target {
        match self {
            Which::Parent => Target::Parent,
            Which::Sub(k) => Target::Sub(k.clone()),
        }
    }
}

fn away_key(repo: &RepoName, login: &str, i: u32) -> String {
    format!("{repo}/agent/{}/away/{i}", login.to_ascii_lowercase())
}

/// How many times `login` changed availability: odd means away. The ledger
/// keeps it as an append-only log, so concurrent toggles cannot lose one.
async fn away_changes<S: Ledger>(store: &S, repo: &RepoName, login: &str) -> Result<u32, AppError> {
    let mut i = 0;
    while i < MAX_AWAY_LOG
        && store
            .effect_done(&away_key(repo, login, i))
            .await?
            .is_some()
    {
        i += 1;
    }
    Ok(i)
}

/// Whether `login` is marked away in `repo`.
pub async fn is_away<S: Ledger>(store: &S, repo: &RepoName, login: &str) -> Result<bool, AppError> {
    Ok(away_changes(store, repo, login).await? % 2 == 1)
}

/// Marks `login` away or back; false when it already was.
pub async fn set_away<G, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    login: &str,
    away: bool,
) -> Result<bool, AppError> {
    let n = away_changes(&ctx.store, repo, login).await?;
    if (n % 2 == 1) == away {
        return Ok(false);
    }
    ctx.store
        .record_effect(
            &away_key(repo, login, n),
            &json!({ "away": away }),
            ctx.now(),
        )
        .await?;
    Ok(true)
}

/// Who said they are away (`/vayu away`) or back (`/vayu back`), by the
/// newest such command of each author among `comments` (any order).
pub fn away_said(comments: &[super::ports::Comment]) -> BTreeMap<String, bool> {
    let mut newest: Vec<&super::ports::Comment> = comments.iter().collect();
    newest.sort_by_key(|c| std::cmp::Reverse(c.id.0));
    let mut said = BTreeMap::new();
    for c in newest {
        let last = parse_comment(&c.body)
            .into_iter()
            .rev()
            .find_map(|p| match p.result {
                Ok(Command::Away) => Some(true),
                Ok(Command::Back) => Some(false),
                _ => None,
            });
        if let Some(away) = last {
            said.entry(c.user.as_str().to_ascii_lowercase())
                .or_insert(away);
        }
    }
    said
}

/// Every configured agent's away status and open vayu tasks (GitHub assignees).
pub async fn agent_states<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
) -> Result<States, AppError> {
    let mut states = States::new();
    let paces = paces(&ctx.store.task_history(repo, PACE_HISTORY).await?);
    // A run without the server's ledger sees `/vayu away` and `back` in the
    // repository's newest comments instead.
    let said = if ctx.scratch_ledger {
        Some(away_said(&ctx.gh.recent_comments(repo).await?))
    } else {
        None
    };
    for a in &cfg.assignment.agents {
        let away = match &said {
            Some(said) => said
                .get(&a.login.to_ascii_lowercase())
                .copied()
                .unwrap_or(false),
            None => is_away(&ctx.store, repo, &a.login).await?,
        };
        let mut st = AgentState {
            away,
            pace: paces.get(&a.login.to_ascii_lowercase()).copied(),
            ..AgentState::default()
        };
        // A team is not an assignee on GitHub; its load is not visible there.
        if !a.team {
            let login = Login(a.login.clone());
            let mut page = Some(1);
            while let Some(p) = page.filter(|p| *p <= MAX_PAGES) {
                let got = ctx.gh.list_assigned_issues(repo, &login, p).await?;
                for i in got.items.iter().filter(|i| !i.is_pull_request) {
                    if status_of(&i.labels, cfg).is_some_and(|s| !s.is_terminal()) {
                        st.held.push(Held {
                            weight: weight_of_body(&i.body),
                        });
                    }
                }
                page = got.next;
            }
        }
        states.insert(a.login.to_ascii_lowercase(), st);
    }
    Ok(states)
}

/// What an issue's labels ask of an agent; `exclude` are agents that gave it back.
pub async fn need_of<S: Ledger>(
    store: &S,
    repo: &RepoName,
    cfg: &Config,
    issue: &Issue,
) -> Result<TaskNeed, AppError> {
    let owner = issue
        .labels
        .iter()
        .find_map(|l| match cfg.labels.parse_label(l) {
            Some(LabelMeaning::Owner(o)) => Some(o),
            _ => None,
        });
    let mut need = TaskNeed::new(owner.as_deref());
    need.priority = priority_of(&issue.labels, cfg).unwrap_or_default();
    for a in &cfg.assignment.agents {
        if store
            .effect_done(&unclaimed_key(repo, issue.number, &a.login))
            .await?
            .is_some()
        {
            need.exclude.insert(a.login.to_ascii_lowercase());
        }
    }
    Ok(need)
}

/// The ledger key that remembers `login` gave issue `n` back.
pub fn unclaimed_key(repo: &RepoName, n: IssueNumber, login: &str) -> String {
    format!("{repo}#{n}/unclaimed/{}", login.to_ascii_lowercase())
}

/// The ledger key of the auction on issue `n`.
pub fn auction_key(repo: &RepoName, n: IssueNumber) -> String {
    format!("{repo}#{n}/auction")
}

/// The ledger key of `login`'s bid on issue `n`.
pub fn bid_key(repo: &RepoName, n: IssueNumber, login: &str) -> String {
    format!("{repo}#{n}/bid/{}", login.to_ascii_lowercase())
}

/// When the auction recorded under `done` closes.
pub fn closes_at(result: &Value) -> Option<DateTime<Utc>> {
    result
        .get("closes_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// The effects that give `issue` to the decision's agents and explain why.
pub fn assign_effects(
    cfg: &Config,
    which: &Which,
    issue: &Issue,
    d: &Decision,
    how: &str,
    bids: &[(String, u32)],
) -> Result<Vec<Effect>, AppError> {
    let mut patch = IssuePatch {
        labels: Some(with_status(&issue.labels, Status::Assigned, &[], cfg)),
        ..IssuePatch::default()
    };
    if cfg.assignment.assign_issues {
        let people: Vec<Login> = d
            .logins()
            .into_iter()
            .filter(|l| cfg.assignment.agent(l).is_some_and(|a| !a.team))
            .map(Login)
            .collect();
        patch.assignees = Some(people);
    }
    let body = assignment_comment(&note_marker(ASSIGNMENT_SLOT), d, how, bids)?;
    Ok(vec![
        patch_effect(which, patch, "assign"),
        Effect::Comment {
            on: which.target(),
            slot: ASSIGNMENT_SLOT.into(),
            body,
            replace: true,
        },
    ])
}

/// A patch of the issue `which` names.
pub fn patch_effect(which: &Which, patch: IssuePatch, why: &str) -> Effect {
    match which {
        Which::Parent => Effect::PatchParent {
            patch,
            checklist: None,
        },
        Which::Sub(key) => Effect::PatchSub {
            key: key.clone(),
            patch,
            why: why.into(),
        },
    }
}

/// Decides for every ready, unassigned task the executor holds (its open
/// sub-issues, or the parent itself when `parent_too`), and moves tasks off
/// agents that are away. Reads agent loads only when something is to decide.
pub async fn assign_ready<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    ex: &mut Executor<'_, G, S>,
    parent_too: bool,
) -> Result<(), AppError> {
    if cfg.assignment.agents.is_empty() {
        return Ok(());
    }
    let mut todo: Vec<(Which, Issue)> = ex
        .subs
        .iter()
        .map(|(k, i)| (Which::Sub(k.clone()), i.clone()))
        .collect();
    if parent_too {
        todo.push((Which::Parent, ex.parent.clone()));
    }
    todo.retain(|(_, i)| {
        i.state == IssueState::Open
            && matches!(
                status_of(&i.labels, cfg),
                Some(Status::Queued | Status::Assigned)
            )
    });
    if todo.is_empty() {
        return Ok(());
    }
    let mut states: Option<States> = None;
    for (which, issue) in todo {
        // A held task (assigned, or queued again after a failure) stays with
        // its agent unless that agent went away.
        if !issue.assignees.is_empty() {
            let Some(holder) = issue.assignees.first() else {
                continue;
            };
            if !cfg
                .assignment
                .agents
                .iter()
                .any(|a| a.login.eq_ignore_ascii_case(holder.as_str()))
            {
                continue;
            }
            if states.is_none() {
                states = Some(agent_states(ctx, repo, cfg).await?);
            }
            let Some(st) = states.as_mut() else {
                continue;
            };
            if let Some(why) = failover_needed(holder.as_str(), st, false) {
                failover(ctx, repo, cfg, ex, &which, &issue, holder, why, st).await?;
            }
            continue;
        }
        if states.is_none() {
            states = Some(agent_states(ctx, repo, cfg).await?);
        }
        let Some(st) = states.as_mut() else {
            continue;
        };
        let need = need_of(&ctx.store, repo, cfg, &issue).await?;
        let owner = need.owner.clone().unwrap_or_else(|| "any".into());
        let decided = match mode_for(&cfg.assignment, need.priority) {
            Mode::Push => Some((
                push(&cfg.assignment, &need, st),
                "vayu chose (push)".to_owned(),
                Vec::new(),
            )),
            Mode::Pull => {
                let ranked = evaluate(&cfg.assignment, &need, st).ranked;
                let body = claimable_comment(&note_marker("claimable"), &owner, &ranked)?;
                ex.run(&Effect::Comment {
                    on: which.target(),
                    slot: "claimable".into(),
                    body,
                    replace: false,
                })
                .await?;
                None
            }
            Mode::Auction => auction_step(ctx, repo, cfg, ex, &which, &issue, &need, st).await?,
        };
        let Some((result, how, bids)) = decided else {
            continue;
        };
        match result {
            Ok(d) => {
                for l in d.logins() {
                    st.entry(l.to_ascii_lowercase())
                        .or_default()
                        .held
                        .push(Held {
                            weight: weight_of_body(&issue.body),
                        });
                }
                let fx = assign_effects(cfg, &which, &issue, &d, &how, &bids)?;
                ex.run_all(&fx).await?;
                ex.event(
                    "task_assigned",
                    json!({ "issue": issue.number.0, "agents": d.logins(), "method": d.method, "why": d.explanation() }),
                )
                .await?;
            }
            Err(no) => unassignable(ex, &which, &no).await?,
        }
    }
    Ok(())
}

type Decided = Option<(Result<Decision, NoAgent>, String, Vec<(String, u32)>)>;

/// Opens the auction, or closes it once its window has passed.
#[allow(clippy::too_many_arguments)]
async fn auction_step<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    ex: &mut Executor<'_, G, S>,
    which: &Which,
    issue: &Issue,
    need: &TaskNeed,
    st: &States,
) -> Result<Decided, AppError> {
    let key = auction_key(repo, issue.number);
    let now = ctx.now();
    let recorded = ctx.store.effect_done(&key).await?;
    // Still open by the ledger: nothing to read. Else (a run without this
    // ledger, or a window that has closed) the announcement adds its record.
    if let Some(at) = recorded.as_ref().and_then(|o| closes_at(&o.result))
        && now < at
    {
        return Ok(None);
    }
    let on_github = announced(ctx, repo, issue.number).await?;
    let open = match recorded {
        Some(open) => Some(closes_at(&open.result)),
        None => on_github.as_ref().map(|s| Some(s.closes)),
    };
    let Some(closes) = open else {
        let window = cfg.assignment.auction_window_minutes;
        let closes = now + TimeDelta::minutes(i64::from(window));
        let closes_s = closes.to_rfc3339_opts(SecondsFormat::Secs, true);
        let ranked = evaluate(&cfg.assignment, need, st).ranked;
        let owner = need.owner.clone().unwrap_or_else(|| "any".into());
        let state = AuctionState {
            closes,
            bids: Vec::new(),
        };
        let body = format!(
            "{}\n{}",
            auction_comment(&note_marker("auction"), &owner, &closes_s, window, &ranked)?
                .trim_end(),
            state_lines(&state)
        );
        // The window starts when the announcement is public, so record after posting.
        ex.run(&Effect::Comment {
            on: which.target(),
            slot: "auction".into(),
            body,
            replace: false,
        })
        .await?;
        ctx.store
            .record_effect(&key, &json!({ "closes_at": closes_s }), now)
            .await?;
        return Ok(None);
    };
    match closes {
        Some(at) if now < at => return Ok(None),
        _ => {}
    }
    let mut bids = on_github.map(|s| s.bids).unwrap_or_default();
    for a in &cfg.assignment.agents {
        if let Some(b) = ctx
            .store
            .effect_done(&bid_key(repo, issue.number, &a.login))
            .await?
        {
            let minutes = b.result.get("minutes").and_then(Value::as_u64);
            let order = b
                .result
                .get("order")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            if let Some(m) = minutes.and_then(|m| u32::try_from(m).ok()) {
                bids.push(Bid {
                    login: a.login.clone(),
                    minutes: m,
                    order,
                });
            }
        }
    }
    let bids = first_per_agent(bids);
    let result = auction(&cfg.assignment, need, st, &bids);
    let how = match &result {
        Ok(d) if d.bid_minutes.is_some() => format!(
            "Won the auction: lowest bid weighted by specialization among {} bid(s).",
            bids.len()
        ),
        _ => "The auction closed without a valid bid, so vayu chose (push).".to_owned(),
    };
    let shown = bids.iter().map(|b| (b.login.clone(), b.minutes)).collect();
    Ok(Some((result, how, shown)))
}

/// Moves a task off an agent that can no longer do it, to the best other one.
#[allow(clippy::too_many_arguments)]
async fn failover<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    ex: &mut Executor<'_, G, S>,
    which: &Which,
    issue: &Issue,
    holder: &Login,
    why: &str,
    st: &mut States,
) -> Result<(), AppError> {
    let mut need = need_of(&ctx.store, repo, cfg, issue).await?;
    need.exclude.insert(holder.as_str().to_ascii_lowercase());
    let how = format!("Reassigned from `{holder}`: {why}.");
    match push(&cfg.assignment, &need, st) {
        Ok(d) => {
            let fx = assign_effects(cfg, which, issue, &d, &how, &[])?;
            ex.run_all(&fx).await?;
            ex.event(
                "task_reassigned",
                json!({ "issue": issue.number.0, "from": holder, "to": d.logins(), "why": why }),
            )
            .await?;
        }
        Err(no) => {
            // Nobody else can take it: give it back to the queue.
            let patch = IssuePatch {
                labels: Some(with_status(&issue.labels, Status::Queued, &[], cfg)),
                assignees: Some(Vec::new()),
                ..IssuePatch::default()
            };
            ex.run(&patch_effect(which, patch, "unassign")).await?;
            unassignable(ex, which, &no).await?;
        }
    }
    Ok(())
}

/// Says (once, kept current) why nobody could be assigned.
async fn unassignable<G: GitHub, S: Ledger>(
    ex: &mut Executor<'_, G, S>,
    which: &Which,
    no: &NoAgent,
) -> Result<(), AppError> {
    let body = notice(
        &note_marker(ASSIGNMENT_SLOT),
        &format!("### Assignment\n\nNot assigned yet: {no}."),
    )?;
    ex.run(&Effect::Comment {
        on: which.target(),
        slot: ASSIGNMENT_SLOT.into(),
        body,
        replace: true,
    })
    .await
}

/// The auction announced on issue `n`, as its announcement records it; only
/// vayu's own comment counts (anyone can paste a marker into theirs).
pub async fn announced<G: GitHub, S>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    n: IssueNumber,
) -> Result<Option<AuctionState>, AppError> {
    Ok(announcement(ctx, repo, n)
        .await?
        .and_then(|c| read_state(&c.body)))
}

/// vayu's auction announcement on issue `n`, if it wrote one.
pub async fn announcement<G: GitHub, S>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    n: IssueNumber,
) -> Result<Option<super::ports::Comment>, AppError> {
    Ok(ctx
        .gh
        .find_comment(repo, n, &note_marker("auction"))
        .await?
        .filter(|c| c.user.as_str().eq_ignore_ascii_case(ctx.bot.as_str())))
}
