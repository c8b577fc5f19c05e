//! WAL checkpoints off the commit path. With SQLite's default (an automatic
//! checkpoint inside the commit that crosses 1,000 WAL pages) a group commit
//! now and then also copies the WAL into the database and fsyncs both files,
//! and every request in that batch waits for it. Here the connections never
//! checkpoint on commit; this task does it from its own connection, which in
//! WAL mode runs alongside the writer. Durability is unchanged: a commit is
//! in the WAL either way, and the checkpoint still fsyncs the WAL before it
//! copies (`synchronous=NORMAL`, see `connect.rs`).

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::time::MissedTickBehavior;

/// How often the WAL is copied back into the database.
const PERIOD: Duration = Duration::from_millis(100);

/// WAL frames (pages) above which the checkpoint waits for the writer and
/// restarts the log. A passive checkpoint never blocks, but under steady
/// writes it never catches the writer either, so without this the WAL file
/// would grow for as long as the load lasts.
const WAL_LIMIT_FRAMES: i64 = 8_192;

const PASSIVE: &str = "PRAGMA wal_checkpoint(PASSIVE)";
const RESTART: &str = "PRAGMA wal_checkpoint(RESTART)";

/// Starts the checkpointer; it ends once the pool is closed.
pub(super) fn spawn(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            match checkpoint(&pool, PASSIVE).await {
                Ok(frames) if frames > WAL_LIMIT_FRAMES => {
                    if let Err(e) = checkpoint(&pool, RESTART).await {
                        tracing::debug!(error = %e, "WAL restart checkpoint did not run; retrying later");
                    }
                }
                Ok(_) => {}
                // Busy or closing: the next tick tries again; a commit never depends on it.
                Err(e) => tracing::debug!(error = %e, "WAL checkpoint did not run; retrying later"),
            }
        }
    });
}

/// Runs one checkpoint; returns the WAL's size in frames before it.
async fn checkpoint(pool: &SqlitePool, pragma: &'static str) -> Result<i64, sqlx::Error> {
    let (_busy, log, _copied): (i64, i64, i64) = sqlx::query_as(pragma).fetch_one(pool).await?;
    Ok(log)
}
