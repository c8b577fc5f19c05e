//! Store case for deferring a leased job (circuit breaker open), both backends.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use vayu::store::{JobState, NewJob, Store, StoreError};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

/// A deferred job is queued again at the given time with its attempts kept;
/// a stale lease cannot defer it.
pub async fn deferred_job_keeps_its_attempts<S: Store>(s: &S) {
    s.enqueue(&NewJob::new("event", json!({ "n": 1 }), t0()), t0())
        .await
        .unwrap();
    let job = s
        .lease("w", None, Duration::from_secs(60), t0(), 1)
        .await
        .unwrap()
        .remove(0);
    let later = t0() + chrono::TimeDelta::seconds(90);
    s.defer(job.id, job.lease, later, t0()).await.unwrap();
    let queued = s.list_jobs(JobState::Queued).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].attempts, 0);
    assert_eq!(queued[0].run_at, later);
    // Not runnable before then; runnable at then, attempts still untouched.
    let early = s
        .lease(
            "w",
            None,
            Duration::from_secs(60),
            t0() + chrono::TimeDelta::seconds(89),
            1,
        )
        .await
        .unwrap();
    assert!(early.is_empty());
    let again = s
        .lease("w", None, Duration::from_secs(60), later, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(again.attempts, 0);
    assert!(matches!(
        s.defer(job.id, job.lease, later, later).await,
        Err(StoreError::LeaseLost { .. })
    ));
}
