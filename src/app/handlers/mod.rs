//! Event handlers, one file per event family, and [`handle`], the single
//! entry point the job runner and the Action call.

mod commands;
mod comments;
mod issues;
mod subissues;
pub mod sweep;

use super::ctx::Ctx;
use super::error::AppError;
use super::event::{Actor, Event};
use super::outcome::Outcome;
use super::ports::{GitHub, Ledger};

pub use sweep::reconcile::reconcile;

/// Handles one event: ignores what is not vayu's business, else acts on
/// GitHub idempotently. A [`AppError::User`] never escapes: it is posted as
/// a comment and reported as [`Outcome::Rejected`].
pub async fn handle<G: GitHub, S: Ledger>(
    event: &Event,
    ctx: &Ctx<G, S>,
) -> Result<Outcome, AppError> {
    match event {
        Event::IssueOpened { origin, issue } if !is_self(ctx, &origin.sender) => {
            issues::opened(ctx, &origin.repo, issue).await
        }
        Event::IssueLabeled {
            origin,
            issue,
            label,
        } if !is_self(ctx, &origin.sender) => {
            issues::labeled(ctx, &origin.repo, issue, label).await
        }
        Event::IssueEdited { origin, issue, .. } if !is_self(ctx, &origin.sender) => {
            issues::edited(ctx, &origin.repo, issue).await
        }
        Event::IssueClosed { origin, issue, .. } | Event::IssueReopened { origin, issue } => {
            subissues::state_changed(ctx, &origin.repo, issue).await
        }
        Event::CommentCreated {
            origin,
            issue,
            comment,
        } => comments::created(ctx, origin, issue, comment, None).await,
        Event::CommentEdited {
            origin,
            issue,
            comment,
            old_body,
        } => comments::created(ctx, origin, issue, comment, Some(old_body.as_deref())).await,
        _ => Ok(Outcome::Ignored {
            why: "not an event the orchestrator acts on (or caused by vayu itself)".into(),
        }),
    }
}

/// Whether vayu itself caused the event (loop prevention).
fn is_self<G, S>(ctx: &Ctx<G, S>, actor: &Actor) -> bool {
    let bot = ctx.bot.as_str();
    let login = actor.login.as_str();
    login.eq_ignore_ascii_case(bot)
        || login
            .strip_suffix("[bot]")
            .is_some_and(|l| l.eq_ignore_ascii_case(bot.trim_end_matches("[bot]")))
}
