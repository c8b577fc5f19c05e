//! The ledger port over the real store: effect keys, events, task and plan
//! rows. Task rows keep what others (heartbeats, retries) wrote.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::ports::{EffectDone, Ledger, LedgerError, LedgerEvent, LedgerResult, TaskRecord};
use crate::core::ids::{IssueNumber, RepoName};
use crate::core::task::Progress;
use crate::store::{NewEvent, PlanRow, Store, StoreError, TaskRow};

fn err(e: StoreError) -> LedgerError {
    LedgerError(e.to_string())
}

impl<T: Store> Ledger for T {
    async fn effect_done(&self, key: &str) -> LedgerResult<Option<EffectDone>> {
        let rec = Store::effect_done(self, key).await.map_err(err)?;
        Ok(rec.map(|r| EffectDone {
            done_at: r.done_at,
            result: r.result,
        }))
    }

    async fn record_effect(
        &self,
        key: &str,
        result: &Value,
        now: DateTime<Utc>,
    ) -> LedgerResult<bool> {
        Store::record_effect(self, key, result, now)
            .await
            .map_err(err)
    }

    async fn append_event(&self, e: &LedgerEvent) -> LedgerResult<()> {
        let event = NewEvent {
            ts: e.ts,
            kind: e.kind.to_owned(),
            repo: Some(e.repo.clone()),
            issue: Some(e.issue),
            data: e.data.clone(),
        };
        Store::append_event(self, &event)
            .await
            .map(drop)
            .map_err(err)
    }

    async fn upsert_task(&self, t: &TaskRecord) -> LedgerResult<()> {
        let old = self.get_task(&t.repo, t.issue).await.map_err(err)?;
        let row = TaskRow {
            repo: t.repo.clone(),
            issue_number: t.issue,
            parent: t.parent,
            key: t.key.clone(),
            task_type: t.task_type,
            priority: t.priority,
            owner: t
                .owner
                .clone()
                .or_else(|| old.as_ref().and_then(|o| o.owner.clone())),
            status: t.status,
            progress: old.as_ref().map_or(Progress::ZERO, |o| o.progress),
            heartbeat_at: old.as_ref().and_then(|o| o.heartbeat_at),
            retries: old.as_ref().map_or(0, |o| o.retries),
            updated_at: t.updated_at,
        };
        if old.as_ref().is_some_and(|o| same_cached(o, &row)) {
            return Ok(());
        }
        Store::upsert_task(self, &row).await.map_err(err)
    }

    async fn save_plan(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
        hash: &str,
        plan: &Value,
        now: DateTime<Utc>,
    ) -> LedgerResult<()> {
        let old = self.get_plan(repo, issue).await.map_err(err)?;
        if old.is_some_and(|p| p.hash == hash) {
            return Ok(());
        }
        let row = PlanRow {
            repo: repo.clone(),
            issue_number: issue,
            hash: hash.to_owned(),
            json: plan.clone(),
            updated_at: now,
        };
        self.upsert_plan(&row).await.map_err(err)
    }

    async fn set_installed(
        &self,
        installation: crate::core::ids::InstallationId,
        repos: &[RepoName],
        removed: bool,
        now: DateTime<Utc>,
    ) -> LedgerResult<()> {
        Store::set_installed(self, installation, repos, removed, now)
            .await
            .map_err(err)
    }

    async fn task_history(
        &self,
        repo: &RepoName,
        limit: u32,
    ) -> LedgerResult<Vec<crate::core::report::TaskEvent>> {
        let rows = Store::latest_events(self, Some(repo), limit)
            .await
            .map_err(err)?;
        Ok(super::history::task_events(&rows))
    }
}

/// Whether a row differs only in its timestamp (no need to write it again).
fn same_cached(a: &TaskRow, b: &TaskRow) -> bool {
    a.parent == b.parent
        && a.key == b.key
        && a.task_type == b.task_type
        && a.priority == b.priority
        && a.owner == b.owner
        && a.status == b.status
}
