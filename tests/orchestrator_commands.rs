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
}

#[tokio::test]
async fn vayus_own_comments_are_ignored() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let e = h.comment(parent, "vayu-bot", "/vayu decompose");
    assert_eq!(h.writes_of(&e).await, 0);
    assert!(h.sim.issue(REPO, parent).sub_issues.is_empty());
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
}
