//! Label names (DESIGN §3): building them from the vocabulary, reading them
//! back, and the colour and description vayu gives a label it creates.

use serde::{Deserialize, Serialize};

use crate::core::task::{Priority, Status, TaskType};

/// Label names (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelConfig {
    /// An issue with this label becomes a task.
    pub trigger: String,
    /// An issue with this label is ignored.
    pub skip: String,
    /// Prefix of type labels (`type:`).
    pub type_prefix: String,
    /// Prefix of priority labels.
    pub priority_prefix: String,
    /// Prefix of owner labels.
    pub owner_prefix: String,
    /// Prefix of status labels.
    pub status_prefix: String,
    /// Added with `status:blocked` when a task's retries are spent: it waits
    /// for a human (`/vayu retry`), not for its dependencies, so reconcile
    /// must not re-queue it.
    pub escalated: String,
}

impl Default for LabelConfig {
    fn default() -> Self {
        Self {
            trigger: "vayu".into(),
            skip: "vayu:skip".into(),
            type_prefix: "type:".into(),
            priority_prefix: "priority:".into(),
            owner_prefix: "owner:".into(),
            status_prefix: "status:".into(),
            escalated: "vayu:escalated".into(),
        }
    }
}

/// What a label on an issue means to vayu.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LabelMeaning {
    /// The issue is a task.
    Trigger,
    /// The issue is to be ignored.
    Skip,
    /// The task's type.
    Type(TaskType),
    /// The task's priority.
    Priority(Priority),
    /// The task's owner domain, as written after the prefix (not checked against the config).
    Owner(String),
    /// The task's lifecycle state.
    Status(Status),
    /// Retries spent: blocked until a human acts.
    Escalated,
}

/// A label as vayu creates it when it is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSpec {
    /// The label name.
    pub name: String,
    /// Six hex digits, no `#` (the form the GitHub labels API takes).
    pub color: &'static str,
    /// The label's description.
    pub description: String,
}

impl LabelConfig {
    /// The label for a lifecycle state, e.g. `status:queued`.
    pub fn status_label(&self, status: Status) -> String {
        format!("{}{}", self.status_prefix, status.as_str())
    }

    /// The label for a task type, e.g. `type:feature`.
    pub fn type_label(&self, kind: TaskType) -> String {
        format!("{}{}", self.type_prefix, kind.as_str())
    }

    /// The label for a priority, e.g. `priority:high`.
    pub fn priority_label(&self, priority: Priority) -> String {
        format!("{}{}", self.priority_prefix, priority.as_str())
    }

    /// The label for an owner domain, e.g. `owner:security`.
    pub fn owner_label(&self, owner: &str) -> String {
        format!("{}{owner}", self.owner_prefix)
    }

    /// The label for a meaning (the inverse of [`LabelConfig::parse_label`]).
    pub fn label(&self, meaning: &LabelMeaning) -> String {
        match meaning {
            LabelMeaning::Trigger => self.trigger.clone(),
            LabelMeaning::Skip => self.skip.clone(),
            LabelMeaning::Escalated => self.escalated.clone(),
            LabelMeaning::Type(t) => self.type_label(*t),
            LabelMeaning::Priority(p) => self.priority_label(*p),
            LabelMeaning::Owner(o) => self.owner_label(o),
            LabelMeaning::Status(s) => self.status_label(*s),
        }
    }

    /// What a label means to vayu, or `None` for a label vayu does not manage.
    /// Matching ignores ASCII case, as GitHub does for label names.
    pub fn parse_label(&self, name: &str) -> Option<LabelMeaning> {
        if name.eq_ignore_ascii_case(&self.trigger) {
            return Some(LabelMeaning::Trigger);
        }
        if name.eq_ignore_ascii_case(&self.skip) {
            return Some(LabelMeaning::Skip);
        }
        if name.eq_ignore_ascii_case(&self.escalated) {
            return Some(LabelMeaning::Escalated);
        }
        if let Some(t) = strip_prefix(name, &self.type_prefix).and_then(|w| w.parse().ok()) {
            return Some(LabelMeaning::Type(t));
        }
        if let Some(p) = strip_prefix(name, &self.priority_prefix).and_then(|w| w.parse().ok()) {
            return Some(LabelMeaning::Priority(p));
        }
        if let Some(s) = strip_prefix(name, &self.status_prefix).and_then(|w| w.parse().ok()) {
            return Some(LabelMeaning::Status(s));
        }
        // Owners last: any word is an owner, so the typed families get the first say.
        strip_prefix(name, &self.owner_prefix)
            .filter(|w| !w.is_empty())
            .map(|w| LabelMeaning::Owner(w.to_owned()))
    }

    /// Name, colour and description for the label of `meaning`.
    pub fn spec(&self, meaning: &LabelMeaning) -> LabelSpec {
        let (color, description) = match meaning {
            LabelMeaning::Trigger => ("5319e7", "Managed by vayu: this issue is a task".to_owned()),
            LabelMeaning::Skip => ("cccccc", "vayu ignores this issue".to_owned()),
            LabelMeaning::Escalated => (
                "b60205",
                "vayu: retries spent, needs a human (/vayu retry)".to_owned(),
            ),
            LabelMeaning::Type(t) => ("1d76db", format!("Task type: {t}")),
            LabelMeaning::Priority(p) => (priority_color(*p), format!("Priority: {p}")),
            LabelMeaning::Owner(o) => ("c5def5", format!("Owner domain: {o}")),
            LabelMeaning::Status(s) => (status_color(*s), format!("vayu status: {s}")),
        };
        LabelSpec {
            name: self.label(meaning),
            color,
            description,
        }
    }

    /// Every label vayu may put on an issue, for creating them up front.
    pub fn all_specs<'a>(&self, owners: impl IntoIterator<Item = &'a str>) -> Vec<LabelSpec> {
        let mut meanings = vec![
            LabelMeaning::Trigger,
            LabelMeaning::Skip,
            LabelMeaning::Escalated,
        ];
        meanings.extend(TaskType::ALL.iter().map(|t| LabelMeaning::Type(*t)));
        meanings.extend(Priority::ALL.iter().map(|p| LabelMeaning::Priority(*p)));
        meanings.extend(
            owners
                .into_iter()
                .map(|o| LabelMeaning::Owner(o.to_owned())),
        );
        meanings.extend(Status::ALL.iter().map(|s| LabelMeaning::Status(*s)));
        meanings.iter().map(|m| self.spec(m)).collect()
    }
}

fn strip_prefix<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    if prefix.is_empty() || !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    name.get(prefix.len()..)
}

fn priority_color(p: Priority) -> &'static str {
    match p {
        Priority::Critical => "b60205",
        Priority::High => "d93f0b",
        Priority::Normal => "fbca04",
        Priority::Low => "0e8a16",
    }
}

fn status_color(s: Status) -> &'static str {
    match s {
        Status::Created | Status::Queued => "ededed",
        Status::Assigned => "bfdadc",
        Status::Executing => "0052cc",
        Status::Reviewing => "5319e7",
        Status::Completed => "0e8a16",
        Status::Failed => "b60205",
        Status::Paused => "fef2c0",
        Status::Rejected => "d93f0b",
        Status::Blocked => "e99695",
        Status::Cancelled => "cccccc",
    }
}

/// Why a label name cannot be used, or `None` when it can. GitHub limits
/// label names to 50 characters.
pub(crate) fn label_text_problem(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        Some("must not be empty")
    } else if text.trim() != text {
        Some("must not start or end with whitespace")
    } else if text.chars().count() > MAX_LABEL_CHARS {
        Some("is longer than 50 characters, the GitHub limit for label names")
    } else if text.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    }
}

/// GitHub's limit on the length of a label name.
pub(crate) const MAX_LABEL_CHARS: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_labels_from_prefixes() {
        let l = LabelConfig::default();
        assert_eq!(l.status_label(Status::Queued), "status:queued");
        assert_eq!(l.type_label(TaskType::Feature), "type:feature");
        assert_eq!(l.priority_label(Priority::Critical), "priority:critical");
        assert_eq!(l.owner_label("security"), "owner:security");
    }

    #[test]
    fn parses_every_family_and_ignores_case() {
        let l = LabelConfig::default();
        assert_eq!(l.parse_label("vayu"), Some(LabelMeaning::Trigger));
        assert_eq!(l.parse_label("VAYU:Skip"), Some(LabelMeaning::Skip));
        assert_eq!(
            l.parse_label("Type:Bug"),
            Some(LabelMeaning::Type(TaskType::Bug))
        );
        assert_eq!(
            l.parse_label("priority:low"),
            Some(LabelMeaning::Priority(Priority::Low))
        );
        assert_eq!(
            l.parse_label("status:blocked"),
            Some(LabelMeaning::Status(Status::Blocked))
        );
        assert_eq!(
            l.parse_label("owner:frontend"),
            Some(LabelMeaning::Owner("frontend".into()))
        );
        assert_eq!(l.parse_label("owner:"), None);
        assert_eq!(l.parse_label("type:unknown"), None);
        assert_eq!(l.parse_label("good first issue"), None);
        assert_eq!(l.parse_label("ü"), None);
    }

    #[test]
    fn every_built_label_parses_back_to_its_meaning() {
        let l = LabelConfig {
            trigger: "bot".into(),
            skip: "bot-skip".into(),
            type_prefix: "kind/".into(),
            priority_prefix: "p/".into(),
            owner_prefix: "team/".into(),
            status_prefix: "state/".into(),
            escalated: "bot:stuck".into(),
        };
        for spec in l.all_specs(["docs", "cicd"]) {
            let meaning = l.parse_label(&spec.name).expect(&spec.name);
            assert_eq!(l.label(&meaning), spec.name);
        }
        assert_eq!(l.all_specs(["docs"]).len(), 3 + 8 + 4 + 1 + 11);
    }

    #[test]
    fn specs_carry_colour_and_description() {
        let l = LabelConfig::default();
        assert_eq!(
            l.spec(&LabelMeaning::Priority(Priority::Critical)),
            LabelSpec {
                name: "priority:critical".into(),
                color: "b60205",
                description: "Priority: critical".into(),
            }
        );
        assert_eq!(
            l.spec(&LabelMeaning::Owner("docs".into())).description,
            "Owner domain: docs"
        );
    }

    #[test]
    fn label_text_rules() {
        assert_eq!(label_text_problem("ok:label"), None);
        assert_eq!(label_text_problem(" "), Some("must not be empty"));
        assert_eq!(
            label_text_problem(" x"),
            Some("must not start or end with whitespace")
        );
        assert!(label_text_problem(&"x".repeat(51)).is_some());
        assert_eq!(label_text_problem(&"é".repeat(50)), None);
    }
}
