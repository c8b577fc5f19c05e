//! The orchestrator as the worker pool's job handler: a leased `event` job's
//! payload holds the normalized event, which `app::handle` turns into GitHub
//! writes (idempotently, so a re-run after a crash or expired lease is safe).

use std::sync::Arc;

use crate::app::event::Event;
use crate::app::ports::{GitHub, Ledger};
use crate::app::schedules::SCHEDULE_JOB;
use crate::app::{AppError, Ctx, handle};
use crate::store::{LeasedJob, Store};

use super::ingest::BoxFuture;
use super::store_runner::JobHandler;

/// Runs `event` jobs through the orchestrator.
#[derive(Debug)]
pub struct OrchestratorHandler<G, S> {
    ctx: Arc<Ctx<G, S>>,
}

impl<G, S> OrchestratorHandler<G, S> {
    /// A handler over this context (GitHub client, store, bot login).
    pub fn new(ctx: Ctx<G, S>) -> Self {
        Self { ctx: Arc::new(ctx) }
    }

    /// The context, shared with the schedule ticker.
    pub fn ctx(&self) -> Arc<Ctx<G, S>> {
        self.ctx.clone()
    }
}

impl<G, S> JobHandler for OrchestratorHandler<G, S>
where
    G: GitHub + Send + Sync + 'static,
    S: Ledger + Store + Send + Sync + 'static,
{
    fn wait_before(&self, job: &LeasedJob) -> Option<std::time::Duration> {
        let repo = job.payload.get("repo")?.as_str()?.parse().ok()?;
        self.ctx.gh.held_back(&repo)
    }

    fn handle<'a>(&'a self, job: &'a LeasedJob) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            if job.kind == SCHEDULE_JOB {
                return super::schedules::run_job(&self.ctx, job).await;
            }
            let Some(raw) = job.payload.get("event") else {
                // A payload without an event can never succeed; failing it
                // lets it reach the dead list where a person can see it.
                return Err(format!("job {} has no `event` in its payload", job.id));
            };
            let event: Event = serde_json::from_value(raw.clone())
                .map_err(|e| format!("job {} holds an unreadable event: {e}", job.id))?;
            match handle(&event, &self.ctx).await {
                Ok(outcome) => {
                    tracing::info!(?outcome, "handled");
                    Ok(())
                }
                // `handle` posts user errors itself; one that escapes is not
                // worth retrying either.
                Err(AppError::User(u)) => {
                    tracing::info!(message = %u.message, "user error");
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            }
        })
    }
}
