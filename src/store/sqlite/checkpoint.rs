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
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            // Busy or closing: the next tick tries again; a commit never depends on it.
            if let Err(e) = run(&pool).await {
                tracing::debug!(error = %e, "WAL checkpoint did not run; retrying later");
            }
        }
    });
}

async fn run(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut wal = checkpoint(pool, PASSIVE).await?;
    if wal.frames <= WAL_LIMIT_FRAMES {
        return Ok(());
    }
    // A passive round copies the frames that were there when it began; the
    // next one shows how many arrived meanwhile.
    let mut caught_up = false;
    for _ in 0..CATCH_UP_ROUNDS {
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
    Ok(())
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
