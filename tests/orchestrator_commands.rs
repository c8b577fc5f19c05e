//! `/vayu` commands in comments: permission before anything mutating,
//! reactions and replies, previews that write only themselves, edits that run
//! only new commands, and vayu's own comments ignored.

mod orchestrator_common;
mod support;

use orchestrator_common::*;
use vayu::app::event::Event;

#[tokio::test]
async fn decompose_from_a_read_only_user_is_refused_with_a_reply() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let e = h.comment(parent, "reader", "/vayu decompose");
    h.handle(&e).await;
    let p = h.sim.issue(REPO, parent);
    assert!(p.sub_issues.is_empty());
    let reply = p
        .comments
        .iter()
        .find(|c| c.contains("slot=reply-"))
        .expect("a reply");
    assert!(
        reply.contains("@reader: `/vayu decompose` needs `write` permission on this repository and you have read access"),
        "{reply}"
    );
    let w = h.sim.world();
    let comment = w.repos[REPO]
        .comments
        .values()
        .find(|c| c.body == "/vayu decompose")
        .expect("comment");
    let reactions: Vec<&str> = comment
        .reactions
        .iter()
        .map(|r| r.content.as_str())
        .collect();
    assert_eq!(reactions, vec!["eyes"]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn decompose_from_a_maintainer_applies_the_plan_and_thumbs_up() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let e = h.comment(parent, "maintainer", "/vayu decompose");
    h.handle(&e).await;
    assert_eq!(h.subs(parent).len(), 6);
    {
        let w = h.sim.world();
        let comment = w.repos[REPO]
            .comments
            .values()
            .find(|c| c.body == "/vayu decompose")
            .expect("comment");
        let reactions: Vec<&str> = comment
            .reactions
            .iter()
            .map(|r| r.content.as_str())
            .collect();
        assert_eq!(reactions, vec!["eyes", "+1"]);
    }
    assert_eq!(
        h.writes_of(&e).await,
        0,
        "a redelivered command does nothing"
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn plan_writes_nothing_but_the_preview() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let e = h.comment(parent, "reader", "/vayu plan");
    assert_eq!(h.writes_of(&e).await, 1);
    let p = h.sim.issue(REPO, parent);
    assert!(p.sub_issues.is_empty());
    assert_eq!(p.labels, vec!["vayu"]);
    let preview = p
        .comments
        .iter()
        .find(|c| c.contains("### Plan preview: 6 subtasks"))
        .expect("preview");
    assert!(
        preview.contains("Comment `/vayu decompose` to create the sub-issues"),
        "{preview}"
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn help_lists_verbs_and_who_may_use_them_and_unknown_verbs_get_the_list() {
    let h = setup().await;
    let parent = h.task("Anything", "Some text");
    h.handle(&h.comment(parent, "reader", "/vayu help")).await;
    h.handle(&h.comment(parent, "reader", "/vayu deploy")).await;
    let p = h.sim.issue(REPO, parent);
    assert!(p.comments.iter().any(|c| c.contains("| `/vayu decompose` | Apply the plan: create the sub-issues and their links | write or above |")), "{:?}", p.comments);
    let unknown = p
        .comments
        .iter()
        .find(|c| c.contains("unknown command `/vayu deploy`"))
        .expect("reply");
    assert!(
        unknown.contains("- `/vayu retry`: Run a failed task again"),
        "{unknown}"
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn an_edited_comment_runs_only_new_commands() {
    let h = setup().await;
    let parent = h.task("Anything", "Some text");
    let Event::CommentCreated {
        origin,
        issue,
        comment,
    } = h.comment(parent, "reader", "/vayu help")
    else {
        unreachable!()
    };
    h.handle(&Event::CommentCreated {
        origin: origin.clone(),
        issue: issue.clone(),
        comment: comment.clone(),
    })
    .await;
    let mut edited = comment.clone();
    edited.body = "/vayu help\n\n/vayu status".into();
    let e = Event::CommentEdited {
        origin,
        issue,
        comment: edited,
        old_body: Some(comment.body.clone()),
    };
    assert_eq!(h.writes_of(&e).await, 1, "only the status reply");
    let p = h.sim.issue(REPO, parent);
    assert_eq!(
        p.comments
            .iter()
            .filter(|c| c.contains("### vayu commands"))
            .count(),
        1
    );
    assert!(
        p.comments.iter().any(|c| c.contains("### Status: `none`")),
        "{:?}",
        p.comments
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn vayus_own_comments_are_ignored() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let e = h.comment(parent, "vayu-bot", "/vayu decompose");
    assert_eq!(h.writes_of(&e).await, 0);
    assert!(h.sim.issue(REPO, parent).sub_issues.is_empty());
    h.sim.assert_conformant();
}

#[tokio::test]
async fn cancel_closes_the_task_and_its_open_subtasks() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    h.handle(&h.comment(parent, "maintainer", "/vayu cancel"))
        .await;
    let p = h.sim.issue(REPO, parent);
    assert_eq!(
        (p.state.as_str(), p.state_reason.as_deref()),
        ("closed", Some("not_planned"))
    );
    assert_eq!(h.status(parent), vec!["status:cancelled"]);
    for n in h.subs(parent).values() {
        assert_eq!(h.sim.issue(REPO, *n).state, "closed");
    }
    // A lifecycle error is explained, not retried.
    h.handle(&h.comment(parent, "maintainer", "/vayu pause"))
        .await;
    let p = h.sim.issue(REPO, parent);
    assert!(
        p.comments
            .iter()
            .any(|c| c.contains("cannot `pause` a task that is `cancelled`")),
        "{:?}",
        p.comments
    );
    h.sim.assert_conformant();
}

/// The reactions on the comment whose body is exactly `body`.
fn reactions(h: &H, body: &str) -> Vec<String> {
    let w = h.sim.world();
    w.repos[REPO]
        .comments
        .values()
        .filter(|c| c.body == body)
        .flat_map(|c| c.reactions.iter().map(|r| r.content.clone()))
        .collect()
}

/// Replaces the status label of issue `n` on the sim, as a worker would.
fn set_status(h: &H, n: u64, status: &str) {
    let mut w = h.sim.world();
    let id = w.ensure_label(REPO, status);
    let statuses: Vec<u64> = w.repos[REPO]
        .labels
        .values()
        .filter(|l| l.name.starts_with("status:"))
        .map(|l| l.id)
        .collect();
    let i = w.issue_mut(REPO, n).expect("issue");
    i.labels.retain(|l| !statuses.contains(l));
    i.labels.push(id);
}

fn others(h: &H, n: u64) -> Vec<String> {
    let mut l: Vec<String> = h
        .sim
        .issue(REPO, n)
        .labels
        .into_iter()
        .filter(|l| !l.starts_with("status:"))
        .collect();
    l.sort();
    l
}

#[tokio::test]
async fn retry_pause_and_resume_move_a_subtask_through_its_lifecycle() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let sub = h.subs(parent)["backend"];
    let kept = others(&h, sub);
    set_status(&h, sub, "status:failed");

    // Permission is checked before anything changes.
    h.handle(&h.comment(sub, "reader", "/vayu retry")).await;
    assert_eq!(h.status(sub), vec!["status:failed"]);
    let s = h.sim.issue(REPO, sub);
    assert_eq!(
        s.comments.len(),
        2,
        "the command and one reply: {:?}",
        s.comments
    );
    assert!(
        s.comments[1].contains("@reader: `/vayu retry` needs `write` permission"),
        "{}",
        s.comments[1]
    );

    h.handle(&h.comment(sub, "maintainer", "/vayu retry")).await;
    assert_eq!(h.status(sub), vec!["status:queued"]);
    assert_eq!(others(&h, sub), kept, "only the status label changes");

    set_status(&h, sub, "status:executing");
    h.handle(&h.comment(sub, "maintainer", "/vayu pause")).await;
    assert_eq!(h.status(sub), vec!["status:paused"]);
    h.handle(&h.comment(sub, "maintainer", "/vayu resume"))
        .await;
    assert_eq!(h.status(sub), vec!["status:executing"]);
    for verb in ["retry", "pause", "resume"] {
        let mut r = reactions(&h, &format!("/vayu {verb}"));
        r.sort();
        let want: Vec<&str> = if verb == "retry" {
            // The reader's attempt got 👀 too, then the refusal.
            vec!["+1", "eyes", "eyes"]
        } else {
            vec!["+1", "eyes"]
        };
        assert_eq!(r, want, "{verb}");
    }

    let kinds = h.event_kinds().await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "command_received").count(),
        4,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "task_transition").count(),
        3,
        "{kinds:?}"
    );

    // A verb the current status does not allow is explained, not applied.
    h.handle(&h.comment(sub, "maintainer", "/vayu retry")).await;
    assert_eq!(h.status(sub), vec!["status:executing"]);
    let s = h.sim.issue(REPO, sub);
    assert!(
        s.comments
            .iter()
            .any(|c| c.contains("cannot `retry` a task that is `executing`")),
        "{:?}",
        s.comments
    );
    h.sim.assert_conformant();
}

#[tokio::test]
async fn retry_lifts_an_escalation_and_reconcile_does_not() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let sub = h.subs(parent)["design"];
    set_status(&h, sub, "status:blocked");
    {
        let mut w = h.sim.world();
        let id = w.ensure_label(REPO, "vayu:escalated");
        w.issue_mut(REPO, sub).expect("issue").labels.push(id);
    }

    // Its needs are met, yet the escalation holds until a human retries.
    h.reconcile().await;
    assert_eq!(h.status(sub), vec!["status:blocked"]);
    assert!(others(&h, sub).contains(&"vayu:escalated".to_owned()));

    h.handle(&h.comment(sub, "maintainer", "/vayu retry")).await;
    assert_eq!(h.status(sub), vec!["status:queued"]);
    assert!(!others(&h, sub).contains(&"vayu:escalated".to_owned()));
    h.sim.assert_conformant();
}

#[tokio::test]
async fn status_replies_with_each_subtask_and_its_state() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let subs = h.subs(parent);
    h.handle(&h.close(subs["design"], true)).await;
    let before = h.sim.write_count();
    h.handle(&h.comment(parent, "reader", "/vayu status")).await;
    assert_eq!(h.sim.write_count() - before, 1, "only the reply");
    let p = h.sim.issue(REPO, parent);
    let reply = p
        .comments
        .iter()
        .find(|c| c.contains("### Status:"))
        .expect("a status reply");
    assert!(reply.contains("### Status: `queued`"), "{reply}");
    assert!(reply.contains("1/6 subtasks done."), "{reply}");
    for (key, title, state) in [
        ("design", "Design authentication architecture", "completed"),
        ("backend", "Implement authentication backend", "queued"),
        ("frontend", "Implement login and signup pages", "queued"),
        ("tests", "Test authentication", "blocked"),
        ("docs", "Document authentication", "blocked"),
    ] {
        let row = format!("| {title} | #{} | {state} |", subs[key]);
        assert!(reply.contains(&row), "{row} in\n{reply}");
    }
    h.sim.assert_conformant();
}

#[tokio::test]
async fn decompose_on_an_unlabeled_issue_adopts_it_so_progress_is_tracked() {
    let h = setup().await;
    let parent = h
        .sim
        .repo(REPO)
        .issue()
        .title("Add authentication")
        .body(AUTH)
        .open()
        .number;
    h.handle(&h.comment(parent, "maintainer", "/vayu decompose"))
        .await;
    let mut labels = h.sim.issue(REPO, parent).labels;
    labels.sort();
    assert_eq!(labels, vec!["status:queued", "vayu"]);
    let subs = h.subs(parent);
    assert_eq!(subs.len(), 6);
    h.handle(&h.close(subs["design"], true)).await;
    assert_eq!(h.status(subs["backend"]), vec!["status:queued"]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn decompose_without_a_plan_is_answered_and_leaves_the_task_alone() {
    let h = setup().await;
    let parent = h
        .sim
        .repo(REPO)
        .issue()
        .title("Fix a typo")
        .body("The README says `teh`.")
        .open()
        .number;
    h.handle(&h.comment(parent, "maintainer", "/vayu decompose"))
        .await;
    let p = h.sim.issue(REPO, parent);
    assert!(p.labels.is_empty(), "{:?}", p.labels);
    assert_eq!(p.comments.len(), 2, "{:?}", p.comments);
    assert!(
        p.comments[1].contains(&format!(
            "#{parent} has nothing to decompose: no ```vayu block, no task list, and no `type:<type>` label with a template. Add one of them, then run `/vayu decompose` again."
        )),
        "{}",
        p.comments[1]
    );
    assert_eq!(reactions(&h, "/vayu decompose"), vec!["eyes"]);
    h.sim.assert_conformant();
}
