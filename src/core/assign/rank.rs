//! The four filters and the score: capability → availability → load →
//! specialization, over the agents of the config.

use std::cmp::Ordering;
use std::fmt;

use super::{AgentState, States, TaskNeed, state_of};
use crate::core::config::{AgentConfig, AssignmentConfig};

/// Specialization assumed for a capable agent whose config does not rate it.
pub const DEFAULT_SPECIALIZATION: f64 = 0.5;
/// How much specialization counts in the score; spare capacity counts the rest.
const SPECIALIZATION_WEIGHT: f64 = 0.6;

/// A capable, available agent with the numbers that rank it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its login as the config spells it.
    pub login: String,
    /// The domain that made it capable (`any` for an agent without owners).
    pub capability: String,
    /// Open tasks it holds.
    pub open: u32,
    /// Tasks it may hold.
    pub capacity: u32,
    /// Open tasks weighted by complexity and pace.
    pub load: f64,
    /// The pace that scaled its load (0.5–2.0), when its history gave one.
    pub pace: Option<f64>,
    /// How well it fits the domain, 0.0–1.0.
    pub specialization: f64,
    /// specialization × 0.6 + spare capacity × 0.4; higher is better.
    pub score: f64,
}

impl Candidate {
    /// `capability security, load 2/5, specialization 0.8` (and `, pace
    /// 1.5` when its history makes it slower or faster than usual).
    pub fn facts(&self) -> String {
        let pace = match self.pace {
            Some(p) if (p - 1.0).abs() >= 0.05 => format!(", pace {}", round2(p)),
            _ => String::new(),
        };
        format!(
            "capability {}, load {}/{}, specialization {}{pace}",
            self.capability,
            self.open,
            self.capacity,
            round2(self.specialization)
        )
    }
}

/// Why an agent was not a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// It does not work in the task's domain.
    NotCapable,
    /// It is marked away.
    Away,
    /// It holds as many tasks as it may.
    AtCapacity {
        /// Open tasks.
        open: u32,
        /// Its capacity.
        capacity: u32,
    },
    /// The task must go to someone else (given back, failed over).
    Excluded,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skipped::NotCapable => f.write_str("not capable"),
            Skipped::Away => f.write_str("away"),
            Skipped::AtCapacity { open, capacity } => write!(f, "at capacity {open}/{capacity}"),
            Skipped::Excluded => f.write_str("excluded"),
        }
    }
}

/// The agents that could take the task, best first, and the rest with why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// Capable and available, best first.
    pub ranked: Vec<Candidate>,
    /// Everyone else, in config order.
    pub skipped: Vec<(String, Skipped)>,
}

impl Evaluation {
    /// Whether any agent is capable at all (available or not).
    pub fn any_capable(&self) -> bool {
        !self.ranked.is_empty() || self.skipped.iter().any(|(_, s)| *s != Skipped::NotCapable)
    }
}

/// Runs the filters and ranks what is left.
pub fn evaluate(cfg: &AssignmentConfig, need: &TaskNeed, states: &States) -> Evaluation {
    let mut out = Evaluation::default();
    let empty = AgentState::default();
    for agent in &cfg.agents {
        let Some(capability) = capability(agent, need.owner.as_deref()) else {
            out.skipped.push((agent.login.clone(), Skipped::NotCapable));
            continue;
        };
        let state = state_of(states, &agent.login).unwrap_or(&empty);
        let open = u32::try_from(state.held.len()).unwrap_or(u32::MAX);
        let skip = if need.exclude.contains(&agent.login.to_ascii_lowercase()) {
            Some(Skipped::Excluded)
        } else if state.away {
            Some(Skipped::Away)
        } else if open >= agent.capacity {
            Some(Skipped::AtCapacity {
                open,
                capacity: agent.capacity,
            })
        } else {
            None
        };
        if let Some(why) = skip {
            out.skipped.push((agent.login.clone(), why));
            continue;
        }
        let load = weighted_load(state);
        let specialization = specialization(agent, need.owner.as_deref());
        let spare = (1.0 - load / f64::from(agent.capacity.max(1))).clamp(0.0, 1.0);
        let score = SPECIALIZATION_WEIGHT * specialization + (1.0 - SPECIALIZATION_WEIGHT) * spare;
        out.ranked.push(Candidate {
            login: agent.login.clone(),
            capability,
            open,
            capacity: agent.capacity,
            load,
            pace: state.pace.map(sane_pace),
            specialization,
            score,
        });
    }
    out.ranked.sort_by(better);
    out
}

/// Best first: higher score, then fewer open tasks, then login.
pub(super) fn better(a: &Candidate, b: &Candidate) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then(a.open.cmp(&b.open))
        .then_with(|| {
            a.login
                .to_ascii_lowercase()
                .cmp(&b.login.to_ascii_lowercase())
        })
}

/// The domain through which `agent` can do work for `owner`, if any.
fn capability(agent: &AgentConfig, owner: Option<&str>) -> Option<String> {
    if agent.owners.is_empty() {
        return Some(owner.unwrap_or("any").to_owned());
    }
    match owner {
        None => agent.owners.first().cloned(),
        Some(o) => agent
            .owners
            .iter()
            .find(|x| x.eq_ignore_ascii_case(o))
            .cloned(),
    }
}

fn specialization(agent: &AgentConfig, owner: Option<&str>) -> f64 {
    let rated = owner.and_then(|o| {
        agent
            .specialization
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(o))
            .map(|(_, v)| *v)
    });
    sane(rated.unwrap_or(DEFAULT_SPECIALIZATION))
}

/// Open tasks weighted by complexity, scaled by how slow the agent has been.
fn weighted_load(state: &AgentState) -> f64 {
    let pace = sane_pace(state.pace.unwrap_or(1.0));
    state
        .held
        .iter()
        .map(|h| {
            if h.weight.is_finite() {
                h.weight.clamp(0.0, 100.0)
            } else {
                1.0
            }
        })
        .sum::<f64>()
        * pace
}

/// A score in 0.0–1.0 whatever the config said (NaN counts as 0).
fn sane(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// A pace in 0.5–2.0: history nudges the load, it does not dominate it.
fn sane_pace(x: f64) -> f64 {
    if x.is_nan() { 1.0 } else { x.clamp(0.5, 2.0) }
}

/// Rounds for display (`0.8`, not `0.8000000001`).
pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
