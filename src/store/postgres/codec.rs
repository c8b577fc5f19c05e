//! PostgreSQL stores instants as `timestamptz` and lease tokens as `uuid`,
//! so the codec of [`crate::store::shared_sql`] passes them through.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::store::error::StoreResult;
use crate::store::job::LeaseToken;

pub(super) fn enc_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t
}

pub(super) fn get_time(row: &PgRow, col: &str) -> StoreResult<DateTime<Utc>> {
    Ok(row.try_get(col)?)
}

pub(super) fn get_opt_time(row: &PgRow, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(row.try_get(col)?)
}

pub(super) fn enc_token(lease: LeaseToken) -> Uuid {
    lease.0
}
