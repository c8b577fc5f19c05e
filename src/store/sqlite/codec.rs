//! How SQLite stores what it has no type for: instants as integer
//! milliseconds since the epoch, lease tokens as text. Used by the shared
//! statements of [`crate::store::shared_sql`].

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::store::error::StoreResult;
use crate::store::job::LeaseToken;
use crate::store::{from_millis, to_millis};

pub(super) fn enc_time(t: DateTime<Utc>) -> i64 {
    to_millis(t)
}

pub(super) fn get_time(row: &SqliteRow, col: &str) -> StoreResult<DateTime<Utc>> {
    from_millis(row.try_get(col)?)
}

pub(super) fn get_opt_time(row: &SqliteRow, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    row.try_get::<Option<i64>, _>(col)?
        .map(from_millis)
        .transpose()
}

pub(super) fn enc_token(lease: LeaseToken) -> String {
    lease.0.to_string()
}
