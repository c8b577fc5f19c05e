//! Closing sub-issues moves the plan: the checklist ticks, dependents are
//! unblocked when all their needs are met, `when` conditions decide, and the
//! last close posts a completion report and closes the parent.

mod orchestrator_common;
mod support;

use orchestrator_common::*;

async fn decomposed(h: &H) -> (u64, std::collections::BTreeMap<String, u64>) {
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    (parent, h.subs(parent))
}

#[tokio::test]
async fn closing_in_dag_order_completes_the_parent_with_a_report() {
    let h = setup().await;
    let (parent, subs) = decomposed(&h).await;
    for (i, key) in ["design", "backend", "frontend", "tests", "security", "docs"]
        .iter()
        .enumerate()
    {
        h.advance_minutes(10 + i as i64);
        let close = h.close(subs[*key], true);
        h.handle(&close).await;
        assert_eq!(h.writes_of(&close).await, 0, "redelivered close of {key}");
    }
    assert_eq!(h.status(subs["tests"]), vec!["status:queued"]);
    let p = h.sim.issue(REPO, parent);
    assert_eq!(p.state, "closed");
    assert_eq!(p.state_reason.as_deref(), Some("completed"));
    assert_eq!(h.status(parent), vec!["status:completed"]);
    let body = p.body.unwrap_or_default();
    assert!(body.contains("(6/6 done)"), "{body}");
    assert!(!body.contains("- [ ]"), "{body}");
    let report = p
        .comments
        .iter()
        .find(|c| c.contains("slot=completion"))
        .expect("a completion report");
    assert!(
        report.contains("### Done: all 6 subtasks are closed"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "| Design authentication architecture | #{} | completed | 10 min | 0 |",
            subs["design"]
        )),
        "{report}"
    );
    assert!(report.contains("| Document authentication |"), "{report}");
    assert!(report.contains("Every subtask completed."), "{report}");
    let kinds: Vec<String> = {
        use vayu::store::Store;
        h.ctx
            .store
            .events_since(0, 1000)
            .await
            .expect("events")
            .into_iter()
            .map(|e| e.event.kind)
            .collect()
    };
    for k in [
        "orchestration_started",
        "subtask_created",
        "subtask_completed",
        "orchestration_completed",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    h.sim.assert_conformant();
}

#[tokio::test]
async fn each_close_ticks_the_checklist_and_unblocks_only_ready_dependents() {
    let h = setup().await;
    let (parent, subs) = decomposed(&h).await;
    let close = h.close(subs["design"], true);
    let writes = h.writes_of(&close).await;
    assert_eq!(h.status(subs["backend"]), vec!["status:queued"]);
    assert_eq!(h.status(subs["frontend"]), vec!["status:queued"]);
    assert_eq!(h.status(subs["tests"]), vec!["status:blocked"]);
    let body = h.sim.issue(REPO, parent).body.unwrap_or_default();
    assert!(
        body.contains(&format!("- [x] #{} Design", subs["design"])),
        "{body}"
    );
    assert_eq!(
        writes, 3,
        "two dependents relabelled and one checklist edit"
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn closing_out_of_order_leaves_dependents_blocked() {
    let h = setup().await;
    let (parent, subs) = decomposed(&h).await;
    h.handle(&h.close(subs["design"], true)).await;
    h.handle(&h.close(subs["backend"], true)).await;
    // `tests` also needs `frontend`, still open.
    assert_eq!(h.status(subs["tests"]), vec!["status:blocked"]);
    // Closing `security` before `tests` does not release `docs` in stages mode
    // (stage 3 is still open), nor complete the parent.
    h.handle(&h.close(subs["security"], true)).await;
    assert_eq!(h.status(subs["docs"]), vec!["status:blocked"]);
    assert_eq!(h.sim.issue(REPO, parent).state, "open");
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_not_planned_need_keeps_plain_dependents_blocked_and_decides_conditions() {
    let h = setup().await;
    let body = "Release with a fallback.\n\n```vayu\nsubtasks:\n  - {key: build, title: Build, owner: cicd}\n  - {key: fix, title: Fix the build, owner: development, needs: [build], when: build failed}\n  - {key: ship, title: Ship, owner: cicd, needs: [build], when: build succeeded}\n  - {key: notes, title: Release notes, owner: docs, needs: [build]}\n```\n";
    let parent = h.task("Release", body);
    h.handle(&h.labeled(parent)).await;
    let subs = h.subs(parent);
    assert_eq!(subs.len(), 4);
    h.handle(&h.close(subs["build"], false)).await;

    assert_eq!(h.status(subs["fix"]), vec!["status:queued"]);
    let ship = h.sim.issue(REPO, subs["ship"]);
    assert_eq!(
        (ship.state.as_str(), ship.state_reason.as_deref()),
        ("closed", Some("not_planned"))
    );
    assert!(
        ship.comments[0].contains("runs only if `build` succeeded"),
        "{:?}",
        ship.comments
    );
    let notes = h.sim.issue(REPO, subs["notes"]);
    assert_eq!(h.status(subs["notes"]), vec!["status:blocked"]);
    assert_eq!(notes.comments.len(), 1);
    assert!(
        notes.comments[0].contains("closed as not planned"),
        "{:?}",
        notes.comments
    );
    // Repeating the close changes nothing.
    assert_eq!(h.writes_of(&h.close(subs["build"], false)).await, 0);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_reopened_need_can_still_complete_and_release_its_dependents() {
    let h = setup().await;
    let (parent, subs) = decomposed(&h).await;
    h.handle(&h.close(subs["design"], false)).await;
    assert_eq!(h.status(subs["backend"]), vec!["status:blocked"]);
    let blocked_note = h.sim.issue(REPO, subs["backend"]).comments;
    assert_eq!(blocked_note.len(), 1, "{blocked_note:?}");

    // Someone reopens `design` (as the blocked note suggests) and finishes it.
    let reopened = {
        {
            let mut w = h.sim.world();
            let i = w.issue_mut(REPO, subs["design"]).expect("design");
            i.state = "open".into();
            i.state_reason = Some("reopened".into());
        }
        vayu::app::event::Event::IssueReopened {
            origin: origin("octocat"),
            issue: h.issue(subs["design"]),
        }
    };
    h.handle(&reopened).await;
    let body = h.sim.issue(REPO, parent).body.unwrap_or_default();
    assert!(
        body.contains(&format!("- [ ] #{} Design", subs["design"])),
        "{body}"
    );
    assert_eq!(h.status(subs["backend"]), vec!["status:blocked"]);
    h.handle(&h.close(subs["design"], true)).await;
    assert_eq!(h.status(subs["backend"]), vec!["status:queued"]);
    assert_eq!(h.status(subs["frontend"]), vec!["status:queued"]);
    let body = h.sim.issue(REPO, parent).body.unwrap_or_default();
    assert!(
        body.contains(&format!("- [x] #{} Design", subs["design"])),
        "{body}"
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn status_labels_and_closes_by_anyone_become_report_history() {
    use vayu::app::event::Event;
    use vayu::core::report::Happening;
    use vayu::core::task::Status;
    use vayu::store::Store;

    let h = setup().await;
    let (_parent, subs) = decomposed(&h).await;
    let design = subs["design"];
    // vayu's own label change on its own sub-issue: ignored by the
    // orchestrator, yet it is history.
    let mut issue = h.issue(design);
    issue.assignees = vec![vayu::core::ids::Login("alice".into())];
    h.handle(&Event::IssueLabeled {
        origin: origin("vayu-bot"),
        issue,
        label: "status:executing".into(),
    })
    .await;
    h.handle(&h.close(design, true)).await;

    let rows = h.ctx.store.events_since(0, 10_000).await.expect("events");
    let history = vayu::app::history::task_events(&rows);
    let of_design: Vec<&Happening> = history
        .iter()
        .filter(|e| e.task == format!("{REPO}#{design}"))
        .map(|e| &e.what)
        .collect();
    assert_eq!(
        of_design,
        [
            &Happening::Created,
            &Happening::Status {
                to: Status::Executing,
                assignees: vec!["alice".into()],
            },
            &Happening::Closed { completed: true },
        ]
    );
}

#[tokio::test]
async fn subtasks_sharing_a_resource_never_run_together() {
    let h = setup().await;
    let body = "Move the sessions.\n\n```vayu\nsubtasks:\n  - {key: schema, title: Change the schema, owner: development, resources: [database]}\n  - {key: backfill, title: Backfill sessions, owner: development, resources: [database]}\n  - {key: docs, title: Document it, owner: docs}\n```\n";
    let parent = h.task("Move sessions", body);
    h.handle(&h.labeled(parent)).await;
    let subs = h.subs(parent);
    // Neither needs the other, but they share the database: one at a time.
    assert_eq!(h.status(subs["schema"]), vec!["status:queued"]);
    assert_eq!(h.status(subs["backfill"]), vec!["status:blocked"]);
    assert_eq!(h.status(subs["docs"]), vec!["status:queued"]);
    // No blocked-by link is invented for a resource: links are for needs.
    assert!(h.sim.issue(REPO, subs["backfill"]).blocked_by.is_empty());

    h.handle(&h.close(subs["schema"], true)).await;
    assert_eq!(h.status(subs["backfill"]), vec!["status:queued"]);
    h.sim.assert_conformant();
}
