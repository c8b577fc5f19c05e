//! How tasks find an agent (seed 003 §3): the strategy and the agents vayu may pick.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How an agent is chosen for a task (seed 003 §3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// vayu picks the agent.
    #[default]
    Push,
    /// Agents claim tasks from the pool (`/vayu claim`).
    Pull,
    /// Critical tasks are pushed, the rest pulled.
    Hybrid,
    /// Agents bid (`/vayu bid`) during a window; the best bid wins.
    Auction,
}

/// The `assignment` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssignmentConfig {
    /// How an agent is chosen.
    pub strategy: Strategy,
    /// Whether the chosen agent also becomes the issue's GitHub assignee.
    pub assign_issues: bool,
    /// How long an auction stays open for bids.
    pub auction_window_minutes: u32,
    /// The agents vayu may assign.
    pub agents: Vec<AgentConfig>,
    /// Helpers assigned next to the primary agent when vayu pushes (a team of 1 + N).
    pub collaborators: u32,
}

impl Default for AssignmentConfig {
    fn default() -> Self {
        Self {
            strategy: Strategy::Push,
            assign_issues: true,
            auction_window_minutes: 10,
            agents: Vec::new(),
            collaborators: 0,
        }
    }
}

impl AssignmentConfig {
    /// The agent with this login (ASCII case ignored, a leading `@` allowed).
    pub fn agent(&self, login: &str) -> Option<&AgentConfig> {
        let login = login.strip_prefix('@').unwrap_or(login);
        self.agents
            .iter()
            .find(|a| a.login.eq_ignore_ascii_case(login))
    }
}

/// One agent: a GitHub user, bot or team that can work on tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// GitHub login (`alice`, `my-bot[bot]`) or, for a team, `org/team`.
    pub login: String,
    /// Whether `login` names a team rather than an account.
    #[serde(default)]
    pub team: bool,
    /// Owner domains the agent works in; empty means any.
    #[serde(default)]
    pub owners: Vec<String>,
    /// How many tasks the agent may hold at once.
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    /// Per owner domain, how well the agent fits it (0.0–1.0).
    #[serde(default)]
    pub specialization: BTreeMap<String, f64>,
}

fn default_capacity() -> u32 {
    1
}

impl AgentConfig {
    /// An agent with default settings.
    pub fn new(login: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            team: false,
            owners: Vec::new(),
            capacity: default_capacity(),
            specialization: BTreeMap::new(),
        }
    }
}
