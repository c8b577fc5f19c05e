//! Fired schedule slots on PostgreSQL: claiming a slot and enqueuing its job
//! happen in one transaction; the primary key decides between replicas that
//! claim the same slot at once (the loser inserts nothing).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::jobs::insert_job;
use crate::core::ids::RepoName;
use crate::store::error::StoreResult;
use crate::store::job::NewJob;
use crate::store::parse_word;

pub(super) async fn last_slot(
    pool: &PgPool,
    repo: &RepoName,
    schedule: &str,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT MAX(slot) FROM schedule_runs WHERE repo = $1 AND schedule = $2")
            .bind(repo.to_string())
            .bind(schedule)
            .fetch_one(pool)
            .await?,
    )
}

pub(super) async fn claim(
    pool: &PgPool,
    repo: &RepoName,
    schedule: &str,
    slot: DateTime<Utc>,
    job: &NewJob,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut tx = pool.begin().await?;
    let newer: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT slot FROM schedule_runs WHERE repo = $1 AND schedule = $2 AND slot > $3 LIMIT 1",
    )
    .bind(repo.to_string())
    .bind(schedule)
    .bind(slot)
    .fetch_optional(&mut *tx)
    .await?;
    if newer.is_some() {
        return Ok(false);
    }
    let n = sqlx::query(
        "INSERT INTO schedule_runs (repo, schedule, slot, fired_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(repo.to_string())
    .bind(schedule)
    .bind(slot)
    .bind(now)
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

pub(super) async fn known_repos(pool: &PgPool) -> StoreResult<Vec<RepoName>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT repo FROM deliveries WHERE repo IS NOT NULL
         UNION SELECT repo FROM tasks
         UNION SELECT repo FROM installed_repos WHERE NOT removed
         EXCEPT SELECT repo FROM installed_repos WHERE removed
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    names.iter().map(|n| parse_word(n, "repository")).collect()
}

pub(super) async fn set_installed(
    pool: &PgPool,
    installation: i64,
    repos: &[RepoName],
    removed: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    for repo in repos {
        sqlx::query(
            "INSERT INTO installed_repos (repo, installation_id, removed, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (repo) DO UPDATE SET installation_id = excluded.installation_id,
               removed = excluded.removed, updated_at = excluded.updated_at",
        )
        .bind(repo.to_string())
        .bind(installation)
        .bind(removed)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
