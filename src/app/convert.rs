//! The event's snapshot of an issue in the port's shape, so handlers can act
//! on the issue an event names without reading it again.

use super::event;
use super::ports::{Issue, IssueState};

/// The port's view of an event's issue.
pub fn issue_from_event(i: &event::Issue) -> Issue {
    Issue {
        number: i.number,
        id: i.id,
        node_id: i.node_id.clone(),
        title: i.title.clone(),
        body: i.body.clone(),
        state: match i.state {
            event::IssueState::Open => IssueState::Open,
            event::IssueState::Closed => IssueState::Closed,
        },
        state_reason: None,
        labels: i.labels.clone(),
        assignees: i.assignees.clone(),
        user: i.author.login.clone(),
        is_pull_request: false,
    }
}
