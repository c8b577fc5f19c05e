//! Fired schedule slots on SQLite: claiming a slot and enqueuing its job
//! happen in one `BEGIN IMMEDIATE` transaction, so a slot is claimed once
//! and a claimed slot always has its job.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::IMMEDIATE;
use super::jobs::insert_job;
use crate::core::ids::RepoName;
use crate::store::error::StoreResult;
use crate::store::job::NewJob;
use crate::store::{from_millis, parse_word, to_millis};

pub(super) async fn last_slot(
    pool: &SqlitePool,
    repo: &RepoName,
    schedule: &str,
) -> StoreResult<Option<DateTime<Utc>>> {
    let ms: Option<i64> =
        sqlx::query_scalar("SELECT MAX(slot) FROM schedule_runs WHERE repo = ? AND schedule = ?")
            .bind(repo.to_string())
            .bind(schedule)
            .fetch_one(pool)
            .await?;
    ms.map(from_millis).transpose()
}

pub(super) async fn claim(
    pool: &SqlitePool,
    repo: &RepoName,
    schedule: &str,
    slot: DateTime<Utc>,
    job: &NewJob,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let newer: Option<i64> = sqlx::query_scalar(
        "SELECT slot FROM schedule_runs WHERE repo = ? AND schedule = ? AND slot >= ? LIMIT 1",
    )
    .bind(repo.to_string())
    .bind(schedule)
    .bind(to_millis(slot))
    .fetch_optional(&mut *tx)
    .await?;
    if newer.is_some() {
        return Ok(false);
    }
    let n = sqlx::query(
        "INSERT INTO schedule_runs (repo, schedule, slot, fired_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(repo.to_string())
    .bind(schedule)
    .bind(to_millis(slot))
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    insert_job(&mut tx, job, now).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn known_repos(pool: &SqlitePool) -> StoreResult<Vec<RepoName>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT repo FROM deliveries WHERE repo IS NOT NULL
         UNION SELECT repo FROM tasks
         UNION SELECT repo FROM installed_repos WHERE removed = 0
         EXCEPT SELECT repo FROM installed_repos WHERE removed = 1
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    names.iter().map(|n| parse_word(n, "repository")).collect()
}

pub(super) async fn set_installed(
    pool: &SqlitePool,
    installation: i64,
    repos: &[RepoName],
    removed: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    for repo in repos {
        sqlx::query(
            "INSERT INTO installed_repos (repo, installation_id, removed, updated_at)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (repo) DO UPDATE SET installation_id = excluded.installation_id,
               removed = excluded.removed, updated_at = excluded.updated_at",
        )
        .bind(repo.to_string())
        .bind(installation)
        .bind(i64::from(removed))
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
