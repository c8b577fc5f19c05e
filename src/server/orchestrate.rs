//! The orchestrator as the worker pool's job handler. Three kinds of job:
//!
//! - `event`: the payload holds the normalized event, which `app::handle`
//!   turns into GitHub writes (idempotently, so a re-run after a crash or an
//!   expired lease is safe);
//! - `reconcile`: one repository; lists its open parents with the trigger
//!   label and enqueues one `converge` job per parent, so the repair of each
//!   parent runs under that parent's lock like any event about it;
//! - `converge`: one parent, brought in line with its plan from GitHub's
//!   state; then its tasks waiting for an `automated` review are judged
//!   again from their pull requests' checks.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::app::config_load::load_config;
use crate::app::converge::converge;
use crate::app::event::{Event, LinkedIssue};
use crate::app::ports::{GitHub, StateFilter};
use crate::app::recheck_family;
use crate::app::schedules::SCHEDULE_JOB;
use crate::app::{AppError, Ctx, handle};
use crate::core::config::Config;
use crate::core::ids::{IssueNumber, RepoName};
use crate::store::{Enqueued, LeasedJob, NewJob, Store, StoreResult, TaskFilter};

use super::ingest::BoxFuture;
use super::store_runner::JobHandler;
use super::webhook::EVENT_JOB;

/// The job kind that reconciles one repository.
pub const RECONCILE_JOB: &str = "reconcile";
/// The job kind that converges one parent issue.
pub const CONVERGE_JOB: &str = "converge";

/// A job reconciling `repo`; one per repository is queued at a time, and a
/// finished one is queued again (the next period's run).
pub fn reconcile_job(repo: &RepoName, run_at: DateTime<Utc>) -> NewJob {
    NewJob::new(RECONCILE_JOB, json!({ "repo": repo }), run_at)
        .dedupe(format!("{RECONCILE_JOB}:{repo}"))
        .requeue_if_done()
}

/// A job converging parent `n` of `repo`; at most one queued per parent.
pub fn converge_job(repo: &RepoName, n: IssueNumber, run_at: DateTime<Utc>) -> NewJob {
    NewJob::new(CONVERGE_JOB, json!({ "repo": repo, "issue": n.0 }), run_at)
        .dedupe(format!("{CONVERGE_JOB}:{repo}#{n}"))
        .requeue_if_done()
}

/// Enqueues a `reconcile` job, runnable at `now`, for every repository with
/// an open vayu task in the store (the periodic reconcile; GitHub does not
/// redeliver what it failed to deliver). Returns the repositories whose job
/// was queued; one still queued or running from the last period is left alone.
pub async fn enqueue_reconciles<S: Store>(
    store: &S,
    now: DateTime<Utc>,
) -> StoreResult<Vec<RepoName>> {
    let repos: BTreeSet<RepoName> = store
        .list_tasks(&TaskFilter::default())
        .await?
        .into_iter()
        .filter(|t| !t.status.is_terminal())
        .map(|t| t.repo)
        .collect();
    let mut queued = Vec::new();
    for repo in repos {
        match store.enqueue(&reconcile_job(&repo, now), now).await? {
            Enqueued::New(_) | Enqueued::Requeued(_) => queued.push(repo),
            Enqueued::Duplicate => {}
        }
    }
    Ok(queued)
}

/// Runs `event`, `reconcile` and `converge` jobs through the orchestrator.
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

/// The parent issue an event is about: a sub-issue's parent (from GitHub's
/// `parent_issue_url`, so closing two sub-issues at once cannot race on the
/// parent's checklist or completion report), the parent end of a sub-issue
/// link, the blocked end of a dependency, else the issue itself.
pub fn event_subject(event: &Event) -> Option<(RepoName, IssueNumber)> {
    let linked = |l: &LinkedIssue| l.number.map(|n| (l.repo.clone(), n));
    let own = |origin: &crate::app::event::Origin, issue: &crate::app::event::Issue| {
        Some(match &issue.parent {
            Some(p) => (p.repo.clone(), p.number),
            None => (origin.repo.clone(), issue.number),
        })
    };
    match event {
        Event::IssueOpened { origin, issue }
        | Event::IssueEdited { origin, issue, .. }
        | Event::IssueLabeled { origin, issue, .. }
        | Event::IssueUnlabeled { origin, issue, .. }
        | Event::IssueClosed { origin, issue, .. }
        | Event::IssueReopened { origin, issue }
        | Event::IssueDeleted { origin, issue }
        | Event::CommentCreated { origin, issue, .. }
        | Event::CommentEdited { origin, issue, .. } => own(origin, issue),
        Event::SubIssueAdded { link, .. } | Event::SubIssueRemoved { link, .. } => {
            linked(&link.parent)
        }
        Event::DependencyAdded { link, .. } | Event::DependencyRemoved { link, .. } => {
            linked(&link.blocked)
        }
        _ => None,
    }
}

fn payload_repo(job: &LeasedJob) -> Result<RepoName, String> {
    let raw = job
        .payload
        .get("repo")
        .and_then(|r| r.as_str())
        .ok_or_else(|| format!("job {} has no `repo` in its payload", job.id))?;
    raw.parse()
        .map_err(|e| format!("job {} names a bad repository `{raw}`: {e}", job.id))
}

fn payload_issue(job: &LeasedJob) -> Result<IssueNumber, String> {
    job.payload
        .get("issue")
        .and_then(|i| i.as_u64())
        .map(IssueNumber)
        .ok_or_else(|| format!("job {} has no `issue` number in its payload", job.id))
}

fn parse_event(job: &LeasedJob) -> Result<Event, String> {
    let Some(raw) = job.payload.get("event") else {
        // A payload without an event can never succeed; failing it lets it
        // reach the dead list where a person can see it.
        return Err(format!("job {} has no `event` in its payload", job.id));
    };
    serde_json::from_value(raw.clone())
        .map_err(|e| format!("job {} holds an unreadable event: {e}", job.id))
}

impl<G, S> OrchestratorHandler<G, S>
where
    G: GitHub + Send + Sync + 'static,
    S: Store + 'static,
{
    async fn handle_event(&self, job: &LeasedJob) -> Result<(), String> {
        let event = parse_event(job)?;
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
    }

    /// Enqueues a `converge` job for every open parent with the trigger label.
    async fn fan_out(&self, job: &LeasedJob) -> Result<(), String> {
        let repo = payload_repo(job)?;
        let trigger = match load_config(&self.ctx.gh, &repo)
            .await
            .map_err(|e| e.to_string())?
        {
            Ok(cfg) => cfg.labels.trigger,
            // A broken config is reported on the issues it concerns; the
            // parents are still found by the default trigger label.
            Err(_) => Config::default().labels.trigger,
        };
        let now = self.ctx.now();
        let open = self
            .ctx
            .gh
            .issues_with_label(&repo, &trigger, StateFilter::Open)
            .await
            .map_err(|e| e.to_string())?;
        let parents = open.len();
        for issue in open {
            self.ctx
                .store
                .enqueue(&converge_job(&repo, issue.number, now), now)
                .await
                .map_err(|e| e.to_string())?;
        }
        tracing::info!(%repo, parents, "reconcile: converge jobs enqueued");
        Ok(())
    }

    async fn converge_one(&self, job: &LeasedJob) -> Result<(), String> {
        let repo = payload_repo(job)?;
        let n = payload_issue(job)?;
        let ran = async {
            let outcome = converge(&self.ctx, &repo, n, false).await?;
            // Under the same lock: its tasks waiting for an `automated` review.
            let review_writes = match load_config(&self.ctx.gh, &repo).await? {
                Ok(cfg) => recheck_family(&self.ctx, &cfg, &repo, n).await?,
                Err(_) => 0,
            };
            Ok::<_, AppError>((outcome, review_writes))
        };
        match ran.await {
            Ok((outcome, review_writes)) => {
                tracing::info!(?outcome, review_writes, "converged");
                Ok(())
            }
            Err(AppError::User(u)) => {
                tracing::info!(message = %u.message, "user error");
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

impl<G, S> JobHandler for OrchestratorHandler<G, S>
where
    G: GitHub + Send + Sync + 'static,
    S: Store + 'static,
{
    fn wait_before(&self, job: &LeasedJob) -> Option<std::time::Duration> {
        let repo = job.payload.get("repo")?.as_str()?.parse().ok()?;
        self.ctx.gh.held_back(&repo)
    }

    fn handle<'a>(&'a self, job: &'a LeasedJob) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            match job.kind.as_str() {
                RECONCILE_JOB => self.fan_out(job).await,
                CONVERGE_JOB => self.converge_one(job).await,
                EVENT_JOB => self.handle_event(job).await,
                SCHEDULE_JOB => super::schedules::run_job(&self.ctx, job).await,
                other => Err(format!("job {} has an unknown kind `{other}`", job.id)),
            }
        })
    }

    fn lock_key(&self, job: &LeasedJob) -> Option<(RepoName, IssueNumber)> {
        match job.kind.as_str() {
            CONVERGE_JOB => Some((payload_repo(job).ok()?, payload_issue(job).ok()?)),
            EVENT_JOB => event_subject(&parse_event(job).ok()?),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::event_subject;
    use crate::core::ids::IssueNumber;
    use crate::github::webhook::{Normalized, normalize};

    fn edited(parent_url: Option<&str>) -> crate::app::event::Event {
        let mut v: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/github/webhooks/issues.edited.1.json"
        ))
        .unwrap_or_default();
        v["issue"]["number"] = 12.into();
        if let Some(url) = parent_url {
            v["issue"]["parent_issue_url"] = url.into();
        }
        match normalize("issues", v.to_string().as_bytes()) {
            Ok(Normalized::Event(e)) => e,
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn a_sub_issue_event_locks_its_parent() {
        let (repo, n) = event_subject(&edited(Some(
            "https://api.github.com/repos/octo-org/plans/issues/7",
        )))
        .unwrap_or_else(|| panic!("no subject"));
        assert_eq!(
            (repo.to_string(), n),
            ("octo-org/plans".into(), IssueNumber(7))
        );
    }

    #[test]
    fn a_top_level_issue_locks_itself() {
        let event = edited(None);
        let (_, n) = event_subject(&event).unwrap_or_else(|| panic!("no subject"));
        assert_eq!(n, IssueNumber(12));
        // Not a sub-issue: the event's JSON is unchanged (no `parent` key).
        let json = serde_json::to_value(&event).unwrap_or_default();
        assert!(json["issue"].get("parent").is_none(), "{json}");
    }

    #[test]
    fn a_malformed_parent_url_falls_back_to_the_issue() {
        let (_, n) = event_subject(&edited(Some("https://example.com/nonsense")))
            .unwrap_or_else(|| panic!("no subject"));
        assert_eq!(n, IssueNumber(12));
    }
}
