//! Reading and rewriting vayu's labels on an issue (type, priority, status).

use crate::core::config::{Config, LabelMeaning};
use crate::core::task::{Priority, Status, TaskType};

/// The status an issue's labels give it, if any.
pub fn status_of(labels: &[String], cfg: &Config) -> Option<Status> {
    labels.iter().find_map(|l| match cfg.labels.parse_label(l) {
        Some(LabelMeaning::Status(s)) => Some(s),
        _ => None,
    })
}

/// Where an issue stands in words: `completed` or `not planned` once closed,
/// else its status label (`open` without one).
pub fn state_word(issue: &super::ports::Issue, cfg: &Config) -> String {
    use super::ports::{IssueState, StateReason};
    match (issue.state, issue.state_reason) {
        (IssueState::Closed, Some(StateReason::Completed) | None) => "completed".into(),
        (IssueState::Closed, _) => "not planned".into(),
        _ => status_of(&issue.labels, cfg).map_or("open".into(), |s| s.to_string()),
    }
}

/// The task type an issue's labels give it, if any.
pub fn type_of(labels: &[String], cfg: &Config) -> Option<TaskType> {
    labels.iter().find_map(|l| match cfg.labels.parse_label(l) {
        Some(LabelMeaning::Type(t)) => Some(t),
        _ => None,
    })
}

/// The priority an issue's labels give it, if any.
pub fn priority_of(labels: &[String], cfg: &Config) -> Option<Priority> {
    labels.iter().find_map(|l| match cfg.labels.parse_label(l) {
        Some(LabelMeaning::Priority(p)) => Some(p),
        _ => None,
    })
}

/// The user's part of an issue body: everything outside vayu's
/// `<!-- vayu:begin -->` … `<!-- vayu:end -->` block, which must not feed
/// back into triage (its words would count as owners and files).
pub fn user_text(body: &str) -> String {
    use crate::core::marker::{BEGIN, END};
    match (body.find(BEGIN), body.find(END)) {
        (Some(b), Some(e)) if b < e => {
            format!("{}{}", body[..b].trim_end(), &body[e + END.len()..])
        }
        _ => body.to_owned(),
    }
}

/// Whether the issue carries the label for `meaning` (ASCII case ignored).
pub fn has(labels: &[String], cfg: &Config, meaning: &LabelMeaning) -> bool {
    let want = cfg.labels.label(meaning);
    labels.iter().any(|l| l.eq_ignore_ascii_case(&want))
}

/// `labels` with every status label replaced by the one for `status`
/// (exactly one status at a time) and `extra` added if missing.
pub fn with_status(
    labels: &[String],
    status: Status,
    extra: &[String],
    cfg: &Config,
) -> Vec<String> {
    // Leaving `blocked` ends an escalation, so its label goes with it.
    let mut out: Vec<String> = labels
        .iter()
        .filter(|l| match cfg.labels.parse_label(l) {
            Some(LabelMeaning::Status(_)) => false,
            Some(LabelMeaning::Escalated) => status == Status::Blocked,
            _ => true,
        })
        .cloned()
        .collect();
    for e in extra {
        if !out.iter().any(|l| l.eq_ignore_ascii_case(e)) {
            out.push(e.clone());
        }
    }
    out.push(cfg.labels.status_label(status));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_status_label_remains() {
        let cfg = Config::default();
        let labels = vec![
            "vayu".to_owned(),
            "status:blocked".to_owned(),
            "Status:Queued".to_owned(),
        ];
        assert_eq!(status_of(&labels, &cfg), Some(Status::Blocked));
        assert_eq!(
            with_status(&labels, Status::Queued, &["owner:docs".into()], &cfg),
            vec!["vayu", "owner:docs", "status:queued"]
        );
    }

    #[test]
    fn the_escalation_label_lasts_only_while_blocked() {
        let cfg = Config::default();
        let escalated = vec!["status:blocked".to_owned(), "vayu:escalated".to_owned()];
        assert_eq!(
            with_status(&escalated, Status::Blocked, &[], &cfg),
            vec!["vayu:escalated", "status:blocked"]
        );
        assert_eq!(
            with_status(&escalated, Status::Queued, &[], &cfg),
            vec!["status:queued"]
        );
    }
}
