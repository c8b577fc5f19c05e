//! Scheduled tasks on the server: a tick claims each due slot in the
//! database together with its job (one transaction, unique per slot), and
//! the worker that leases the job opens the issue. Several replicas ticking
//! at once, or a restart after downtime, still fire each slot at most once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::task::JoinHandle;

use crate::app::ports::GitHub;
use crate::app::schedules::{DueSlot, SCHEDULE_JOB, SlotClaims, claim_due, fire};
use crate::app::{AppError, Ctx};
use crate::core::ids::RepoName;
use crate::core::schedule::slot_id;
use crate::store::{LeasedJob, NewJob, Store};

/// Slots claimed in the store; a claim enqueues the slot's job.
#[derive(Debug)]
pub struct StoreClaims<'a, S> {
    store: &'a S,
    now: DateTime<Utc>,
}

impl<S: Store> SlotClaims for StoreClaims<'_, S> {
    async fn last_fired(
        &self,
        repo: &RepoName,
        schedule: &str,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        self.store
            .last_schedule_slot(repo, schedule)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    async fn claim(
        &self,
        repo: &RepoName,
        schedule: &str,
        slot: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let job = NewJob::new(
            SCHEDULE_JOB,
            json!({ "repo": repo.to_string(), "schedule": schedule, "slot": slot.to_rfc3339() }),
            self.now,
        )
        .dedupe(format!("schedule/{repo}/{schedule}/{}", slot_id(slot)));
        self.store
            .claim_schedule_slot(repo, schedule, slot, &job, self.now)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// Claims the due slots of every repository vayu knows, at the context's
/// clock; returns what was claimed (each now has a queued job).
pub async fn tick<G: GitHub, S: Store>(ctx: &Ctx<G, S>) -> Result<Vec<DueSlot>, AppError> {
    let repos = ctx
        .store
        .known_repos()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let claims = StoreClaims {
        store: &ctx.store,
        now: ctx.now(),
    };
    let mut claimed = Vec::new();
    for repo in repos {
        match claim_due(&ctx.gh, &claims, &repo, claims.now).await {
            Ok(due) => claimed.extend(due),
            // One repository's trouble (config unreadable, GitHub down) must
            // not starve the others; the next tick tries again.
            Err(e) => tracing::warn!(%repo, error = %e, "schedules not checked"),
        }
    }
    Ok(claimed)
}

/// Runs a `schedule` job: opens (or finds) the slot's issue and triages it.
pub async fn run_job<G: GitHub, S: Store>(ctx: &Ctx<G, S>, job: &LeasedJob) -> Result<(), String> {
    let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str());
    let (Some(repo), Some(schedule), Some(slot)) =
        (field("repo"), field("schedule"), field("slot"))
    else {
        return Err(format!("schedule job {} lacks repo/schedule/slot", job.id));
    };
    let repo: RepoName = repo
        .parse()
        .map_err(|e| format!("schedule job {}: {e}", job.id))?;
    let slot = DateTime::parse_from_rfc3339(slot)
        .map_err(|e| format!("schedule job {}: bad slot: {e}", job.id))?
        .with_timezone(&Utc);
    match fire(ctx, &repo, schedule, slot).await {
        Ok(n) => {
            tracing::info!(%repo, schedule, issue = ?n.map(|n| n.0), "schedule fired");
            Ok(())
        }
        Err(AppError::User(u)) => {
            tracing::info!(message = %u.message, "user error");
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Ticks every `every` until the handle is aborted.
pub fn spawn_ticker<G, S>(ctx: Arc<Ctx<G, S>>, every: Duration) -> JoinHandle<()>
where
    G: GitHub + 'static,
    S: Store + 'static,
{
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match tick(&ctx).await {
                Ok(c) if !c.is_empty() => tracing::info!(slots = c.len(), "schedules claimed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "schedule tick failed"),
            }
        }
    })
}
