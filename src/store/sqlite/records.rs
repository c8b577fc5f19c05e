//! Tasks, plans, events and effects on SQLite: the shared statements of
//! [`crate::store::shared_sql`] with this backend's codec.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{Row, SqlitePool};

use super::codec::{enc_time, get_opt_time, get_time};
use crate::core::ids::{IssueNumber, Login, RepoName, TaskKey};
use crate::core::task::Progress;
use crate::store::error::{StoreError, StoreResult};
use crate::store::job::{JobId, JobRow, JobState};
use crate::store::records::{EffectRecord, EventRow, NewEvent, PlanRow, TaskFilter, TaskRow};
use crate::store::shared_sql::{record_queries, row_mappers};
use crate::store::{parse_word, to_i64, to_u32, to_u64};

row_mappers!(sqlx::sqlite::SqliteRow);
record_queries!(SqlitePool);
