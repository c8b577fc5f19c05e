//! A sub-issue was closed or reopened: progress its parent's plan (tick the
//! checklist, unblock dependents, skip conditional ones, complete the parent).

use crate::app::converge::converge;
use crate::app::ctx::Ctx;
use crate::app::error::AppError;
use crate::app::event::Issue;
use crate::app::outcome::Outcome;
use crate::app::ports::{GitHub, Ledger};
use crate::core::ids::RepoName;
use crate::core::marker::find_task;

/// Re-evaluates the parent of a sub-issue whose state changed.
pub async fn state_changed<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
) -> Result<Outcome, AppError> {
    let Some(marker) = find_task(&issue.body) else {
        // A simple task (no sub-issues) is gated the same way.
        if issue.state == crate::app::event::IssueState::Closed
            && let Some(gated) = super::review::gate_close(ctx, repo, issue.number).await?
        {
            return Ok(gated);
        }
        return Ok(Outcome::Ignored {
            why: format!("#{} is not a vayu sub-issue", issue.number),
        });
    };
    // A finished task whose type needs a review goes to `reviewing` first.
    if issue.state == crate::app::event::IssueState::Closed {
        super::review::gate_close(ctx, repo, issue.number).await?;
    }
    converge(ctx, repo, marker.parent, false).await
}
