//! Who decides: vayu (push), the agents (pull), by priority (hybrid), or
//! by bids (auction); and when a held task must move to someone else.

use super::rank::{Candidate, Skipped, evaluate};
use super::{Decision, NoAgent, States, TaskNeed, state_of};
use crate::core::config::{AssignmentConfig, Strategy};
use crate::core::task::{AssignmentMethod, Priority};

/// How a ready task gets its agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// vayu assigns at once.
    Push,
    /// It waits to be claimed with `/vayu claim`.
    Pull,
    /// It is announced; `/vayu bid <minutes>` until the window closes.
    Auction,
}

/// The mode for a task of `priority` under the configured strategy: hybrid
/// pushes critical and high work and leaves the rest to be claimed.
pub fn mode_for(cfg: &AssignmentConfig, priority: Priority) -> Mode {
    match cfg.strategy {
        Strategy::Push => Mode::Push,
        Strategy::Pull => Mode::Pull,
        Strategy::Auction => Mode::Auction,
        Strategy::Hybrid => match priority {
            Priority::Critical | Priority::High => Mode::Push,
            Priority::Normal | Priority::Low => Mode::Pull,
        },
    }
}

/// vayu's pick: the best-ranked agent, plus `collaborators` more for a team.
pub fn push(cfg: &AssignmentConfig, need: &TaskNeed, states: &States) -> Result<Decision, NoAgent> {
    let ev = evaluate(cfg, need, states);
    let Some(primary) = ev.ranked.first().cloned() else {
        return Err(nobody(need, ev.any_capable(), ev.skipped));
    };
    let team = usize::try_from(cfg.collaborators).unwrap_or(usize::MAX);
    let collaborators = ev.ranked.iter().skip(1).take(team).cloned().collect();
    Ok(Decision {
        primary,
        collaborators,
        method: AssignmentMethod::Assigned,
        bid_minutes: None,
        considered: ev.ranked,
        skipped: ev.skipped,
    })
}

pub(super) fn nobody(
    need: &TaskNeed,
    any_capable: bool,
    skipped: Vec<(String, Skipped)>,
) -> NoAgent {
    if any_capable {
        NoAgent::NoneAvailable { skipped }
    } else {
        NoAgent::NoneCapable {
            owner: need.owner.clone().unwrap_or_else(|| "any".into()),
        }
    }
}

/// Why `/vayu claim` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimRefused {
    /// The claimer is not in `assignment.agents`.
    #[error(
        "@{login} is not an agent in `assignment.agents`, so it cannot take tasks; a maintainer can add it"
    )]
    NotAnAgent {
        /// Who claimed.
        login: String,
    },
    /// The claimer does not work in the task's domain.
    #[error(
        "@{login} does not work on `{owner}` (its `owners` in `.github/vayu.yml` do not include it)"
    )]
    NotCapable {
        /// Who claimed.
        login: String,
        /// The task's domain.
        owner: String,
    },
    /// The claimer is away.
    #[error("@{login} is marked away; comment `/vayu back` first")]
    Away {
        /// Who claimed.
        login: String,
    },
    /// The claimer already holds as much as it may.
    #[error(
        "@{login} is at capacity ({open}/{capacity} open tasks); finish or `/vayu unclaim` one first"
    )]
    AtCapacity {
        /// Who claimed.
        login: String,
        /// Its open tasks.
        open: u32,
        /// Its capacity.
        capacity: u32,
    },
}

/// `login` takes the task itself, if it is a capable, available agent.
pub fn claim(
    cfg: &AssignmentConfig,
    need: &TaskNeed,
    states: &States,
    login: &str,
) -> Result<Decision, ClaimRefused> {
    let Some(agent) = cfg.agent(login) else {
        return Err(ClaimRefused::NotAnAgent {
            login: login.to_owned(),
        });
    };
    // A claim is the agent's own choice: an earlier unclaim does not bar it.
    let need = TaskNeed {
        exclude: Default::default(),
        ..need.clone()
    };
    let ev = evaluate(cfg, &need, states);
    let is_me = |l: &str| l.eq_ignore_ascii_case(&agent.login);
    if let Some(me) = ev.ranked.iter().find(|c| is_me(&c.login)) {
        return Ok(Decision {
            primary: me.clone(),
            collaborators: Vec::new(),
            method: AssignmentMethod::Claimed,
            bid_minutes: None,
            considered: vec![me.clone()],
            skipped: Vec::new(),
        });
    }
    let why = ev
        .skipped
        .iter()
        .find(|(l, _)| is_me(l))
        .map_or(Skipped::NotCapable, |(_, w)| *w);
    let login = agent.login.clone();
    Err(match why {
        Skipped::Away => ClaimRefused::Away { login },
        Skipped::AtCapacity { open, capacity } => ClaimRefused::AtCapacity {
            login,
            open,
            capacity,
        },
        Skipped::NotCapable | Skipped::Excluded => ClaimRefused::NotCapable {
            login,
            owner: need.owner.clone().unwrap_or_else(|| "any".into()),
        },
    })
}

/// Why a held task must move: its agent is away, or its worker went silent.
/// `None` when it can stay.
pub fn failover_needed(assignee: &str, states: &States, zombie: bool) -> Option<&'static str> {
    if zombie {
        return Some("its worker stopped sending heartbeats");
    }
    state_of(states, assignee)
        .filter(|s| s.away)
        .map(|_| "its agent is marked away")
}

/// The candidates of an evaluation by login (helper for auctions).
pub(super) fn find<'a>(ranked: &'a [Candidate], login: &str) -> Option<&'a Candidate> {
    ranked.iter().find(|c| c.login.eq_ignore_ascii_case(login))
}
