//! A worker that dies after any GitHub write, then runs the same job again,
//! ends with exactly the state of an uninterrupted run: no duplicates.

mod orchestrator_common;
mod support;

use orchestrator_common::*;
use vayu::app::{CrashHook, handle};

#[tokio::test]
async fn a_crash_after_any_write_resumes_to_the_same_state() {
    let clean = setup().await;
    let parent = clean.task("Add authentication", AUTH);
    let event = clean.labeled(parent);
    let total = clean.writes_of(&event).await;
    let want = normalized(&clean.sim);
    assert!(total >= 14, "{total}");

    for k in 1..=total {
        let mut h = setup().await;
        let parent = h.task("Add authentication", AUTH);
        let event = h.labeled(parent);
        h.ctx.crash = CrashHook::after(k);
        let err = handle(&event, &h.ctx)
            .await
            .expect_err("the crash hook fires");
        assert!(err.is_retryable(), "{err}");
        assert_eq!(h.sim.write_count(), k, "stopped after write {k}");
        h.ctx.crash = CrashHook::default();
        let seen = h.sim.request_log().len();
        h.handle(&event).await;
        // The rerun redoes nothing GitHub already shows; at most it asks for
        // a label that exists (422, no change).
        let log = h.sim.request_log();
        let resumed: Vec<_> = log[seen..].iter().filter(|r| r.write).collect();
        let changed = resumed.iter().filter(|r| r.status < 300).count();
        assert_eq!(changed, total - k, "k={k}: {resumed:#?}");
        assert!(
            resumed
                .iter()
                .all(|r| r.status < 300 || (r.status == 422 && r.path.ends_with("/labels"))),
            "k={k}: {resumed:#?}"
        );
        assert_eq!(normalized(&h.sim), want, "state after a crash at write {k}");
        assert_eq!(h.subs(parent).len(), 6, "k={k}");
        h.sim.assert_conformant();
    }
    println!("crash test: resumed correctly after each of writes 1..{total}");
}

/// A worker whose GitHub client gives up at once, so an injected fault ends
/// the job exactly where it happens.
fn no_retry_ctx(h: &H) -> TestCtx {
    let cfg = vayu::github::ClientConfig {
        base_url: h.sim.url(),
        mutation_gap: std::time::Duration::ZERO,
        timeout: None,
        retry: vayu::github::retry::RetryPolicy {
            max_retries: 0,
            ..Default::default()
        },
        breaker: Default::default(),
    };
    let mut ctx = context(&h.sim, h.ctx.store.clone(), &h.clock);
    ctx.gh = vayu::github::GitHubClient::with_token(cfg, "tok").expect("client");
    ctx
}

#[tokio::test]
async fn a_failed_github_write_is_retried_by_the_job_and_converges() {
    use axum::http::Method;
    use support::Fault;

    let clean = setup().await;
    let parent = clean.task("Add authentication", AUTH);
    clean.handle(&clean.labeled(parent)).await;
    let want = normalized(&clean.sim);

    let faults = [
        (Method::POST, "/graphql", Fault::Status(502), 1),
        (Method::POST, "/graphql", Fault::Drop, 3),
        (Method::POST, "/repos/*/*/labels", Fault::Status(500), 2),
        (
            Method::POST,
            "/repos/*/*/issues/*/dependencies/blocked_by",
            Fault::Status(502),
            4,
        ),
        (Method::POST, "/repos/*/*/issues/*/comments", Fault::Drop, 1),
        (Method::PATCH, "/repos/*/*/issues/*", Fault::Status(503), 1),
    ];
    for (method, route, fault, nth) in faults {
        let h = setup().await;
        let parent = h.task("Add authentication", AUTH);
        let event = h.labeled(parent);
        let worker = no_retry_ctx(&h);
        // Each run fails at the next matching request; the job runs again.
        for i in 1..=nth {
            h.sim.fail_next(method.clone(), route, fault.clone());
            let err = handle(&event, &worker)
                .await
                .expect_err("the injected fault ends the run");
            assert!(err.is_retryable(), "{method} {route} {fault:?} #{i}: {err}");
            let p = h.sim.issue(REPO, parent);
            assert!(
                p.comments.iter().all(|c| !c.contains("will retry")),
                "a transient failure is not told to the user: {:?}",
                p.comments
            );
        }
        h.handle(&event).await;
        assert_eq!(
            normalized(&h.sim),
            want,
            "{method} {route} {fault:?} #{nth}"
        );
        assert_eq!(h.writes_of(&event).await, 0, "{method} {route} {fault:?}");
        h.sim.assert_conformant();
    }
}
