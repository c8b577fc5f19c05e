//! Event handlers, one file per event family, and [`handle`], the single
//! entry point the job runner and the Action call.

mod assign_cmds;
mod commands;
mod comments;
mod issues;
mod review;
mod review_checks;
mod subissues;
pub mod sweep;

use super::ctx::Ctx;
use super::error::AppError;
use super::event::{Actor, Event, Issue};
use super::outcome::Outcome;
use super::ports::{GitHub, Ledger};

pub use review::recheck_family;
pub use sweep::reconcile::reconcile;

/// Handles one event: ignores what is not vayu's business, else acts on
/// GitHub idempotently. A [`AppError::User`] never escapes: it is posted as
/// a comment and reported as [`Outcome::Rejected`].
pub async fn handle<G: GitHub, S: Ledger>(
    event: &Event,
    ctx: &Ctx<G, S>,
) -> Result<Outcome, AppError> {
    let outcome = act(event, ctx).await?;
    // After the work, so a job that fails and runs again records it once.
    super::history::record(ctx, event).await?;
    Ok(outcome)
}

async fn act<G: GitHub, S: Ledger>(event: &Event, ctx: &Ctx<G, S>) -> Result<Outcome, AppError> {
    if let Some(issue) = authored_by_self(ctx, event) {
        return Ok(Outcome::Ignored {
            why: format!("#{} was opened by vayu itself", issue.number),
        });
    }
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
        Event::InstallationCreated {
            installation,
            repos,
            ..
        }
        | Event::InstallationReposAdded {
            installation,
            repos,
            ..
        } => installed(ctx, *installation, repos, false).await,
        Event::InstallationReposRemoved {
            installation,
            repos,
            ..
        } => installed(ctx, *installation, repos, true).await,
        _ => Ok(Outcome::Ignored {
            why: "not an event the orchestrator acts on (or caused by vayu itself)".into(),
        }),
    }
}

/// The issue of an opened/labeled/edited event when vayu wrote it: its own
/// sub-issues are never decomposed again, whoever adds the trigger label.
/// Closes and comments on them still count (progress, slash commands).
fn authored_by_self<'e, G, S>(ctx: &Ctx<G, S>, event: &'e Event) -> Option<&'e Issue> {
    match event {
        Event::IssueOpened { issue, .. }
        | Event::IssueLabeled { issue, .. }
        | Event::IssueEdited { issue, .. } => is_self(ctx, &issue.author).then_some(issue),
        _ => None,
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

/// The App was installed on repositories, or removed from some: remembered,
/// so schedules and the periodic reconcile reach a repository before any
/// issue event comes from it, and leave one the App no longer has.
async fn installed<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    installation: crate::core::ids::InstallationId,
    repos: &[crate::core::ids::RepoName],
    removed: bool,
) -> Result<Outcome, AppError> {
    ctx.store
        .set_installed(installation, repos, removed, ctx.now())
        .await?;
    Ok(Outcome::Installation {
        repos: repos.len(),
        removed,
    })
}
