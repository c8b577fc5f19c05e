//! Lenient response shapes: only the fields vayu reads, with defaults for the
//! ones GitHub may omit, converted into the port's types.

use serde::Deserialize;

use crate::app::ports::{Comment, Issue, IssueState, StateReason};
use crate::core::ids::{CommentId, IssueId, IssueNumber, Login};

#[derive(Debug, Deserialize)]
pub(crate) struct WireUser {
    pub login: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireLabel {
    pub name: String,
    #[serde(default)]
    pub node_id: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireIssue {
    number: u64,
    id: u64,
    #[serde(default)]
    node_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: Option<String>,
    state: IssueState,
    #[serde(default)]
    state_reason: Option<StateReason>,
    #[serde(default)]
    labels: Vec<WireLabel>,
    #[serde(default)]
    assignees: Vec<WireUser>,
    #[serde(default)]
    user: Option<WireUser>,
    #[serde(default)]
    pull_request: Option<serde::de::IgnoredAny>,
}

impl From<WireIssue> for Issue {
    fn from(w: WireIssue) -> Self {
        Issue {
            number: IssueNumber(w.number),
            id: IssueId(w.id),
            node_id: w.node_id,
            title: w.title,
            body: w.body.unwrap_or_default(),
            state: w.state,
            state_reason: w.state_reason,
            labels: w.labels.into_iter().map(|l| l.name).collect(),
            assignees: w.assignees.into_iter().map(|u| Login(u.login)).collect(),
            user: Login(w.user.map(|u| u.login).unwrap_or_default()),
            is_pull_request: w.pull_request.is_some(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    user: Option<WireUser>,
}

impl From<WireComment> for Comment {
    fn from(w: WireComment) -> Self {
        Comment {
            id: CommentId(w.id),
            body: w.body.unwrap_or_default(),
            user: Login(w.user.map(|u| u.login).unwrap_or_default()),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireNodeId {
    pub node_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_issue_decodes() {
        let json = r#"{"number":3,"id":99,"state":"closed","state_reason":"not_planned",
            "labels":[{"name":"vayu"}],"pull_request":{"url":"x"},"body":null}"#;
        let issue: Issue = serde_json::from_str::<WireIssue>(json)
            .expect("decode")
            .into();
        assert_eq!(issue.number, IssueNumber(3));
        assert_eq!(issue.state_reason, Some(StateReason::NotPlanned));
        assert_eq!(issue.labels, vec!["vayu".to_owned()]);
        assert!(issue.is_pull_request);
        assert_eq!(issue.body, "");
    }
}
