//! Scheduled tasks end to end against the simulated GitHub: the server's
//! tick claims due slots in the store and its jobs open the issues; the
//! Action's sweep does the same from the markers on GitHub. Time is the
//! context's clock, moved by the test.

mod orchestrator_common;
mod support;

use std::time::Duration;

use chrono::Utc;
use orchestrator_common::*;
use vayu::app::schedules::{SCHEDULE_JOB, sweep_schedules};
use vayu::core::ids::{DeliveryId, InstallationId};
use vayu::server::schedules::{run_job, tick};
use vayu::store::{NewDelivery, Store};

const CONFIG: &str = "schedules:\n  - name: upkeep\n    cron: '0 * * * *'\n    title: Hourly upkeep\n    labels: [chore]\n";

/// Titles and bodies of the issues the schedule opened, in number order.
fn scheduled(h: &H) -> Vec<String> {
    let w = h.sim.world();
    w.repos[REPO]
        .issues
        .values()
        .filter_map(|i| i.body.clone())
        .filter(|b| b.contains("vayu:schedule"))
        .map(|b| b.lines().next().unwrap_or_default().to_owned())
        .collect()
}

async fn known_repo(h: &H) {
    h.ctx
        .store
        .record_delivery(
            &NewDelivery {
                id: DeliveryId("d-install".into()),
                event: "installation".into(),
                action: Some("created".into()),
                installation_id: Some(InstallationId(1)),
                repo: Some(repo()),
                received_at: Utc::now(),
                payload: "{}".into(),
            },
            &[],
        )
        .await
        .expect("ok");
}

/// One server tick at the current clock, then every schedule job it queued.
async fn tick_and_run(h: &H) -> usize {
    let claimed = tick(&h.ctx).await.expect("ok").len();
    let now = h.ctx.now();
    loop {
        let jobs = h
            .ctx
            .store
            .lease("w", Some(&[SCHEDULE_JOB]), Duration::from_secs(60), now, 10)
            .await
            .expect("ok");
        if jobs.is_empty() {
            return claimed;
        }
        for job in jobs {
            run_job(&h.ctx, &job).await.expect("ok");
            h.ctx
                .store
                .complete(job.id, job.lease, now)
                .await
                .expect("ok");
        }
    }
}

#[tokio::test]
async fn an_outage_of_three_slots_opens_one_task_then_one_per_slot() {
    let h = setup().await;
    h.sim.repo(REPO).file(".github/vayu.yml", CONFIG);
    known_repo(&h).await;

    // 2026-01-01 10:05: the 10:00 slot fires.
    h.advance_minutes(10 * 60 + 5);
    assert_eq!(tick_and_run(&h).await, 1);
    // Down over 11:00, 12:00 and 13:00; back at 13:20: one task, for 13:00.
    h.advance_minutes(3 * 60 + 15);
    assert_eq!(tick_and_run(&h).await, 1);
    assert_eq!(
        scheduled(&h),
        [
            "<!-- vayu:schedule v=1 name=upkeep slot=2026-01-01T10:00Z -->",
            "<!-- vayu:schedule v=1 name=upkeep slot=2026-01-01T13:00Z -->",
        ]
    );
    // Later ticks in the same hour fire nothing; each new slot fires once.
    h.advance_minutes(30);
    assert_eq!(tick_and_run(&h).await, 0);
    h.advance_minutes(10); // 14:00
    assert_eq!(tick_and_run(&h).await, 1);
    assert_eq!(tick_and_run(&h).await, 0);
    h.advance_minutes(60); // 15:00
    assert_eq!(tick_and_run(&h).await, 1);
    assert_eq!(scheduled(&h).len(), 4);

    // The issue is a vayu task: labelled, routed (it has no template plan).
    let w = h.sim.world();
    let r = &w.repos[REPO];
    let issue = r.issues.values().last().expect("ok");
    assert_eq!(issue.title, "Hourly upkeep");
    let names: Vec<&str> = issue
        .labels
        .iter()
        .filter_map(|id| r.labels.values().find(|l| l.id == *id))
        .map(|l| l.name.as_str())
        .collect();
    for l in ["vayu", "type:scheduled", "chore", "status:queued"] {
        assert!(names.contains(&l), "{l} missing from {names:?}");
    }
    drop(w);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_second_replica_ticking_the_same_slot_claims_nothing() {
    let h = setup().await;
    h.sim.repo(REPO).file(".github/vayu.yml", CONFIG);
    known_repo(&h).await;
    h.advance_minutes(10 * 60);
    let other = context(&h.sim, h.ctx.store.clone(), &h.clock);
    let (a, b) = tokio::join!(tick(&h.ctx), tick(&other));
    assert_eq!(a.expect("ok").len() + b.expect("ok").len(), 1);
    assert_eq!(tick_and_run(&h).await, 0);
    assert_eq!(scheduled(&h).len(), 1);
}

#[tokio::test]
async fn the_action_sweep_catches_up_once_from_the_markers_on_github() {
    let h = setup().await;
    h.sim.repo(REPO).file(".github/vayu.yml", CONFIG);
    let repo = repo();
    h.advance_minutes(10 * 60 + 5);
    let fired = sweep_schedules(&h.ctx, &repo, h.ctx.now())
        .await
        .expect("ok");
    assert_eq!(fired.len(), 1);
    // No run of the workflow for three slots, then one run: one issue.
    h.advance_minutes(3 * 60);
    let fired = sweep_schedules(&h.ctx, &repo, h.ctx.now())
        .await
        .expect("ok");
    assert_eq!(fired.len(), 1);
    let again = sweep_schedules(&h.ctx, &repo, h.ctx.now())
        .await
        .expect("ok");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(
        scheduled(&h),
        [
            "<!-- vayu:schedule v=1 name=upkeep slot=2026-01-01T10:00Z -->",
            "<!-- vayu:schedule v=1 name=upkeep slot=2026-01-01T13:00Z -->",
        ]
    );
}

/// A repository the App was just installed on gets its schedules from the
/// next tick, before any issue event comes from it; one the App was removed
/// from gets none.
#[tokio::test]
async fn schedules_start_at_installation_and_stop_at_removal() {
    use vayu::app::event::Event;
    use vayu::github::webhook::{Normalized, normalize};
    let h = setup().await;
    let installed = "Codertocat/Hello-World";
    h.sim.repo(installed).file(".github/vayu.yml", CONFIG);
    let body = include_str!("fixtures/github/webhooks/installation.created.1.json");
    let Ok(Normalized::Event(created)) = normalize("installation", body.as_bytes()) else {
        panic!("the fixture normalizes to an event");
    };
    assert_eq!(tick_and_run(&h).await, 0, "nothing known yet");
    h.handle(&created).await;
    assert_eq!(tick_and_run(&h).await, 1);
    let opened = h.sim.world().repos[installed]
        .issues
        .values()
        .filter(|i| i.body.as_deref().unwrap_or("").contains("vayu:schedule"))
        .count();
    assert_eq!(opened, 1);

    let Event::InstallationCreated {
        installation,
        sender,
        ..
    } = created
    else {
        panic!("installation.created");
    };
    h.handle(&Event::InstallationReposRemoved {
        installation,
        sender,
        repos: vec![installed.parse().expect("repo")],
    })
    .await;
    h.advance_minutes(120);
    assert_eq!(tick_and_run(&h).await, 0, "removed: no more schedules");
    h.sim.assert_conformant();
}
