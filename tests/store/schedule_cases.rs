//! Store cases for fired schedule slots (issue #7), run on both backends.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use tokio::sync::Barrier;

use vayu::core::ids::RepoName;
use vayu::store::{JobState, NewJob, Store};

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, h, 0, 0).unwrap()
}

fn repo() -> RepoName {
    "octo/widgets".parse().unwrap()
}

fn job(slot: DateTime<Utc>) -> NewJob {
    NewJob::new("schedule", json!({ "slot": slot.to_rfc3339() }), slot).dedupe(format!(
        "schedule/octo/widgets/nightly/{}",
        slot.timestamp()
    ))
}

/// Replicas racing for one slot: exactly one claims it and one job exists.
pub async fn schedule_slot_is_claimed_once<S: Store + Clone + 'static>(s: &S) {
    let barrier = Arc::new(Barrier::new(4));
    let mut handles = Vec::new();
    for _ in 0..4 {
        let (s, barrier) = (s.clone(), barrier.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            s.claim_schedule_slot(&repo(), "nightly", at(2), &job(at(2)), at(3))
                .await
                .unwrap()
        }));
    }
    let mut won = 0;
    for h in handles {
        won += usize::from(h.await.unwrap());
    }
    assert_eq!(won, 1);
    assert_eq!(s.list_jobs(JobState::Queued).await.unwrap().len(), 1);
    assert_eq!(
        s.last_schedule_slot(&repo(), "nightly").await.unwrap(),
        Some(at(2))
    );
}

/// A slot older than one already fired is refused, a newer one is not.
pub async fn older_schedule_slot_is_refused<S: Store>(s: &S) {
    assert_eq!(
        s.last_schedule_slot(&repo(), "nightly").await.unwrap(),
        None
    );
    assert!(
        s.claim_schedule_slot(&repo(), "nightly", at(5), &job(at(5)), at(5))
            .await
            .unwrap()
    );
    assert!(
        !s.claim_schedule_slot(&repo(), "nightly", at(4), &job(at(4)), at(6))
            .await
            .unwrap()
    );
    // Another schedule's slots are its own.
    assert!(
        s.claim_schedule_slot(&repo(), "weekly", at(4), &job(at(4)), at(6))
            .await
            .unwrap()
    );
    assert!(
        s.claim_schedule_slot(&repo(), "nightly", at(6), &job(at(6)), at(6))
            .await
            .unwrap()
    );
    assert_eq!(
        s.last_schedule_slot(&repo(), "nightly").await.unwrap(),
        Some(at(6))
    );
    assert_eq!(s.list_jobs(JobState::Queued).await.unwrap().len(), 3);
}

/// Schedules reach repositories the App was installed on before any issue
/// event comes from them, and leave those it was removed from, whatever the
/// store heard of them otherwise.
pub async fn installed_repos_are_known_until_removed<S: Store + Clone + 'static>(s: &S) {
    use vayu::core::ids::InstallationId;
    let r = |n: &str| -> RepoName { n.parse().expect("repo") };
    assert!(s.known_repos().await.unwrap().is_empty());
    s.set_installed(InstallationId(7), &[r("octo/b"), r("octo/a")], false, at(1))
        .await
        .unwrap();
    assert_eq!(
        s.known_repos().await.unwrap(),
        vec![r("octo/a"), r("octo/b")]
    );

    // A task in octo/a does not keep it known once the App leaves it.
    use vayu::core::ids::IssueNumber;
    use vayu::core::task::{Priority, Progress, Status, TaskType};
    s.upsert_task(&vayu::store::TaskRow {
        repo: r("octo/a"),
        issue_number: IssueNumber(1),
        parent: None,
        key: None,
        task_type: TaskType::Feature,
        priority: Priority::High,
        owner: None,
        status: Status::Queued,
        progress: Progress::new(0).unwrap(),
        heartbeat_at: None,
        retries: 0,
        updated_at: at(2),
    })
    .await
    .unwrap();
    s.set_installed(InstallationId(7), &[r("octo/a")], true, at(3))
        .await
        .unwrap();
    assert_eq!(s.known_repos().await.unwrap(), vec![r("octo/b")]);

    // Added back (to another installation): known again, once.
    s.set_installed(InstallationId(9), &[r("octo/a")], false, at(4))
        .await
        .unwrap();
    assert_eq!(
        s.known_repos().await.unwrap(),
        vec![r("octo/a"), r("octo/b")]
    );
}
