//! The store test suite, written once against the `Store` trait and run by
//! `tests/store_sqlite.rs` and `tests/store_postgres.rs`. Time is passed in,
//! so nothing here sleeps or depends on the clock.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use tokio::sync::Barrier;
use uuid::Uuid;

use vayu::core::ids::{DeliveryId, InstallationId, IssueNumber, Login, RepoName, TaskKey};
use vayu::core::task::{Priority, Progress, Status, TaskType};
use vayu::store::{
    Backoff, DeliveryBody, DeliveryWithJobs, Enqueued, Failed, JobState, NewDelivery, NewEvent,
    NewJob, PlanRow, QueueDepth, Recorded, Store, StoreError, TaskFilter, TaskRow,
};

/// The backoff every runner configures: 10 s doubling, at most 60 s.
pub const BACKOFF: Backoff = Backoff {
    base: Duration::from_secs(10),
    cap: Duration::from_secs(60),
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn secs(n: i64) -> chrono::Duration {
    chrono::Duration::seconds(n)
}

fn repo() -> RepoName {
    "octo/widgets".parse().unwrap()
}

fn delivery(id: &str) -> NewDelivery {
    NewDelivery {
        id: DeliveryId(id.to_owned()),
        event: "issues".into(),
        action: Some("opened".into()),
        installation_id: Some(InstallationId(42)),
        repo: Some(repo()),
        received_at: t0(),
        payload: format!(r#"{{"delivery":"{id}"}}"#).into(),
    }
}

fn job_for(delivery: &str, n: u32) -> NewJob {
    NewJob::new("issue_event", json!({ "delivery": delivery, "n": n }), t0())
        .dedupe(format!("{delivery}/{n}"))
}

async fn queued_payloads<S: Store>(s: &S) -> Vec<serde_json::Value> {
    s.list_jobs(JobState::Queued)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.payload)
        .collect()
}

pub async fn delivery_and_jobs_are_atomic<S: Store>(s: &S) {
    let mut broken = job_for("d1", 2);
    broken.max_attempts = 0; // violates a CHECK: the whole transaction must roll back
    let err = s
        .record_delivery(&delivery("d1"), &[job_for("d1", 1), broken])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err}");
    assert_eq!(s.queue_depth().await.unwrap(), QueueDepth::default());

    let outcome = s
        .record_delivery(&delivery("d1"), &[job_for("d1", 1), job_for("d1", 2)])
        .await
        .unwrap();
    assert_eq!(outcome, Recorded::Inserted);
    assert_eq!(
        queued_payloads(s).await,
        vec![
            json!({"delivery": "d1", "n": 1}),
            json!({"delivery": "d1", "n": 2})
        ]
    );
}

pub async fn duplicate_delivery_enqueues_nothing<S: Store>(s: &S) {
    assert_eq!(
        s.record_delivery(&delivery("d1"), &[job_for("d1", 1)])
            .await
            .unwrap(),
        Recorded::Inserted
    );
    // A redelivery keeps its id; its jobs (even new ones) are not enqueued.
    assert_eq!(
        s.record_delivery(&delivery("d1"), &[job_for("d1", 1), job_for("d1", 9)])
            .await
            .unwrap(),
        Recorded::Duplicate
    );
    assert_eq!(s.queue_depth().await.unwrap().queued, 1);
}

pub async fn batch_with_duplicates_keeps_the_others<S: Store>(s: &S) {
    s.record_delivery(&delivery("d1"), &[job_for("d1", 1)])
        .await
        .unwrap();
    let item = |id: &str| DeliveryWithJobs {
        delivery: delivery(id),
        jobs: vec![job_for(id, 1)],
    };
    let outcomes: Vec<Recorded> = s
        .record_deliveries(&[item("d2"), item("d1"), item("d3"), item("d2")])
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        outcomes,
        vec![
            Recorded::Inserted,
            Recorded::Duplicate,
            Recorded::Inserted,
            Recorded::Duplicate
        ]
    );
    assert_eq!(
        queued_payloads(s).await,
        vec![
            json!({"delivery": "d1", "n": 1}),
            json!({"delivery": "d2", "n": 1}),
            json!({"delivery": "d3", "n": 1}),
        ]
    );
}

/// A batch far larger than one statement's worth of bodies (PostgreSQL
/// stores it in several statements, see `CHUNK_BYTES`): every delivery gets
/// its own outcome, an id repeated across the batch is stored once, and
/// each new delivery enqueues its job.
pub async fn large_batch_keeps_every_outcome<S: Store>(s: &S) {
    s.record_delivery(&delivery("big-7"), &[job_for("big-7", 1)])
        .await
        .unwrap();
    // ~4 KB bodies that LZ4 cannot shrink much: hex of a running hash.
    let body = |id: &str| {
        let mut x: u64 = id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let hex: String = (0..256)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                format!("{:016x}", x)
            })
            .collect();
        format!(r#"{{"delivery":"{id}","noise":"{hex}"}}"#)
    };
    let item = |id: String| DeliveryWithJobs {
        delivery: NewDelivery {
            payload: body(&id).into(),
            ..delivery(&id)
        },
        jobs: vec![job_for(&id, 1)],
    };
    let mut ids: Vec<String> = (0..40).map(|i| format!("big-{i}")).collect();
    ids.push("big-2".into());
    let batch: Vec<DeliveryWithJobs> = ids.iter().cloned().map(item).collect();
    let outcomes: Vec<Recorded> = s
        .record_deliveries(&batch)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let expected: Vec<Recorded> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if id == "big-7" || i == 40 {
                Recorded::Duplicate
            } else {
                Recorded::Inserted
            }
        })
        .collect();
    assert_eq!(outcomes, expected);
    assert_eq!(s.queue_depth().await.unwrap().queued, 40);
    let id = DeliveryId("big-39".into());
    assert_eq!(
        s.delivery_body(&id).await.unwrap().as_deref(),
        Some(body("big-39").as_bytes())
    );
}

pub async fn two_leasers_one_job<S: Store + Clone + 'static>(s: &S) {
    for round in 0..50 {
        s.enqueue(&NewJob::new("k", json!(round), t0()), t0())
            .await
            .unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let leaser = |worker: &'static str| {
            let (s, barrier) = (s.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                s.lease(worker, None, Duration::from_secs(60), t0(), 1)
                    .await
                    .unwrap()
            })
        };
        let (a, b) = (leaser("a"), leaser("b"));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        assert_eq!(a.len() + b.len(), 1, "round {round}: a={a:?} b={b:?}");
        let job = a.into_iter().chain(b).next().unwrap();
        assert_eq!(job.payload, json!(round));
        s.complete(job.id, job.lease, t0()).await.unwrap();
    }
    let depth = s.queue_depth().await.unwrap();
    assert_eq!((depth.done, depth.queued, depth.running), (50, 0, 0));
}

pub async fn expired_lease_is_leasable_again<S: Store>(s: &S) {
    s.enqueue(&NewJob::new("k", json!(1), t0()), t0())
        .await
        .unwrap();
    let a = s
        .lease("a", None, Duration::from_secs(60), t0(), 10)
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].lease_until, t0() + secs(60));
    assert!(
        s.lease("b", None, Duration::from_secs(60), t0() + secs(59), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Expired at t0+60: that counts as a failed attempt, so the job backs
    // off 10 s from the expiry before anyone may lease it again.
    assert!(
        s.lease("b", None, Duration::from_secs(60), t0() + secs(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let b = s
        .lease("b", None, Duration::from_secs(60), t0() + secs(70), 10)
        .await
        .unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].id, a[0].id);
    assert_eq!(b[0].attempts, 1);
    let running = s.list_jobs(JobState::Running).await.unwrap();
    assert_eq!(running[0].leased_by.as_deref(), Some("b"));

    let lost = s
        .complete(a[0].id, a[0].lease, t0() + secs(71))
        .await
        .unwrap_err();
    assert_eq!(
        lost.to_string(),
        format!(
            "the lease on job {} was lost (it expired and another worker took the job); the result was not recorded",
            a[0].id
        )
    );
    let lost = s
        .fail(a[0].id, a[0].lease, "boom", t0() + secs(71))
        .await
        .unwrap_err();
    assert!(matches!(lost, StoreError::LeaseLost { job } if job == a[0].id));
    s.complete(b[0].id, b[0].lease, t0() + secs(71))
        .await
        .unwrap();
    // Completed: a second completion under the same lease is refused too.
    assert!(matches!(
        s.complete(b[0].id, b[0].lease, t0() + secs(72)).await,
        Err(StoreError::LeaseLost { .. })
    ));
}

pub async fn backoff_then_dead_then_retry<S: Store>(s: &S) {
    let mut job = NewJob::new("k", json!("x"), t0());
    job.max_attempts = 5;
    let Enqueued::New(id) = s.enqueue(&job, t0()).await.unwrap() else {
        panic!("not enqueued")
    };
    let mut now = t0();
    // Waits: 10·2^0, 10·2^1, 10·2^2, then 80 capped at 60.
    for (attempt, wait) in [10, 20, 40, 60].into_iter().enumerate() {
        let leased = s
            .lease("w", None, Duration::from_secs(30), now, 1)
            .await
            .unwrap();
        assert_eq!(leased.len(), 1, "attempt {attempt}");
        assert_eq!(leased[0].attempts, attempt as u32);
        let failed = s
            .fail(id, leased[0].lease, &format!("boom {attempt}"), now)
            .await
            .unwrap();
        assert_eq!(
            failed,
            Failed::RetryAt(now + secs(wait)),
            "attempt {attempt}"
        );
        // Not runnable a second early.
        assert!(
            s.lease("w", None, Duration::from_secs(30), now + secs(wait - 1), 1)
                .await
                .unwrap()
                .is_empty()
        );
        now += secs(wait);
    }
    let leased = s
        .lease("w", None, Duration::from_secs(30), now, 1)
        .await
        .unwrap();
    assert_eq!(
        s.fail(id, leased[0].lease, "last", now).await.unwrap(),
        Failed::Dead
    );
    assert!(
        s.lease("w", None, Duration::from_secs(30), now + secs(86_400), 1)
            .await
            .unwrap()
            .is_empty()
    );

    let dead = s.list_jobs(JobState::Dead).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (id, 5));
    assert_eq!(dead[0].last_error.as_deref(), Some("last"));
    assert_eq!(s.queue_depth().await.unwrap().dead, 1);

    assert_eq!(s.list_dead().await.unwrap(), dead);
    s.retry_dead(id, now).await.unwrap();
    let again = s.retry_dead(id, now).await.unwrap_err();
    assert_eq!(
        again.to_string(),
        format!("no dead job with id {id}: `vayu jobs --dead` lists the dead jobs")
    );
    assert!(matches!(again, StoreError::NotFound { .. }));
    let again = s
        .lease("w", None, Duration::from_secs(30), now, 1)
        .await
        .unwrap();
    assert_eq!((again[0].id, again[0].attempts), (id, 0));
}

pub async fn enqueue_dedupes_by_key<S: Store>(s: &S) {
    let job = NewJob::new("plan", json!(1), t0()).dedupe("octo/widgets#7/plan");
    assert!(matches!(
        s.enqueue(&job, t0()).await.unwrap(),
        Enqueued::New(_)
    ));
    assert_eq!(s.enqueue(&job, t0()).await.unwrap(), Enqueued::Duplicate);
    let keyless = NewJob::new("sweep", json!(null), t0());
    assert!(matches!(
        s.enqueue(&keyless, t0()).await.unwrap(),
        Enqueued::New(_)
    ));
    assert!(matches!(
        s.enqueue(&keyless, t0()).await.unwrap(),
        Enqueued::New(_)
    ));
    assert_eq!(s.queue_depth().await.unwrap().queued, 3);
}

pub async fn effects_record_once<S: Store>(s: &S) {
    assert_eq!(
        s.effect_done("create/octo/widgets#7/api").await.unwrap(),
        None
    );
    assert!(
        s.record_effect("create/octo/widgets#7/api", &json!({"issue": 12}), t0())
            .await
            .unwrap()
    );
    assert!(
        !s.record_effect(
            "create/octo/widgets#7/api",
            &json!({"issue": 13}),
            t0() + secs(1)
        )
        .await
        .unwrap()
    );
    let rec = s
        .effect_done("create/octo/widgets#7/api")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((rec.done_at, rec.result), (t0(), json!({"issue": 12})));
}

pub async fn advisory_lock_excludes<S: Store>(s: &S) {
    // Keys are global on a PostgreSQL server: a name no other test uses.
    let repo: RepoName = format!("lock-test/r{}", Uuid::now_v7().simple())
        .parse()
        .unwrap();
    let held = s.advisory_lock(&repo, IssueNumber(1)).await.unwrap();
    assert!(
        s.try_advisory_lock(&repo, IssueNumber(1))
            .await
            .unwrap()
            .is_none()
    );
    let other = s.try_advisory_lock(&repo, IssueNumber(2)).await.unwrap();
    assert!(other.is_some());
    s.unlock(held).await.unwrap();
    let again = s.try_advisory_lock(&repo, IssueNumber(1)).await.unwrap();
    assert!(again.is_some());
    s.unlock(again.unwrap()).await.unwrap();
    s.unlock(other.unwrap()).await.unwrap();
}

pub async fn events_since_in_order<S: Store>(s: &S) {
    let ev = |kind: &str, issue: Option<u64>| NewEvent {
        ts: t0(),
        kind: kind.into(),
        repo: issue.map(|_| repo()),
        issue: issue.map(IssueNumber),
        data: json!({ "kind": kind }),
    };
    let a = s.append_event(&ev("task.created", Some(7))).await.unwrap();
    let b = s.append_event(&ev("task.status", Some(7))).await.unwrap();
    let c = s.append_event(&ev("sweep", None)).await.unwrap();
    assert!(a < b && b < c);
    let all = s.events_since(0, 10).await.unwrap();
    assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), vec![a, b, c]);
    assert_eq!(all[0].event, ev("task.created", Some(7)));
    assert_eq!(all[2].event, ev("sweep", None));
    let later = s.events_since(a, 10).await.unwrap();
    assert_eq!(later.iter().map(|e| e.id).collect::<Vec<_>>(), vec![b, c]);
    assert_eq!(s.events_since(a, 1).await.unwrap().len(), 1);
    assert!(s.events_since(c, 10).await.unwrap().is_empty());
}

fn task(issue: u64, status: Status, owner: Option<&str>) -> TaskRow {
    TaskRow {
        repo: repo(),
        issue_number: IssueNumber(issue),
        parent: Some(IssueNumber(1)),
        key: Some(TaskKey::new("api").unwrap()),
        task_type: TaskType::Feature,
        priority: Priority::High,
        owner: owner.map(|o| Login(o.into())),
        status,
        progress: Progress::new(40).unwrap(),
        heartbeat_at: Some(t0()),
        retries: 1,
        updated_at: t0(),
    }
}

pub async fn tasks_and_plans_round_trip<S: Store>(s: &S) {
    s.upsert_task(&task(2, Status::Executing, Some("alice")))
        .await
        .unwrap();
    s.upsert_task(&task(3, Status::Queued, None)).await.unwrap();
    let mut changed = task(3, Status::Assigned, Some("bob"));
    changed.heartbeat_at = None;
    s.upsert_task(&changed).await.unwrap();
    assert_eq!(
        s.get_task(&repo(), IssueNumber(3)).await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(s.get_task(&repo(), IssueNumber(4)).await.unwrap(), None);
    let all = s.list_tasks(&TaskFilter::default()).await.unwrap();
    assert_eq!(
        all,
        vec![task(2, Status::Executing, Some("alice")), changed.clone()]
    );
    let by_status = TaskFilter {
        status: Some(Status::Assigned),
        ..Default::default()
    };
    assert_eq!(s.list_tasks(&by_status).await.unwrap(), vec![changed]);
    let by_owner = TaskFilter {
        owner: Some(Login("alice".into())),
        repo: Some(repo()),
        status: None,
    };
    assert_eq!(s.list_tasks(&by_owner).await.unwrap().len(), 1);
    let other_repo = TaskFilter {
        repo: Some("octo/other".parse().unwrap()),
        ..Default::default()
    };
    assert!(s.list_tasks(&other_repo).await.unwrap().is_empty());

    let plan = |hash: &str| PlanRow {
        repo: repo(),
        issue_number: IssueNumber(1),
        hash: hash.into(),
        json: json!({ "subtasks": ["api", "ui"], "hash": hash }),
        updated_at: t0(),
    };
    s.upsert_plan(&plan("h1")).await.unwrap();
    s.upsert_plan(&plan("h2")).await.unwrap();
    assert_eq!(
        s.get_plan(&repo(), IssueNumber(1)).await.unwrap(),
        Some(plan("h2"))
    );
    assert_eq!(s.list_plans(Some(&repo())).await.unwrap(), vec![plan("h2")]);
    assert!(
        s.list_plans(Some(&"a/b".parse().unwrap()))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.list_plans(None).await.unwrap().len(), 1);
}

pub async fn readiness_then_closed<S: Store>(s: &S) {
    s.readiness().await.unwrap();
    s.close().await;
    assert!(s.readiness().await.is_err());
}

pub async fn connect_errors_hide_passwords() {
    let err = vayu::store::connect("mysql://vayu:hunter2@db.example/vayu")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid database URL `mysql://vayu:***@db.example/vayu`: use `sqlite://path/to/vayu.db` or `postgres://user:password@host/db`"
    );
}

pub async fn batch_item_that_fails_rolls_back_alone<S: Store>(s: &S) {
    let mut broken = job_for("d2", 1);
    broken.max_attempts = 0; // violates a CHECK
    let batch = [
        DeliveryWithJobs {
            delivery: delivery("d1"),
            jobs: vec![job_for("d1", 1)],
        },
        DeliveryWithJobs {
            delivery: delivery("d2"),
            jobs: vec![job_for("d2", 0), broken],
        },
        DeliveryWithJobs {
            delivery: delivery("d3"),
            jobs: vec![job_for("d3", 1)],
        },
    ];
    let outcomes = s.record_deliveries(&batch).await.unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0].as_ref().unwrap(), &Recorded::Inserted);
    assert!(
        matches!(&outcomes[1], Err(StoreError::Database(_))),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(outcomes[2].as_ref().unwrap(), &Recorded::Inserted);
    // Neither d2 nor its first (valid) job was kept.
    assert_eq!(
        queued_payloads(s).await,
        vec![
            json!({"delivery": "d1", "n": 1}),
            json!({"delivery": "d3", "n": 1}),
        ]
    );
    assert_eq!(
        s.record_delivery(&delivery("d2"), &[job_for("d2", 0)])
            .await
            .unwrap(),
        Recorded::Inserted
    );
}

pub async fn prune_deliveries_by_age<S: Store>(s: &S) {
    for (id, age) in [("old", 3), ("edge", 2), ("new", 1)] {
        let mut d = delivery(id);
        d.received_at = t0() - chrono::Duration::days(age);
        s.record_delivery(&d, &[job_for(id, 1)]).await.unwrap();
    }
    let cutoff = t0() - chrono::Duration::days(2);
    assert_eq!(s.prune_deliveries(cutoff).await.unwrap(), 1);
    assert_eq!(s.prune_deliveries(cutoff).await.unwrap(), 0);
    // The pruned id is new again; the kept ones are still duplicates.
    assert_eq!(
        s.record_delivery(&delivery("old"), &[]).await.unwrap(),
        Recorded::Inserted
    );
    assert_eq!(
        s.record_delivery(&delivery("edge"), &[]).await.unwrap(),
        Recorded::Duplicate
    );
    // Jobs outlive their delivery.
    assert_eq!(s.queue_depth().await.unwrap().queued, 3);
}

pub async fn lease_filters_by_kind<S: Store>(s: &S) {
    for (kind, n) in [("plan", 1), ("sync", 2), ("plan", 3), ("sweep", 4)] {
        s.enqueue(&NewJob::new(kind, json!(n), t0()), t0())
            .await
            .unwrap();
    }
    let lease = |kinds: Option<&'static [&'static str]>| {
        s.lease("w", kinds, Duration::from_secs(60), t0(), 10)
    };
    let plans = lease(Some(&["plan"])).await.unwrap();
    assert_eq!(
        plans.iter().map(|j| j.payload.clone()).collect::<Vec<_>>(),
        vec![json!(1), json!(3)]
    );
    assert!(lease(Some(&["plan"])).await.unwrap().is_empty());
    assert!(lease(Some(&[])).await.unwrap().is_empty());
    let rest = lease(Some(&["sync", "sweep"])).await.unwrap();
    assert_eq!(
        rest.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(),
        vec!["sync", "sweep"]
    );
    s.enqueue(&NewJob::new("other", json!(5), t0()), t0())
        .await
        .unwrap();
    assert_eq!(lease(None).await.unwrap()[0].kind, "other");
}

pub async fn done_job_is_requeued_only_when_asked<S: Store>(s: &S) {
    let job = NewJob::new("reconcile", json!({"round": 1}), t0()).dedupe("reconcile/octo");
    let Enqueued::New(id) = s.enqueue(&job, t0()).await.unwrap() else {
        panic!("not enqueued")
    };
    // Queued: even when asked, a queued job is left alone.
    assert_eq!(
        s.enqueue(&job.clone().requeue_if_done(), t0())
            .await
            .unwrap(),
        Enqueued::Duplicate
    );
    let leased = s
        .lease("w", None, Duration::from_secs(60), t0(), 1)
        .await
        .unwrap();
    s.complete(id, leased[0].lease, t0()).await.unwrap();
    assert_eq!(s.enqueue(&job, t0()).await.unwrap(), Enqueued::Duplicate);
    assert_eq!(s.queue_depth().await.unwrap().done, 1);

    let later = t0() + secs(100);
    let again = NewJob::new("reconcile", json!({"round": 2}), later)
        .dedupe("reconcile/octo")
        .requeue_if_done();
    assert_eq!(
        s.enqueue(&again, later).await.unwrap(),
        Enqueued::Requeued(id)
    );
    let queued = s.list_jobs(JobState::Queued).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (
            queued[0].id,
            &queued[0].payload,
            queued[0].run_at,
            queued[0].attempts
        ),
        (id, &json!({"round": 2}), later, 0)
    );
    assert_eq!(queued[0].created_at, t0());
}

/// A job whose every worker dies (its lease always expires) is not leased
/// forever: each expiry is an attempt, with the same backoff as `fail`, and
/// the last one makes it dead, listed with the reason.
pub async fn expired_leases_count_until_dead<S: Store>(s: &S) {
    let mut job = NewJob::new("poison", json!("kills workers"), t0());
    job.max_attempts = 3;
    let Enqueued::New(id) = s.enqueue(&job, t0()).await.unwrap() else {
        panic!("not enqueued")
    };
    let lease_for = Duration::from_secs(30);
    let mut now = t0();
    // Expires at now+30, then waits 10·2^0, then 10·2^1 after the next expiry.
    for (attempt, wait) in [10, 20].into_iter().enumerate() {
        let leased = s.lease("w", None, lease_for, now, 1).await.unwrap();
        assert_eq!(leased.len(), 1, "attempt {attempt}");
        assert_eq!(leased[0].attempts, attempt as u32);
        let expired = now + secs(30);
        // The worker "dies": nobody completes or fails the job.
        assert!(
            s.lease("w", None, lease_for, expired + secs(wait - 1), 1)
                .await
                .unwrap()
                .is_empty(),
            "attempt {attempt} must back off"
        );
        let queued = s.list_jobs(JobState::Queued).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].attempts, attempt as u32 + 1);
        assert_eq!(queued[0].run_at, expired + secs(wait));
        assert_eq!(
            queued[0].last_error.as_deref(),
            Some("lease expired: worker w stopped or ran past its lease")
        );
        now = expired + secs(wait);
    }
    let last = s.lease("w", None, lease_for, now, 1).await.unwrap();
    assert_eq!(last[0].attempts, 2);
    assert!(
        s.lease("w", None, lease_for, now + secs(86_400), 1)
            .await
            .unwrap()
            .is_empty()
    );
    let dead = s.list_dead().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (id, 3));
    assert_eq!(s.queue_depth().await.unwrap().dead, 1);
}

/// A worker that finished after its lease expired (and was counted as a
/// failure) still completes the job if nobody leased it since.
pub async fn late_completion_after_expiry_counts<S: Store>(s: &S) {
    s.enqueue(&NewJob::new("slow", json!(1), t0()), t0())
        .await
        .unwrap();
    let a = s
        .lease("a", None, Duration::from_secs(30), t0(), 1)
        .await
        .unwrap();
    // Another worker's lease call notices the expiry.
    assert!(
        s.lease("b", None, Duration::from_secs(30), t0() + secs(31), 1)
            .await
            .unwrap()
            .is_empty()
    );
    s.complete(a[0].id, a[0].lease, t0() + secs(32))
        .await
        .unwrap();
    assert_eq!(s.queue_depth().await.unwrap().done, 1);
}

/// Deferring gives the job back without burning an attempt.
pub async fn defer_keeps_attempts<S: Store>(s: &S) {
    s.enqueue(&NewJob::new("k", json!(1), t0()), t0())
        .await
        .unwrap();
    let a = s
        .lease("a", None, Duration::from_secs(30), t0(), 1)
        .await
        .unwrap();
    s.defer(a[0].id, a[0].lease, t0() + secs(2), t0())
        .await
        .unwrap();
    // The lease is spent: it can neither complete nor defer again.
    assert!(matches!(
        s.complete(a[0].id, a[0].lease, t0()).await,
        Err(StoreError::LeaseLost { .. })
    ));
    assert!(matches!(
        s.defer(a[0].id, a[0].lease, t0(), t0()).await,
        Err(StoreError::LeaseLost { .. })
    ));
    assert!(
        s.lease("b", None, Duration::from_secs(30), t0() + secs(1), 1)
            .await
            .unwrap()
            .is_empty()
    );
    let b = s
        .lease("b", None, Duration::from_secs(30), t0() + secs(2), 1)
        .await
        .unwrap();
    assert_eq!((b[0].id, b[0].attempts), (a[0].id, 0));
}

pub async fn latest_events_by_repo<S: Store>(s: &S) {
    let other: RepoName = "octo/gadgets".parse().unwrap();
    let ev = |repo: Option<&RepoName>, n: u64| NewEvent {
        ts: t0(),
        kind: "job.done".into(),
        repo: repo.cloned(),
        issue: Some(IssueNumber(n)),
        data: json!({ "n": n }),
    };
    let mut ids = Vec::new();
    for n in 1..=4 {
        ids.push(s.append_event(&ev(Some(&repo()), n)).await.unwrap());
        s.append_event(&ev(Some(&other), n)).await.unwrap();
    }
    s.append_event(&ev(None, 9)).await.unwrap();
    let last = s.latest_events(Some(&repo()), 2).await.unwrap();
    assert_eq!(
        last.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[2..].to_vec()
    );
    assert_eq!(last[1].event, ev(Some(&repo()), 4));
    let all = s.latest_events(None, 3).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.event.issue).collect::<Vec<_>>(),
        vec![
            Some(IssueNumber(4)),
            Some(IssueNumber(4)),
            Some(IssueNumber(9))
        ]
    );
    assert!(all[0].id < all[1].id && all[1].id < all[2].id);
}

/// A real 13.8 KB `issues.labeled` body, stored compressed, reads back byte
/// for byte whichever way it was stored; an unknown id reads `None`.
pub async fn delivery_body_round_trips<S: Store>(s: &S) {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github/webhooks/issues.labeled.1.json"
    ))
    .unwrap();
    let with_body = |id: &str| NewDelivery {
        payload: DeliveryBody::compress(&body),
        ..delivery(id)
    };
    assert!(with_body("x").payload.compressed().len() < body.len() / 3);
    s.record_delivery(&with_body("single"), &[]).await.unwrap();
    let batch = [DeliveryWithJobs {
        delivery: with_body("batched"),
        jobs: vec![job_for("batched", 1)],
    }];
    s.record_deliveries(&batch).await.unwrap();
    for id in ["single", "batched"] {
        let stored = s.delivery_body(&DeliveryId(id.into())).await.unwrap();
        assert_eq!(stored.as_deref(), Some(body.as_slice()), "{id}");
    }
    assert_eq!(
        s.delivery_body(&DeliveryId("never-sent".into()))
            .await
            .unwrap(),
        None
    );
}
