//! PostgreSQL advisory locks per parent issue, each on a dedicated connection.

use sqlx::PgPool;
use sqlx::Postgres;
use sqlx::pool::PoolConnection;

use crate::store::error::StoreResult;

/// Holds a session-level advisory lock on its own connection. Give it to
/// `Store::unlock` to release it and return the connection to the pool; if
/// it is dropped instead, the connection is closed, which also releases the
/// lock (a pooled connection must never go back still holding it).
#[derive(Debug)]
pub struct PgLockGuard {
    key: i64,
    conn: Option<PoolConnection<Postgres>>,
}

pub(super) async fn lock(pool: &PgPool, key: i64) -> StoreResult<PgLockGuard> {
    let mut conn = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(PgLockGuard {
        key,
        conn: Some(conn),
    })
}

pub(super) async fn try_lock(pool: &PgPool, key: i64) -> StoreResult<Option<PgLockGuard>> {
    let mut conn = pool.acquire().await?;
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(key)
        .fetch_one(&mut *conn)
        .await?;
    Ok(got.then_some(PgLockGuard {
        key,
        conn: Some(conn),
    }))
}

impl PgLockGuard {
    /// Releases the lock and returns the connection to the pool.
    pub async fn release(mut self) -> StoreResult<()> {
        if let Some(mut conn) = self.conn.take() {
            let result = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1)")
                .bind(self.key)
                .fetch_one(&mut *conn)
                .await;
            if result.is_err() {
                conn.close_on_drop();
            }
            result?;
        }
        Ok(())
    }
}

impl Drop for PgLockGuard {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}
