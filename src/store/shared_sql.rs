//! Statements and row mappers that read the same on SQLite and PostgreSQL,
//! written once and stamped out per backend.
//!
//! One SQL text serves both because sqlx-sqlite accepts `$N` parameters, and
//! `CAST($N AS TEXT) IS NULL` types an optional filter on PostgreSQL while
//! meaning the same on SQLite. The backends differ only in how an instant is
//! stored (SQLite: integer milliseconds; PostgreSQL: `timestamptz`) and how a
//! lease token is bound (text vs `uuid`), so each invoking module supplies a
//! small codec in scope:
//!
//! - `enc_time(DateTime<Utc>) -> impl Encode`, `get_time(&Row, &str)` and
//!   `get_opt_time(&Row, &str)` for instants;
//! - `enc_token(LeaseToken) -> impl Encode` for lease tokens.
//!
//! These are macros rather than generic functions because sqlx's generic
//! bounds (`for<'q> Encode<'q, DB>`, `&str: Decode<'r, DB>`, `Executor<'c>` …)
//! for a dozen column types would bury the SQL. Statements that really differ
//! (leasing with `FOR UPDATE SKIP LOCKED`, backoff arithmetic, advisory locks,
//! SQLite's group commit) stay in the backend modules.

/// Row mappers shared by both backends: `task_row`, `plan_row`, `event_row`,
/// `job_row` over `$row` (the backend's row type).
macro_rules! row_mappers {
    ($row:ty) => {
        pub(super) fn task_row(row: &$row) -> StoreResult<TaskRow> {
            let repo: String = row.try_get("repo")?;
            let key: Option<String> = row.try_get("key")?;
            let progress: i64 = row.try_get("progress")?;
            Ok(TaskRow {
                repo: parse_word(&repo, "task repository")?,
                issue_number: IssueNumber(to_u64(row.try_get("issue_number")?, "issue number")?),
                parent: row
                    .try_get::<Option<i64>, _>("parent")?
                    .map(|p| to_u64(p, "parent issue number").map(IssueNumber))
                    .transpose()?,
                key: key
                    .map(|k| {
                        TaskKey::new(k).map_err(|e| StoreError::Corrupt {
                            what: "task key",
                            detail: e.to_string(),
                        })
                    })
                    .transpose()?,
                task_type: parse_word(row.try_get::<&str, _>("type")?, "task type")?,
                priority: parse_word(row.try_get::<&str, _>("priority")?, "task priority")?,
                owner: row.try_get::<Option<String>, _>("owner")?.map(Login),
                status: parse_word(row.try_get::<&str, _>("status")?, "task status")?,
                progress: Progress::new(to_u32(progress, "task progress")?).map_err(|e| {
                    StoreError::Corrupt {
                        what: "task progress",
                        detail: e.to_string(),
                    }
                })?,
                heartbeat_at: get_opt_time(row, "heartbeat_at")?,
                retries: to_u32(row.try_get("retries")?, "task retries")?,
                updated_at: get_time(row, "updated_at")?,
            })
        }

        pub(super) fn plan_row(row: &$row) -> StoreResult<PlanRow> {
            Ok(PlanRow {
                repo: parse_word(row.try_get::<&str, _>("repo")?, "plan repository")?,
                issue_number: IssueNumber(to_u64(row.try_get("issue_number")?, "issue number")?),
                hash: row.try_get("hash")?,
                json: row.try_get::<Json<Value>, _>("json")?.0,
                updated_at: get_time(row, "updated_at")?,
            })
        }

        pub(super) fn event_row(row: &$row) -> StoreResult<EventRow> {
            Ok(EventRow {
                id: row.try_get("id")?,
                event: NewEvent {
                    ts: get_time(row, "ts")?,
                    kind: row.try_get("kind")?,
                    repo: row
                        .try_get::<Option<&str>, _>("repo")?
                        .map(|r| parse_word(r, "event repository"))
                        .transpose()?,
                    issue: row
                        .try_get::<Option<i64>, _>("issue")?
                        .map(|i| to_u64(i, "issue number").map(IssueNumber))
                        .transpose()?,
                    data: row.try_get::<Json<Value>, _>("data")?.0,
                },
            })
        }

        pub(super) fn job_row(row: &$row) -> StoreResult<JobRow> {
            let state: String = row.try_get("state")?;
            Ok(JobRow {
                id: JobId(row.try_get("id")?),
                kind: row.try_get("kind")?,
                dedupe_key: row.try_get("dedupe_key")?,
                payload: row.try_get::<Json<Value>, _>("payload")?.0,
                state: JobState::parse(&state).ok_or(StoreError::Corrupt {
                    what: "job state",
                    detail: state.clone(),
                })?,
                attempts: to_u32(row.try_get("attempts")?, "job attempts")?,
                max_attempts: to_u32(row.try_get("max_attempts")?, "job max_attempts")?,
                run_at: get_time(row, "run_at")?,
                lease_until: get_opt_time(row, "lease_until")?,
                leased_by: row.try_get("leased_by")?,
                last_error: row.try_get("last_error")?,
                created_at: get_time(row, "created_at")?,
                updated_at: get_time(row, "updated_at")?,
            })
        }
    };
}

/// Effects, tasks, plans and events over `$pool` (the backend's pool type);
/// expects the mappers of [`row_mappers!`] in scope.
macro_rules! record_queries {
    ($pool:ty) => {
        pub(super) async fn effect_done(pool: &$pool, key: &str) -> StoreResult<Option<EffectRecord>> {
            let row = sqlx::query("SELECT done_at, result FROM effects WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?;
            row.map(|row| {
                Ok(EffectRecord {
                    done_at: get_time(&row, "done_at")?,
                    result: row.try_get::<Json<Value>, _>("result")?.0,
                })
            })
            .transpose()
        }

        pub(super) async fn record_effect(
            pool: &$pool,
            key: &str,
            result: &Value,
            now: DateTime<Utc>,
        ) -> StoreResult<bool> {
            let n = sqlx::query(
                "INSERT INTO effects (key, done_at, result) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(enc_time(now))
            .bind(Json(result))
            .execute(pool)
            .await?
            .rows_affected();
            Ok(n == 1)
        }

        pub(super) async fn upsert_task(pool: &$pool, t: &TaskRow) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO tasks (repo, issue_number, parent, key, type, priority, owner, status,
                                    progress, heartbeat_at, retries, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (repo, issue_number) DO UPDATE SET
                     parent = excluded.parent, key = excluded.key, type = excluded.type,
                     priority = excluded.priority, owner = excluded.owner, status = excluded.status,
                     progress = excluded.progress, heartbeat_at = excluded.heartbeat_at,
                     retries = excluded.retries, updated_at = excluded.updated_at",
            )
            .bind(t.repo.to_string())
            .bind(to_i64(t.issue_number.0, "issue number")?)
            .bind(
                t.parent
                    .map(|p| to_i64(p.0, "parent issue number"))
                    .transpose()?,
            )
            .bind(t.key.as_ref().map(|k| k.as_str()))
            .bind(t.task_type.as_str())
            .bind(t.priority.as_str())
            .bind(t.owner.as_ref().map(|o| o.as_str()))
            .bind(t.status.as_str())
            .bind(i64::from(t.progress.get()))
            .bind(t.heartbeat_at.map(enc_time))
            .bind(i64::from(t.retries))
            .bind(enc_time(t.updated_at))
            .execute(pool)
            .await?;
            Ok(())
        }

        pub(super) async fn get_task(
            pool: &$pool,
            repo: &RepoName,
            issue: IssueNumber,
        ) -> StoreResult<Option<TaskRow>> {
            let row = sqlx::query("SELECT * FROM tasks WHERE repo = $1 AND issue_number = $2")
                .bind(repo.to_string())
                .bind(to_i64(issue.0, "issue number")?)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(task_row).transpose()
        }

        pub(super) async fn list_tasks(pool: &$pool, f: &TaskFilter) -> StoreResult<Vec<TaskRow>> {
            let rows = sqlx::query(
                "SELECT * FROM tasks
                 WHERE (CAST($1 AS TEXT) IS NULL OR repo = $1)
                   AND (CAST($2 AS TEXT) IS NULL OR status = $2)
                   AND (CAST($3 AS TEXT) IS NULL OR owner = $3)
                 ORDER BY repo, issue_number",
            )
            .bind(f.repo.as_ref().map(|r| r.to_string()))
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.owner.as_ref().map(|o| o.as_str()))
            .fetch_all(pool)
            .await?;
            rows.iter().map(task_row).collect()
        }

        pub(super) async fn upsert_plan(pool: &$pool, p: &PlanRow) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO plans (repo, issue_number, hash, json, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (repo, issue_number) DO UPDATE SET
                     hash = excluded.hash, json = excluded.json, updated_at = excluded.updated_at",
            )
            .bind(p.repo.to_string())
            .bind(to_i64(p.issue_number.0, "issue number")?)
            .bind(&p.hash)
            .bind(Json(&p.json))
            .bind(enc_time(p.updated_at))
            .execute(pool)
            .await?;
            Ok(())
        }

        pub(super) async fn get_plan(
            pool: &$pool,
            repo: &RepoName,
            issue: IssueNumber,
        ) -> StoreResult<Option<PlanRow>> {
            let row = sqlx::query("SELECT * FROM plans WHERE repo = $1 AND issue_number = $2")
                .bind(repo.to_string())
                .bind(to_i64(issue.0, "issue number")?)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(plan_row).transpose()
        }

        pub(super) async fn list_plans(
            pool: &$pool,
            repo: Option<&RepoName>,
        ) -> StoreResult<Vec<PlanRow>> {
            let rows = sqlx::query(
                "SELECT * FROM plans WHERE (CAST($1 AS TEXT) IS NULL OR repo = $1)
                 ORDER BY repo, issue_number",
            )
            .bind(repo.map(|r| r.to_string()))
            .fetch_all(pool)
            .await?;
            rows.iter().map(plan_row).collect()
        }

        pub(super) async fn append_event(pool: &$pool, e: &NewEvent) -> StoreResult<i64> {
            let id = sqlx::query_scalar(
                "INSERT INTO events (ts, kind, repo, issue, data) VALUES ($1, $2, $3, $4, $5)
                 RETURNING id",
            )
            .bind(enc_time(e.ts))
            .bind(&e.kind)
            .bind(e.repo.as_ref().map(|r| r.to_string()))
            .bind(e.issue.map(|i| to_i64(i.0, "issue number")).transpose()?)
            .bind(Json(&e.data))
            .fetch_one(pool)
            .await?;
            Ok(id)
        }

        pub(super) async fn events_since(
            pool: &$pool,
            after: i64,
            limit: u32,
        ) -> StoreResult<Vec<EventRow>> {
            let rows = sqlx::query("SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter().map(event_row).collect()
        }

        pub(super) async fn latest_events(
            pool: &$pool,
            repo: Option<&RepoName>,
            limit: u32,
        ) -> StoreResult<Vec<EventRow>> {
            let rows = sqlx::query(
                "SELECT * FROM (SELECT * FROM events WHERE (CAST($1 AS TEXT) IS NULL OR repo = $1)
                                ORDER BY id DESC LIMIT $2) AS latest ORDER BY id",
            )
            .bind(repo.map(ToString::to_string))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.iter().map(event_row).collect()
        }
    };
}

/// Job-queue statements that read the same on both backends (leasing,
/// reaping and failing do not, and stay per backend); expects `job_row` in
/// scope.
macro_rules! job_queries {
    ($pool:ty) => {
        pub(super) async fn defer(
            pool: &$pool,
            id: JobId,
            lease: LeaseToken,
            run_at: DateTime<Utc>,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            let n = sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $3, updated_at = $4,
                        lease_until = NULL, lease_token = NULL
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            )
            .bind(id.0)
            .bind(enc_token(lease))
            .bind(enc_time(run_at))
            .bind(enc_time(now))
            .execute(pool)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::LeaseLost { job: id });
            }
            Ok(())
        }

        pub(super) async fn complete(
            pool: &$pool,
            id: JobId,
            lease: LeaseToken,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'done', lease_until = NULL, lease_token = NULL,
                        updated_at = $3
                 WHERE id = $1 AND lease_token = $2 AND state <> 'done'",
            )
            .bind(id.0)
            .bind(enc_token(lease))
            .bind(enc_time(now))
            .execute(pool)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(StoreError::LeaseLost { job: id });
            }
            Ok(())
        }

        pub(super) async fn list_jobs(pool: &$pool, state: JobState) -> StoreResult<Vec<JobRow>> {
            let rows = sqlx::query("SELECT * FROM jobs WHERE state = $1 ORDER BY id")
                .bind(state.as_str())
                .fetch_all(pool)
                .await?;
            rows.iter().map(job_row).collect()
        }

        pub(super) async fn retry_dead(
            pool: &$pool,
            id: JobId,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            let n = sqlx::query(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2,
                        lease_token = NULL
                 WHERE id = $1 AND state = 'dead'",
            )
            .bind(id.0)
            .bind(enc_time(now))
            .execute(pool)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(crate::store::no_dead_job(id));
            }
            Ok(())
        }

        pub(super) async fn queue_depth(pool: &$pool) -> StoreResult<QueueDepth> {
            let rows: Vec<(String, i64)> =
                sqlx::query_as("SELECT state, count(*) FROM jobs GROUP BY state")
                    .fetch_all(pool)
                    .await?;
            let mut depth = QueueDepth::default();
            for (state, n) in rows {
                let state = JobState::parse(&state).ok_or(StoreError::Corrupt {
                    what: "job state",
                    detail: state.clone(),
                })?;
                depth.add(state, crate::store::to_u64(n, "job count")?);
            }
            Ok(depth)
        }
    };
}

/// The [`Store`](crate::store::Store) methods whose bodies are the same call
/// on both backends: everything but the lock methods (PostgreSQL advisory
/// locks vs SQLite's process-local table). Expands inside
/// `impl Store for …`; `self.pool`, `self.backoff`, `MIGRATOR` and the
/// backend's `deliveries`, `jobs`, `records` and `schedules` modules resolve
/// where it is invoked.
macro_rules! delegate_store {
    () => {
        async fn readiness(&self) -> StoreResult<()> {
            let applied: Vec<i64> =
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(&self.pool)
                    .await?;
            crate::store::any::check_migrations(&MIGRATOR, &applied)
        }

        async fn close(&self) {
            self.close_pools().await;
        }

        async fn record_delivery(
            &self,
            delivery: &NewDelivery,
            jobs: &[NewJob],
        ) -> StoreResult<Recorded> {
            deliveries::record_delivery(self, delivery, jobs).await
        }

        async fn record_deliveries(
            &self,
            batch: &[DeliveryWithJobs],
        ) -> StoreResult<Vec<StoreResult<Recorded>>> {
            deliveries::record_deliveries(self, batch).await
        }

        async fn prune_deliveries(&self, older_than: DateTime<Utc>) -> StoreResult<u64> {
            deliveries::prune_deliveries(&self.pool, older_than).await
        }

        async fn delivery_body(
            &self,
            id: &crate::core::ids::DeliveryId,
        ) -> StoreResult<Option<Vec<u8>>> {
            let row: Option<(Vec<u8>, String)> =
                sqlx::query_as("SELECT payload, encoding FROM deliveries WHERE id = $1")
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
            row.map(|(stored, encoding)| {
                crate::store::records::decode_stored_body(&encoding, &stored)
            })
            .transpose()
        }

        async fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> StoreResult<Enqueued> {
            jobs::enqueue(&self.pool, job, now).await
        }

        async fn lease(
            &self,
            worker: &str,
            kinds: Option<&[&str]>,
            lease_for: Duration,
            now: DateTime<Utc>,
            limit: u32,
        ) -> StoreResult<Vec<LeasedJob>> {
            jobs::lease(
                &self.pool,
                self.backoff,
                worker,
                kinds,
                lease_for,
                now,
                limit,
            )
            .await
        }

        async fn complete(
            &self,
            id: JobId,
            lease: LeaseToken,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            jobs::complete(&self.pool, id, lease, now).await
        }

        async fn fail(
            &self,
            id: JobId,
            lease: LeaseToken,
            error: &str,
            now: DateTime<Utc>,
        ) -> StoreResult<Failed> {
            jobs::fail(&self.pool, self.backoff, id, lease, error, now).await
        }

        async fn defer(
            &self,
            id: JobId,
            lease: LeaseToken,
            run_at: DateTime<Utc>,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            jobs::defer(&self.pool, id, lease, run_at, now).await
        }

        async fn list_jobs(&self, state: JobState) -> StoreResult<Vec<JobRow>> {
            jobs::list_jobs(&self.pool, state).await
        }

        async fn retry_dead(&self, id: JobId, now: DateTime<Utc>) -> StoreResult<()> {
            jobs::retry_dead(&self.pool, id, now).await
        }

        async fn queue_depth(&self) -> StoreResult<QueueDepth> {
            jobs::queue_depth(&self.pool).await
        }

        async fn effect_done(&self, key: &str) -> StoreResult<Option<EffectRecord>> {
            records::effect_done(&self.pool, key).await
        }

        async fn record_effect(
            &self,
            key: &str,
            result: &Value,
            now: DateTime<Utc>,
        ) -> StoreResult<bool> {
            records::record_effect(&self.pool, key, result, now).await
        }

        async fn upsert_task(&self, task: &TaskRow) -> StoreResult<()> {
            records::upsert_task(&self.pool, task).await
        }

        async fn get_task(
            &self,
            repo: &RepoName,
            issue: IssueNumber,
        ) -> StoreResult<Option<TaskRow>> {
            records::get_task(&self.pool, repo, issue).await
        }

        async fn list_tasks(&self, filter: &TaskFilter) -> StoreResult<Vec<TaskRow>> {
            records::list_tasks(&self.pool, filter).await
        }

        async fn upsert_plan(&self, plan: &PlanRow) -> StoreResult<()> {
            records::upsert_plan(&self.pool, plan).await
        }

        async fn get_plan(
            &self,
            repo: &RepoName,
            issue: IssueNumber,
        ) -> StoreResult<Option<PlanRow>> {
            records::get_plan(&self.pool, repo, issue).await
        }

        async fn list_plans(&self, repo: Option<&RepoName>) -> StoreResult<Vec<PlanRow>> {
            records::list_plans(&self.pool, repo).await
        }

        async fn append_event(&self, event: &NewEvent) -> StoreResult<i64> {
            records::append_event(&self.pool, event).await
        }

        async fn latest_events(
            &self,
            repo: Option<&RepoName>,
            limit: u32,
        ) -> StoreResult<Vec<EventRow>> {
            records::latest_events(&self.pool, repo, limit).await
        }

        async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRow>> {
            records::events_since(&self.pool, after, limit).await
        }

        async fn last_schedule_slot(
            &self,
            repo: &RepoName,
            schedule: &str,
        ) -> StoreResult<Option<DateTime<Utc>>> {
            schedules::last_slot(&self.pool, repo, schedule).await
        }

        async fn claim_schedule_slot(
            &self,
            repo: &RepoName,
            schedule: &str,
            slot: DateTime<Utc>,
            job: &NewJob,
            now: DateTime<Utc>,
        ) -> StoreResult<bool> {
            schedules::claim(&self.pool, repo, schedule, slot, job, now).await
        }

        async fn known_repos(&self) -> StoreResult<Vec<RepoName>> {
            schedules::known_repos(&self.pool).await
        }

        async fn set_installed(
            &self,
            installation: crate::core::ids::InstallationId,
            repos: &[RepoName],
            removed: bool,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            let id = crate::store::to_i64(installation.0, "installation id")?;
            schedules::set_installed(&self.pool, id, repos, removed, now).await
        }
    };
}

pub(crate) use {delegate_store, job_queries, record_queries, row_mappers};
