//! Who does a task (seed 003 §3): capability match → availability (capacity,
//! away) → load (open tasks weighted by complexity and the agent's pace) →
//! specialization score → a primary agent, or a team when the config asks
//! for collaborators. Strategies decide who makes the call: vayu (push), the
//! agents (pull: `/vayu claim`), by priority (hybrid), or by bids (auction).
//!
//! Pure and deterministic: the same inputs give the same decision, ties are
//! broken by fewer open tasks, then earlier bid, then login. Every decision
//! carries the facts that made it, so the comment can explain it.

mod auction;
mod rank;
mod strategy;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::core::task::{AssignmentMethod, Priority};

pub use auction::{Bid, BidRefused, auction, check_bid};
pub use rank::{Candidate, Evaluation, Skipped, evaluate};
pub use strategy::{ClaimRefused, Mode, claim, failover_needed, mode_for, push};

/// What the task asks of an agent.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskNeed {
    /// The owner domain (capability) the task belongs to; `None` means any.
    pub owner: Option<String>,
    /// Urgency (hybrid pushes critical and high).
    pub priority: Priority,
    /// Agents who must not get it (the one who just gave it back, or failed over).
    pub exclude: BTreeSet<String>,
}

impl TaskNeed {
    /// A need for `owner` at normal priority.
    pub fn new(owner: Option<&str>) -> Self {
        Self {
            owner: owner.map(str::to_owned),
            priority: Priority::Normal,
            exclude: BTreeSet::new(),
        }
    }
}

/// One open task an agent holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Held {
    /// How heavy it is relative to a plain task (1.0): an estimate of an
    /// hour counts 2.0, a quick fix 0.5.
    pub weight: f64,
}

/// What vayu knows about an agent right now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentState {
    /// The open vayu tasks assigned to it.
    pub held: Vec<Held>,
    /// Marked away (`/vayu away`): gets nothing new, loses what it has not started.
    pub away: bool,
    /// Its historical pace: actual / estimated duration (1.0 = on estimate).
    pub pace: Option<f64>,
}

/// Agent states by lowercase login; an agent not listed holds nothing.
pub type States = BTreeMap<String, AgentState>;

/// The state of `login` in `states` (ASCII case ignored).
pub fn state_of<'a>(states: &'a States, login: &str) -> Option<&'a AgentState> {
    states.get(&login.to_ascii_lowercase())
}

/// An assignment, with the facts that explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The agent responsible.
    pub primary: Candidate,
    /// Helpers, when the config asks for a team.
    pub collaborators: Vec<Candidate>,
    /// How it came about.
    pub method: AssignmentMethod,
    /// The winning bid in minutes, for an auction.
    pub bid_minutes: Option<u32>,
    /// Everyone considered, best first (for the comment's table).
    pub considered: Vec<Candidate>,
    /// Agents left out, and why.
    pub skipped: Vec<(String, Skipped)>,
}

impl Decision {
    /// One line: `assigned to @x: capability security, load 2/5, specialization 0.8`.
    pub fn explanation(&self) -> String {
        let p = &self.primary;
        let mut s = format!("assigned to @{}: {}", p.login, p.facts());
        if let Some(m) = self.bid_minutes {
            s.push_str(&format!(", bid {m} min"));
        }
        if !self.collaborators.is_empty() {
            let names: Vec<String> = self
                .collaborators
                .iter()
                .map(|c| format!("@{}", c.login))
                .collect();
            s.push_str(&format!("; with {}", names.join(", ")));
        }
        s
    }

    /// Every login the decision assigns, primary first.
    pub fn logins(&self) -> Vec<String> {
        std::iter::once(&self.primary)
            .chain(&self.collaborators)
            .map(|c| c.login.clone())
            .collect()
    }
}

/// Why nobody was assigned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoAgent {
    /// No agent in the config works in the task's domain.
    #[error("no agent in `assignment.agents` works on `{owner}`; add one with `owners: [{owner}]`")]
    NoneCapable {
        /// The domain.
        owner: String,
    },
    /// Capable agents exist but none can take it now.
    #[error("every capable agent is unavailable ({}); the task stays queued until one is free", describe(.skipped))]
    NoneAvailable {
        /// Who was left out and why.
        skipped: Vec<(String, Skipped)>,
    },
}

fn describe(skipped: &[(String, Skipped)]) -> String {
    let parts: Vec<String> = skipped
        .iter()
        .filter(|(_, why)| *why != Skipped::NotCapable)
        .map(|(login, why)| format!("{login}: {why}"))
        .collect();
    parts.join("; ")
}

/// Whether `login` is an agent that works on `owner` (availability aside):
/// who may give a peer review.
pub fn is_capable(
    cfg: &crate::core::config::AssignmentConfig,
    owner: Option<&str>,
    login: &str,
) -> bool {
    cfg.agent(login).is_some_and(|a| {
        a.owners.is_empty()
            || owner.is_none_or(|o| a.owners.iter().any(|x| x.eq_ignore_ascii_case(o)))
    })
}

/// How heavy a task is from the estimate its sub-issue shows
/// (`estimate 10-20 min`): the upper bound over half an hour, within
/// 0.25–8; a task without one weighs 1.
pub fn weight_of_body(body: &str) -> f64 {
    let Some(at) = body.find("estimate ") else {
        return 1.0;
    };
    let rest = &body[at + "estimate ".len()..];
    let Some(end) = rest.find(" min") else {
        return 1.0;
    };
    let max = rest[..end]
        .rsplit('-')
        .next()
        .and_then(|m| m.trim().parse::<u32>().ok());
    max.map_or(1.0, |m| (f64::from(m) / 30.0).clamp(0.25, 8.0))
}
