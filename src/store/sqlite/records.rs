//! Tasks, plans, events and effects on SQLite.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::{Row, SqlitePool};

use crate::core::ids::{IssueNumber, Login, RepoName, TaskKey};
use crate::core::task::Progress;
use crate::store::error::{StoreError, StoreResult};
use crate::store::records::{EffectRecord, EventRow, NewEvent, PlanRow, TaskFilter, TaskRow};
use crate::store::{from_millis, parse_word, to_i64, to_millis, to_u32, to_u64};

pub(super) async fn effect_done(pool: &SqlitePool, key: &str) -> StoreResult<Option<EffectRecord>> {
    let row = sqlx::query("SELECT done_at, result FROM effects WHERE key = ?")
        .bind(key)
        .fetch_optional(pool)
        .await?;
    row.map(|row| {
        Ok(EffectRecord {
            done_at: from_millis(row.try_get("done_at")?)?,
            result: row.try_get::<Json<Value>, _>("result")?.0,
        })
    })
    .transpose()
}

pub(super) async fn record_effect(
    pool: &SqlitePool,
    key: &str,
    result: &Value,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = sqlx::query(
        "INSERT INTO effects (key, done_at, result) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(to_millis(now))
    .bind(Json(result))
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(super) async fn upsert_task(pool: &SqlitePool, t: &TaskRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tasks (repo, issue_number, parent, key, type, priority, owner, status,
                            progress, heartbeat_at, retries, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo, issue_number) DO UPDATE SET
             parent = excluded.parent, key = excluded.key, type = excluded.type,
             priority = excluded.priority, owner = excluded.owner, status = excluded.status,
             progress = excluded.progress, heartbeat_at = excluded.heartbeat_at,
             retries = excluded.retries, updated_at = excluded.updated_at",
    )
    .bind(t.repo.to_string())
    .bind(to_i64(t.issue_number.0, "issue number")?)
    .bind(
        t.parent
            .map(|p| to_i64(p.0, "parent issue number"))
            .transpose()?,
    )
    .bind(t.key.as_ref().map(|k| k.as_str()))
    .bind(t.task_type.as_str())
    .bind(t.priority.as_str())
    .bind(t.owner.as_ref().map(|o| o.as_str()))
    .bind(t.status.as_str())
    .bind(i64::from(t.progress.get()))
    .bind(t.heartbeat_at.map(to_millis))
    .bind(i64::from(t.retries))
    .bind(to_millis(t.updated_at))
    .execute(pool)
    .await?;
    Ok(())
}

fn task_row(row: &SqliteRow) -> StoreResult<TaskRow> {
    let repo: String = row.try_get("repo")?;
    let key: Option<String> = row.try_get("key")?;
    let progress: i64 = row.try_get("progress")?;
    Ok(TaskRow {
        repo: parse_word(&repo, "task repository")?,
        issue_number: IssueNumber(to_u64(row.try_get("issue_number")?, "issue number")?),
        parent: row
            .try_get::<Option<i64>, _>("parent")?
            .map(|p| to_u64(p, "parent issue number").map(IssueNumber))
            .transpose()?,
        key: key
            .map(|k| {
                TaskKey::new(k).map_err(|e| StoreError::Corrupt {
                    what: "task key",
                    detail: e.to_string(),
                })
            })
            .transpose()?,
        task_type: parse_word(row.try_get::<&str, _>("type")?, "task type")?,
        priority: parse_word(row.try_get::<&str, _>("priority")?, "task priority")?,
        owner: row.try_get::<Option<String>, _>("owner")?.map(Login),
        status: parse_word(row.try_get::<&str, _>("status")?, "task status")?,
        progress: Progress::new(to_u32(progress, "task progress")?).map_err(|e| {
            StoreError::Corrupt {
                what: "task progress",
                detail: e.to_string(),
            }
        })?,
        heartbeat_at: row
            .try_get::<Option<i64>, _>("heartbeat_at")?
            .map(from_millis)
            .transpose()?,
        retries: to_u32(row.try_get("retries")?, "task retries")?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(super) async fn get_task(
    pool: &SqlitePool,
    repo: &RepoName,
    issue: IssueNumber,
) -> StoreResult<Option<TaskRow>> {
    let row = sqlx::query("SELECT * FROM tasks WHERE repo = ? AND issue_number = ?")
        .bind(repo.to_string())
        .bind(to_i64(issue.0, "issue number")?)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(task_row).transpose()
}

pub(super) async fn list_tasks(pool: &SqlitePool, f: &TaskFilter) -> StoreResult<Vec<TaskRow>> {
    let rows = sqlx::query(
        "SELECT * FROM tasks
         WHERE (?1 IS NULL OR repo = ?1) AND (?2 IS NULL OR status = ?2)
           AND (?3 IS NULL OR owner = ?3)
         ORDER BY repo, issue_number",
    )
    .bind(f.repo.as_ref().map(|r| r.to_string()))
    .bind(f.status.map(|s| s.as_str()))
    .bind(f.owner.as_ref().map(|o| o.as_str()))
    .fetch_all(pool)
    .await?;
    rows.iter().map(task_row).collect()
}

pub(super) async fn upsert_plan(pool: &SqlitePool, p: &PlanRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO plans (repo, issue_number, hash, json, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (repo, issue_number) DO UPDATE SET
             hash = excluded.hash, json = excluded.json, updated_at = excluded.updated_at",
    )
    .bind(p.repo.to_string())
    .bind(to_i64(p.issue_number.0, "issue number")?)
    .bind(&p.hash)
    .bind(Json(&p.json))
    .bind(to_millis(p.updated_at))
    .execute(pool)
    .await?;
    Ok(())
}

fn plan_row(row: &SqliteRow) -> StoreResult<PlanRow> {
    Ok(PlanRow {
        repo: parse_word(row.try_get::<&str, _>("repo")?, "plan repository")?,
        issue_number: IssueNumber(to_u64(row.try_get("issue_number")?, "issue number")?),
        hash: row.try_get("hash")?,
        json: row.try_get::<Json<Value>, _>("json")?.0,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(super) async fn get_plan(
    pool: &SqlitePool,
    repo: &RepoName,
    issue: IssueNumber,
) -> StoreResult<Option<PlanRow>> {
    let row = sqlx::query("SELECT * FROM plans WHERE repo = ? AND issue_number = ?")
        .bind(repo.to_string())
        .bind(to_i64(issue.0, "issue number")?)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(plan_row).transpose()
}

pub(super) async fn list_plans(
    pool: &SqlitePool,
    repo: Option<&RepoName>,
) -> StoreResult<Vec<PlanRow>> {
    let rows = sqlx::query(
        "SELECT * FROM plans WHERE (?1 IS NULL OR repo = ?1) ORDER BY repo, issue_number",
    )
    .bind(repo.map(|r| r.to_string()))
    .fetch_all(pool)
    .await?;
    rows.iter().map(plan_row).collect()
}

pub(super) async fn append_event(pool: &SqlitePool, e: &NewEvent) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO events (ts, kind, repo, issue, data) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(to_millis(e.ts))
    .bind(&e.kind)
    .bind(e.repo.as_ref().map(|r| r.to_string()))
    .bind(e.issue.map(|i| to_i64(i.0, "issue number")).transpose()?)
    .bind(Json(&e.data))
    .fetch_one(pool)
    .await?;
    Ok(id)
}

pub(super) async fn events_since(
    pool: &SqlitePool,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<EventRow>> {
    let rows = sqlx::query("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?")
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(event_row).collect()
}

pub(super) async fn latest_events(
    pool: &SqlitePool,
    repo: Option<&RepoName>,
    limit: u32,
) -> StoreResult<Vec<EventRow>> {
    let rows = sqlx::query(
        "SELECT * FROM (SELECT * FROM events WHERE (?1 IS NULL OR repo = ?1)
                       ORDER BY id DESC LIMIT ?2) ORDER BY id",
    )
    .bind(repo.map(ToString::to_string))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter().map(event_row).collect()
}

fn event_row(row: &SqliteRow) -> StoreResult<EventRow> {
    Ok(EventRow {
        id: row.try_get("id")?,
        event: NewEvent {
            ts: from_millis(row.try_get("ts")?)?,
            kind: row.try_get("kind")?,
            repo: row
                .try_get::<Option<&str>, _>("repo")?
                .map(|r| parse_word(r, "event repository"))
                .transpose()?,
            issue: row
                .try_get::<Option<i64>, _>("issue")?
                .map(|i| to_u64(i, "issue number").map(IssueNumber))
                .transpose()?,
            data: row.try_get::<Json<Value>, _>("data")?.0,
        },
    })
}
