//! Opening a SQLite store: URL options, pragmas, migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::store::error::{StoreError, StoreResult, redact_url};

/// How a `sqlite://` URL asks vayu to open the file.
pub(crate) fn options_from_url(url: &str) -> StoreResult<SqliteConnectOptions> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    // NORMAL in WAL mode syncs at checkpoints, not at every commit: a
    // committed transaction survives a crash of the process (the WAL is in
    // the OS page cache), but on power loss or an OS crash the last few
    // transactions may roll back. GitHub does not redeliver by itself, and a
    // periodic reconcile finds what was missed, so that trade is worth the
    // throughput; `?synchronous=full` opts into an fsync per commit.
    let mut synchronous = SqliteSynchronous::Normal;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("synchronous", v)) if v.eq_ignore_ascii_case("full") => {
                synchronous = SqliteSynchronous::Full
            }
            Some(("synchronous", v)) if v.eq_ignore_ascii_case("normal") => {
                synchronous = SqliteSynchronous::Normal
            }
            Some(("synchronous", v)) => {
                return Err(StoreError::InvalidUrl {
                    url: redact_url(url),
                    reason: format!(
                        "synchronous={v}: use `synchronous=full` or `synchronous=normal`"
                    ),
                });
            }
            _ => rest.push(pair),
        }
    }
    let rebuilt = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let options =
        SqliteConnectOptions::from_str(&rebuilt).map_err(|source| StoreError::Connect {
            url: redact_url(url),
            source,
        })?;
    Ok(options
        .create_if_missing(true)
        // Only for a new file (an existing one keeps its page size). Bodies
        // are ~3 KB compressed; every commit rewrites the last leaf of six
        // B-trees, and with 16 KiB pages the WAL took 31 KB per delivery
        // against 16 KB with 4 KiB pages (`bench/ingest.sh`, no checkpoints).
        .page_size(4096)
        .journal_mode(SqliteJournalMode::Wal)
        // Checkpoints run from `checkpoint.rs`, never inside a commit.
        .pragma("wal_autocheckpoint", "0")
        .synchronous(synchronous)
        .busy_timeout(Duration::from_secs(5))
        // A multi-row insert keeps a statement journal; past 64 KiB SQLite
        // spills it to a temporary file, created and deleted per commit.
        .pragma("temp_store", "memory")
        .foreign_keys(true))
}

/// The ingest writer: a single connection, so its page cache stays warm
/// across group commits (see `SqliteStore::writer`).
pub(crate) fn writer_pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .test_before_acquire(false)
}

/// `options` for the ingest writer: a 16 MiB page cache (SQLite's default is
/// 2 MiB) holds the B-tree pages a stream of inserts touches, and no busy
/// timeout: the writer retries a busy database itself, in finer steps than
/// SQLite's handler (`deliveries::retry_busy`).
pub(crate) fn writer_options(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .pragma("cache_size", "-16384")
        .busy_timeout(Duration::ZERO)
        .thread_name(|_| "vayu-db-writer".to_owned())
}

/// The checkpointer's own connection, without a busy timeout (it retries a
/// busy restart itself, see `checkpoint.rs`).
pub(crate) fn checkpointer_pool(options: &SqliteConnectOptions) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .test_before_acquire(false)
        .connect_lazy_with(
            options
                .clone()
                .busy_timeout(Duration::ZERO)
                .thread_name(|_| "vayu-checkpoint".to_owned()),
        )
}

/// A pool over `options`; writers serialize inside SQLite, readers run in parallel (WAL).
pub(crate) fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .test_before_acquire(false)
}
