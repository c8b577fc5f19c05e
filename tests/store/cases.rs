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
    Backoff, DeliveryWithJobs, Enqueued, Failed, JobState, NewDelivery, NewEvent, NewJob, PlanRow,
    QueueDepth, Recorded, Store, StoreError, TaskFilter, TaskRow,
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
        payload: format!(r#"{{"delivery":"{id}"}}"#),
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
    assert!(matches!(err, StoreError::Query(_)), "{err}");
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
    let outcomes = s
        .record_deliveries(&[item("d2"), item("d1"), item("d3"), item("d2")])
        .await
        .unwrap();
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
                s.lease(worker, Duration::from_secs(60), t0(), 1)
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
        .lease("a", Duration::from_secs(60), t0(), 10)
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].lease_until, t0() + secs(60));
    assert!(
        s.lease("b", Duration::from_secs(60), t0() + secs(59), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let b = s
        .lease("b", Duration::from_secs(60), t0() + secs(60), 10)
        .await
        .unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].id, a[0].id);
    let running = s.list_jobs(JobState::Running).await.unwrap();
    assert_eq!(running[0].leased_by.as_deref(), Some("b"));

    let lost = s
        .complete(a[0].id, a[0].lease, t0() + secs(61))
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
        .fail(a[0].id, a[0].lease, "boom", t0() + secs(61))
        .await
        .unwrap_err();
    assert!(matches!(lost, StoreError::LeaseLost { job } if job == a[0].id));
    s.complete(b[0].id, b[0].lease, t0() + secs(61))
        .await
        .unwrap();
    // Completed: a second completion under the same lease is refused too.
    assert!(matches!(
        s.complete(b[0].id, b[0].lease, t0() + secs(62)).await,
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
        let leased = s.lease("w", Duration::from_secs(30), now, 1).await.unwrap();
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
            s.lease("w", Duration::from_secs(30), now + secs(wait - 1), 1)
                .await
                .unwrap()
                .is_empty()
        );
        now += secs(wait);
    }
    let leased = s.lease("w", Duration::from_secs(30), now, 1).await.unwrap();
    assert_eq!(
        s.fail(id, leased[0].lease, "last", now).await.unwrap(),
        Failed::Dead
    );
    assert!(
        s.lease("w", Duration::from_secs(30), now + secs(86_400), 1)
            .await
            .unwrap()
            .is_empty()
    );

    let dead = s.list_jobs(JobState::Dead).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (id, 5));
    assert_eq!(dead[0].last_error.as_deref(), Some("last"));
    assert_eq!(s.queue_depth().await.unwrap().dead, 1);

    assert!(s.retry_dead(id, now).await.unwrap());
    assert!(!s.retry_dead(id, now).await.unwrap());
    let again = s.lease("w", Duration::from_secs(30), now, 1).await.unwrap();
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
        "unsupported database URL `mysql://vayu:***@db.example/vayu`: use `sqlite://path/to/vayu.db` or `postgres://user:password@host/db`"
    );
}
