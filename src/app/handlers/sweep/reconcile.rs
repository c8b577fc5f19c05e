//! Reconcile: GitHub does not redeliver missed webhooks, so every open task
//! issue is brought in line with its plan from GitHub's own state (markers,
//! sub-issues, links): a missed close is processed, a deleted link re-added,
//! a hand-edited checklist rewritten. Tasks waiting for an `automated`
//! review are judged again from their pull requests' checks.

use crate::app::config_load::load_config;
use crate::app::converge::converge;
use crate::app::ctx::Ctx;
use crate::app::error::AppError;
use crate::app::handlers::review::recheck_family;
use crate::app::outcome::Outcome;
use crate::app::ports::{GitHub, Ledger, StateFilter};
use crate::core::config::Config;
use crate::core::ids::RepoName;

/// Reconciles every open issue with the trigger label in `repo`.
pub async fn reconcile<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
) -> Result<Outcome, AppError> {
    // A broken config must not stop repairs: the default trigger label
    // (and no automated reviews to judge).
    let cfg = load_config(&ctx.gh, repo).await?.ok();
    let trigger = cfg.as_ref().map_or_else(
        || Config::default().labels.trigger,
        |c| c.labels.trigger.clone(),
    );
    let parents: Vec<_> = ctx
        .gh
        .issues_with_label(repo, &trigger, StateFilter::Open)
        .await?
        .into_iter()
        .map(|i| i.number)
        .collect();
    let mut writes = 0;
    for n in &parents {
        writes += converge(ctx, repo, *n, false).await?.writes();
        if let Some(cfg) = &cfg {
            writes += recheck_family(ctx, cfg, repo, *n).await?;
        }
    }
    Ok(Outcome::Reconciled {
        parents: parents.len(),
        writes,
    })
}
