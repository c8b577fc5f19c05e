//! WAL checkpoints off the commit path. With SQLite's default (an automatic
//! checkpoint inside the commit that crosses 1,000 WAL pages) a group commit
//! now and then also copies the WAL into the database and fsyncs both files,
//! and every request in that batch waits for it. Here the connections never
//! checkpoint on commit; this task does it from its own connection, which in
//! WAL mode runs alongside the writer. Durability is unchanged: a commit is
//! in the WAL either way, and the checkpoint still fsyncs the WAL before it
//! copies (`synchronous=NORMAL`, see `connect.rs`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::SqlitePool;

/// How often the WAL is copied back into the database while it grows. Each
/// round copies what arrived since the last: at 100 ms a round took ~20 ms of
/// a core, and the requests that waited for a core meanwhile set the p99
/// (wrk with the bench's load, 8 s runs: p99 6.2 ms at 100 ms, 5.3 ms at 25 ms).
const PERIOD: Duration = Duration::from_millis(25);

/// How often an idle log is looked at.
const IDLE_PERIOD: Duration = Duration::from_millis(500);

/// WAL frames (pages) above which the checkpointer restarts the log. A
/// passive checkpoint never blocks, but under steady writes it never catches
/// the writer either (the writer restarts the log only when every frame is
/// copied at the moment it begins), so without a restart the WAL file would
/// grow for as long as the load lasts.
const WAL_LIMIT_FRAMES: i64 = 16_384;

/// Frames a restart may still have to copy. RESTART holds the write lock
/// while it copies what the passive checkpoints left, so every delivery in
/// the next batch waits for that copy: passive rounds first shrink the
/// remainder (each copies what arrived during the previous one) until it
/// takes a millisecond or two.
const RESTART_REMAINDER_FRAMES: i64 = 256;

/// Passive rounds tried per tick before giving up on restarting this time.
const CATCH_UP_ROUNDS: usize = 8;

/// Attempts at a restart per tick while the writer holds the lock.
const RESTART_TRIES: usize = 200;

/// Past this size the log is restarted even if the passive rounds did not
/// catch up, so the file stays bounded under any load.
const WAL_HARD_LIMIT_FRAMES: i64 = 4 * WAL_LIMIT_FRAMES;

const PASSIVE: &str = "PRAGMA wal_checkpoint(PASSIVE)";
const RESTART: &str = "PRAGMA wal_checkpoint(RESTART)";

/// Starts the checkpointer; it ends once the pool is closed.
pub(super) fn spawn(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut database = None;
        let mut last_frames = 0;
        let mut period = PERIOD;
        loop {
            tokio::time::sleep(period).await;
            if pool.is_closed() {
                break;
            }
            if database.is_none() {
                database = database_file(&pool).await.ok();
            }
            let file = database.as_ref().and_then(Option::as_deref);
            // Busy or closing: the next round tries again; a commit never depends on it.
            match run(&pool, file).await {
                Ok(frames) => {
                    period = if frames == last_frames {
                        IDLE_PERIOD
                    } else {
                        PERIOD
                    };
                    last_frames = frames;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "WAL checkpoint did not run; retrying later");
                }
            }
        }
    });
}

/// Runs one round; returns the frames in the log when it began.
async fn run(pool: &SqlitePool, database: Option<&Path>) -> Result<i64, sqlx::Error> {
    let mut wal = checkpoint(pool, PASSIVE).await?;
    let frames = wal.frames;
    if wal.frames <= WAL_LIMIT_FRAMES {
        return Ok(frames);
    }
    // A passive round copies the frames that were there when it began; the
    // next one shows how many arrived meanwhile.
    let mut caught_up = false;
    for _ in 0..CATCH_UP_ROUNDS {
        // The restart ends by fsyncing the database file while it holds the
        // write lock, and that fsync writes every page the passive rounds
        // copied: 20–30 ms with every request of the next batch waiting.
        // Written out here first, outside any lock, it leaves the restart
        // only the pages of its last round (restart 26 ms → 2–3 ms, p99
        // 12–25 ms → 6 ms).
        if let Some(database) = database {
            write_out(database).await;
        }
        let next = checkpoint(pool, PASSIVE).await?;
        let arrived = next.frames - wal.frames;
        wal = next;
        if (0..=RESTART_REMAINDER_FRAMES).contains(&arrived) {
            caught_up = true;
            break;
        }
    }
    if caught_up || wal.frames > WAL_HARD_LIMIT_FRAMES {
        // This connection has no busy timeout: SQLite's handler would sleep
        // 10 or 20 ms while the writer commits, and a pending RESTART holds
        // back the next writer the whole time. Trying again as soon as the
        // writer's commit ends keeps that wait to one commit.
        for tries in 0..RESTART_TRIES {
            let restarted = checkpoint(pool, RESTART).await?;
            if !restarted.busy {
                break;
            }
            if tries < 32 {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }
    Ok(frames)
}

/// The database's file, `None` for an in-memory database.
async fn database_file(pool: &SqlitePool) -> Result<Option<PathBuf>, sqlx::Error> {
    let files: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
        .fetch_all(pool)
        .await?;
    Ok(files
        .into_iter()
        .find(|(_, name, file)| name == "main" && !file.is_empty())
        .map(|(_, _, file)| PathBuf::from(file)))
}

/// Writes the database file's dirty pages to disk (`fdatasync`), on a
/// blocking thread. An extra sync never weakens durability; a failure only
/// leaves the restart's own fsync more to do.
async fn write_out(database: &Path) {
    let database = database.to_owned();
    let synced = tokio::task::spawn_blocking(move || File::open(&database)?.sync_data()).await;
    if let Ok(Err(e)) = synced {
        tracing::debug!(error = %e, "could not write out the database file before a WAL restart");
    }
}

/// What a checkpoint reported: whether it could not finish (busy), and the
/// frames in the log when it began.
struct Wal {
    busy: bool,
    frames: i64,
}

/// Runs one checkpoint.
async fn checkpoint(pool: &SqlitePool, pragma: &'static str) -> Result<Wal, sqlx::Error> {
    let (busy, frames, _copied): (i64, i64, i64) = sqlx::query_as(pragma).fetch_one(pool).await?;
    Ok(Wal {
        busy: busy != 0,
        frames,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_file_to_write_out_is_the_database_and_none_in_memory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vayu.db");
        let on_disk = SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .expect("file database");
        let file = database_file(&on_disk).await.expect("database_list");
        assert_eq!(file.as_deref(), Some(path.as_path()));

        let in_memory = SqlitePool::connect("sqlite::memory:")
            .await
            .expect("memory");
        assert_eq!(
            database_file(&in_memory).await.expect("database_list"),
            None
        );
    }
}
