//! `issues` events on a task issue: the trigger label, opening with it, and
//! body edits (re-plan). Each ends in [`converge`]; a ledger key over the
//! issue's title, body and labels makes a repeat of the same input free.

use sha2::{Digest, Sha256};

use crate::app::converge::converge;
use crate::app::ctx::Ctx;
use crate::app::error::AppError;
use crate::app::event::Issue;
use crate::app::labels::has;
use crate::app::outcome::Outcome;
use crate::app::ports::{GitHub, Ledger};
use crate::core::config::{Config, LabelMeaning};
use crate::core::ids::RepoName;

/// The trigger label was added.
pub async fn labeled<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
    label: &str,
) -> Result<Outcome, AppError> {
    // The label names come from the repo config, but reading it for every
    // label event would cost a request; the trigger check is redone in
    // `converge` against the real config.
    if !label_may_trigger(label) {
        return Ok(Outcome::Ignored {
            why: format!("label `{label}` is not a trigger"),
        });
    }
    once(ctx, repo, issue, "labeled").await
}

/// An issue was opened, possibly already carrying the trigger label.
pub async fn opened<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
) -> Result<Outcome, AppError> {
    if !issue.labels.iter().any(|l| label_may_trigger(l)) {
        return Ok(Outcome::Ignored {
            why: "opened without a trigger label".into(),
        });
    }
    once(ctx, repo, issue, "opened").await
}

/// The body or title changed: re-plan a task issue.
pub async fn edited<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
) -> Result<Outcome, AppError> {
    if !issue.labels.iter().any(|l| label_may_trigger(l)) {
        return Ok(Outcome::Ignored {
            why: "not a task issue".into(),
        });
    }
    once(ctx, repo, issue, "edited").await
}

/// A label that could be the configured trigger: the default, or any label
/// that is none of vayu's other families (a custom trigger name).
fn label_may_trigger(label: &str) -> bool {
    let cfg = Config::default();
    match cfg.labels.parse_label(label) {
        Some(LabelMeaning::Trigger) => true,
        Some(_) => false,
        None => true,
    }
}

async fn once<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    issue: &Issue,
    what: &str,
) -> Result<Outcome, AppError> {
    if has(&issue.labels, &Config::default(), &LabelMeaning::Skip) {
        return Ok(Outcome::Ignored {
            why: "the issue has the skip label".into(),
        });
    }
    let key = format!("{repo}#{}/-/{what}/{}", issue.number, input_hash(issue));
    if ctx.store.effect_done(&key).await?.is_some() {
        return Ok(Outcome::AlreadyDone);
    }
    let outcome = converge(ctx, repo, issue.number, false).await?;
    ctx.store
        .record_effect(&key, &serde_json::json!({}), ctx.now())
        .await?;
    Ok(outcome)
}

/// A short hash of what the decision depends on in the event.
fn input_hash(issue: &Issue) -> String {
    let mut labels = issue.labels.clone();
    labels.sort();
    let mut h = Sha256::new();
    for part in [issue.title.as_str(), "\0", issue.body.as_str(), "\0"] {
        h.update(part.as_bytes());
    }
    h.update(labels.join("\0").as_bytes());
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
