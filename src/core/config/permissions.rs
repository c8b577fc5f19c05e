//! Who may run which slash command: the least repository permission per verb.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A GitHub repository permission, weakest first, so `>=` means "at least".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Can read and comment.
    Read,
    /// Can manage issues and labels.
    Triage,
    /// Can push.
    Write,
    /// Can manage the repository without destructive access.
    Maintain,
    /// Full control.
    Admin,
}

impl Permission {
    /// Every permission, weakest first.
    pub const ALL: [Permission; 5] = [
        Permission::Read,
        Permission::Triage,
        Permission::Write,
        Permission::Maintain,
        Permission::Admin,
    ];

    /// Reads GitHub's `role_name` or legacy `permission` word (`push` and
    /// `pull` are the old names of write and read); `None` for anything else.
    pub fn from_github(word: &str) -> Option<Self> {
        match word {
            "pull" => Some(Permission::Read),
            "push" => Some(Permission::Write),
            other => other.parse().ok(),
        }
    }

    /// The word GitHub and the config file use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Triage => "triage",
            Permission::Write => "write",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a permission word that is not one of GitHub's roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown permission `{0}`: expected one of read, triage, write, maintain, admin")]
pub struct UnknownPermission(pub String);

impl FromStr for Permission {
    type Err = UnknownPermission;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownPermission(s.to_owned()))
    }
}

/// The least permission each slash-command verb needs (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PermissionsConfig {
    /// `/vayu plan`: preview a plan.
    pub plan: Permission,
    /// `/vayu decompose`: create the sub-issues.
    pub decompose: Permission,
    /// `/vayu status`.
    pub status: Permission,
    /// `/vayu claim`: take the task.
    pub claim: Permission,
    /// `/vayu unclaim`: give it back.
    pub unclaim: Permission,
    /// `/vayu assign <who>`.
    pub assign: Permission,
    /// `/vayu start`.
    pub start: Permission,
    /// `/vayu pause`.
    pub pause: Permission,
    /// `/vayu resume`.
    pub resume: Permission,
    /// `/vayu retry`.
    pub retry: Permission,
    /// `/vayu review pass|fail`.
    pub review: Permission,
    /// `/vayu cancel`.
    pub cancel: Permission,
    /// `/vayu replan`.
    pub replan: Permission,
    /// `/vayu help`.
    pub help: Permission,
    /// `/vayu away`: stop receiving assignments.
    pub away: Permission,
    /// `/vayu back`: receive assignments again.
    pub back: Permission,
    /// `/vayu bid`: bid in an auction.
    pub bid: Permission,
}

impl Default for PermissionsConfig {
    fn default() -> Self {
        use Permission::{Read, Triage, Write};
        Self {
            plan: Read,
            decompose: Write,
            status: Read,
            claim: Triage,
            unclaim: Triage,
            assign: Write,
            start: Write,
            pause: Write,
            resume: Write,
            retry: Write,
            review: Write,
            cancel: Write,
            replan: Write,
            help: Read,
            away: Triage,
            back: Triage,
            bid: Triage,
        }
    }
}

impl PermissionsConfig {
    /// Every verb, in the order `/vayu help` lists them.
    pub const VERBS: [&'static str; 17] = [
        "plan",
        "decompose",
        "status",
        "claim",
        "unclaim",
        "assign",
        "start",
        "pause",
        "resume",
        "retry",
        "review",
        "cancel",
        "replan",
        "help",
        "away",
        "back",
        "bid",
    ];

    /// The least permission `verb` needs. An unknown verb needs `admin`, so a
    /// verb added to the parser but not here fails closed.
    pub fn required(&self, verb: &str) -> Permission {
        self.get(verb).unwrap_or(Permission::Admin)
    }

    /// The least permission `verb` needs, or `None` for an unknown verb.
    pub fn get(&self, verb: &str) -> Option<Permission> {
        let p = match verb.trim().to_ascii_lowercase().as_str() {
            "plan" => self.plan,
            "decompose" => self.decompose,
            "status" => self.status,
            "claim" => self.claim,
            "unclaim" => self.unclaim,
            "assign" => self.assign,
            "start" => self.start,
            "pause" => self.pause,
            "resume" => self.resume,
            "retry" => self.retry,
            "review" => self.review,
            "cancel" => self.cancel,
            "replan" => self.replan,
            "help" => self.help,
            "away" => self.away,
            "back" => self.back,
            "bid" => self.bid,
            _ => return None,
        };
        Some(p)
    }

    /// Each verb with the permission it needs, in [`PermissionsConfig::VERBS`] order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, Permission)> + '_ {
        Self::VERBS.into_iter().map(|v| (v, self.required(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_ordered_weakest_first() {
        assert!(Permission::Read < Permission::Triage);
        assert!(Permission::Triage < Permission::Write);
        assert!(Permission::Write < Permission::Maintain);
        assert!(Permission::Maintain < Permission::Admin);
        assert_eq!("Maintain".parse(), Ok(Permission::Maintain));
        assert_eq!(
            "owner"
                .parse::<Permission>()
                .expect_err("unknown")
                .to_string(),
            "unknown permission `owner`: expected one of read, triage, write, maintain, admin"
        );
    }

    #[test]
    fn defaults_follow_the_design() {
        let p = PermissionsConfig::default();
        let by_level = |level| {
            p.entries()
                .filter(|(_, l)| *l == level)
                .map(|(v, _)| v)
                .collect::<Vec<_>>()
        };
        assert_eq!(by_level(Permission::Read), ["plan", "status", "help"]);
        assert_eq!(
            by_level(Permission::Triage),
            ["claim", "unclaim", "away", "back", "bid"]
        );
        assert_eq!(by_level(Permission::Write).len(), 9);
    }

    #[test]
    fn unknown_verbs_fail_closed() {
        let p = PermissionsConfig::default();
        assert_eq!(p.required("deploy"), Permission::Admin);
        assert_eq!(p.get("deploy"), None);
        assert_eq!(p.required("Claim"), Permission::Triage);
    }
}
