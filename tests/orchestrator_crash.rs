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

    for k in 1..total {
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
        h.handle(&event).await;
        assert_eq!(normalized(&h.sim), want, "state after a crash at write {k}");
        assert_eq!(h.subs(parent).len(), 6, "k={k}");
    }
    println!("crash test: resumed correctly after each of writes 1..{total}");
}
