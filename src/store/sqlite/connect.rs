//! Opening a SQLite store: URL options, pragmas, migrations.

use std::str::FromStr;
use std::time::Duration;

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
        // Only for a new file (an existing one keeps its page size): a
        // ~14 KB webhook payload fills one 16 KiB page instead of spilling
        // into four overflow pages of 4 KiB.
        .page_size(16_384)
        .journal_mode(SqliteJournalMode::Wal)
        // Checkpoints run from `checkpoint.rs`, never inside a commit.
        .pragma("wal_autocheckpoint", "0")
        .synchronous(synchronous)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true))
}

/// A pool over `options`; writers serialize inside SQLite, readers run in parallel (WAL).
pub(crate) fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
}
