//! A labelled task issue becomes linked sub-issues exactly once: the auth
//! example end to end against the simulated GitHub and the real SQLite store.

mod orchestrator_common;
mod support;

use orchestrator_common::*;
use vayu::app::Outcome;

fn dag() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("design", vec![]),
        ("backend", vec!["design"]),
        ("frontend", vec!["design"]),
        ("tests", vec!["backend", "frontend"]),
        ("security", vec!["tests"]),
        ("docs", vec!["security"]),
    ]
}

#[tokio::test]
async fn the_auth_example_becomes_six_linked_sub_issues() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let first = h.writes_of(&h.labeled(parent)).await;
    // Each missing label is created once, never re-posted for a later sub-issue.
    let label_posts: Vec<u16> = h
        .sim
        .request_log()
        .iter()
        .filter(|r| r.write && r.path.ends_with("/labels"))
        .map(|r| r.status)
        .collect();
    assert_eq!(label_posts, vec![201; 5]);

    let subs = h.subs(parent);
    assert_eq!(subs.len(), 6, "{subs:?}");
    let p = h.sim.issue(REPO, parent);
    assert_eq!(p.sub_issues.len(), 6);
    for (key, needs) in dag() {
        let s = h.sim.issue(REPO, subs[key]);
        assert_eq!(s.parent, Some(parent));
        let mut want: Vec<u64> = needs.iter().map(|n| subs[*n]).collect();
        let mut got = s.blocked_by.clone();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want, "blocked-by of {key}");
        let status = if needs.is_empty() {
            "status:queued"
        } else {
            "status:blocked"
        };
        assert_eq!(h.status(subs[key]), vec![status], "{key}");
        assert!(
            s.labels.contains(&"priority:normal".to_owned()),
            "{:?}",
            s.labels
        );
    }
    let owner = h.sim.issue(REPO, subs["security"]).labels;
    assert!(owner.contains(&"owner:security".to_owned()), "{owner:?}");
    let design = h.sim.issue(REPO, subs["design"]);
    let body = design.body.unwrap_or_default();
    assert!(
        body.contains("**Done when**: Architecture document lists API endpoints"),
        "{body}"
    );
    assert!(body.contains("`docs/auth-architecture.md`"), "{body}");

    let body = p.body.unwrap_or_default();
    assert!(body.starts_with(AUTH.trim_end()), "user text kept:\n{body}");
    assert!(body.contains("<!-- vayu:begin -->"), "{body}");
    assert!(
        body.contains(&format!(
            "- [ ] #{} Design authentication architecture",
            subs["design"]
        )),
        "{body}"
    );
    assert_eq!(p.comments.len(), 1, "{:?}", p.comments);
    assert!(p.comments[0].contains("slot=plan"), "{}", p.comments[0]);
    assert!(p.comments[0].contains("```mermaid"));
    assert_eq!(h.status(parent), vec!["status:queued"]);

    // A second task in the same repository finds every label in place.
    let other = h.task("Add authentication again", AUTH);
    let steady = h.writes_of(&h.labeled(other)).await;
    let (n, e) = (6, 6);
    println!(
        "GitHub writes for the auth example (N={n}, E={e}): {steady} (goal ≤ N+E+3 = {}); \
         {first} on a fresh repository, which also creates the labels it uses",
        n + e + 3
    );
    assert!(steady <= n + e + 3, "{steady} writes");
    assert_eq!(steady, n + e + 2);
    assert_eq!(first, steady + 5);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_redelivery_writes_nothing_even_with_an_empty_store() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let event = h.labeled(parent);
    h.handle(&event).await;
    assert_eq!(h.writes_of(&event).await, 0);
    assert_eq!(h.handle(&event).await, Outcome::AlreadyDone);

    // Another worker with its own (empty) database finds the markers on GitHub.
    let fresh = store_in(&h.dir, "other.db").await;
    let other = context(&h.sim, fresh, &h.clock);
    let before = h.sim.write_count();
    let out = vayu::app::handle(&event, &other).await.expect("handled");
    let log: Vec<_> = h
        .sim
        .request_log()
        .into_iter()
        .filter(|r| r.write)
        .collect();
    assert_eq!(
        h.sim.write_count() - before,
        0,
        "{out:?} {:#?}",
        &log[log.len().saturating_sub(2)..]
    );
    assert_eq!(h.subs(parent).len(), 6);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_thousand_repeats_make_one_set() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    let event = h.labeled(parent);
    for _ in 0..1000 {
        h.handle(&event).await;
    }
    assert_eq!(h.subs(parent).len(), 6);
    let all = h.sim.world().repos[REPO].issues.len();
    assert_eq!(all, 7, "one parent and six sub-issues");
    assert_eq!(h.sim.issue(REPO, parent).comments.len(), 1);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_ten_subtask_plan_stays_within_the_write_budget() {
    let h = setup().await;
    let mut body = String::from("Ten steps.\n\n```vayu\nsubtasks:\n");
    let mut edges = 0;
    for i in 0..10 {
        let needs = match i {
            0 => String::new(),
            1..=3 => "needs: [s0]".into(),
            _ => format!("needs: [s{}, s{}]", i - 1, i - 2),
        };
        edges += match i {
            0 => 0,
            1..=3 => 1,
            _ => 2,
        };
        body.push_str(&format!(
            "  - {{key: s{i}, title: Step {i}, owner: development, {needs}}}\n"
        ));
    }
    body.push_str("```\n");
    let warm = h.task("Warm up labels", &body);
    h.handle(&h.labeled(warm)).await;
    let parent = h.task("Ten steps", &body);
    let writes = h.writes_of(&h.labeled(parent)).await;
    println!(
        "GitHub writes for a 10-subtask plan (N=10, E={edges}): {writes} (goal ≤ N+E+3 = {}; a naive bot ≈ 4N+E = {})",
        10 + edges + 3,
        40 + edges
    );
    assert_eq!(h.subs(parent).len(), 10);
    assert!(writes <= 10 + edges + 3, "{writes}");
    h.sim.assert_conformant();
}

#[tokio::test]
async fn an_invalid_plan_gets_one_comment_and_status_failed() {
    let h = setup().await;
    let body = "```vayu\nsubtasks:\n  - {key: a, title: A, owner: docs, needs: [zz]}\n  - {key: b, title: B, owner: docs, needs: [c]}\n  - {key: c, title: C, owner: docs, needs: [b]}\n```\n";
    let parent = h.task("Broken", body);
    let writes = h.writes_of(&h.labeled(parent)).await;
    let p = h.sim.issue(REPO, parent);
    assert_eq!(p.comments.len(), 1);
    let c = &p.comments[0];
    assert!(c.contains("line 3, column"), "{c}");
    assert!(c.contains("`zz`"), "{c}");
    assert!(c.contains("b → c → b") || c.contains("c → b → c"), "{c}");
    assert_eq!(h.status(parent), vec!["status:failed"]);
    assert!(p.sub_issues.is_empty());
    assert_eq!(h.sim.world().repos[REPO].issues.len(), 1);
    assert_eq!(writes, 2, "one comment and one label change");
    assert!(h.event_kinds().await.contains(&"plan_invalid".to_owned()));
    let again = h.edit_body(parent, &format!("{body}\n"));
    assert_eq!(h.writes_of(&again).await, 0);

    // The author fixes the plan: the task leaves `failed` and is decomposed.
    let fixed = h.edit_body(parent, AUTH);
    h.handle(&fixed).await;
    assert_eq!(h.subs(parent).len(), 6);
    assert_eq!(h.status(parent), vec!["status:queued"]);
    let p = h.sim.issue(REPO, parent);
    assert_eq!(p.comments.len(), 2, "{:?}", p.comments);
    assert!(
        p.comments[0].starts_with("<!-- vayu:note v=1 slot=problems -->\n### Fixed\n"),
        "the stale problem list is rewritten: {}",
        p.comments[0]
    );
    assert!(p.comments[1].contains("slot=plan"), "{}", p.comments[1]);
    assert_eq!(h.writes_of(&fixed).await, 0);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_broken_config_is_named_with_its_position() {
    let h = setup().await;
    h.sim
        .repo(REPO)
        .file(".github/vayu.yml", "planning:\n  max_subtasks: many\n");
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let p = h.sim.issue(REPO, parent);
    assert_eq!(p.comments.len(), 1);
    assert!(
        p.comments[0].contains(".github/vayu.yml:2:"),
        "{}",
        p.comments[0]
    );
    assert_eq!(h.status(parent), vec!["status:failed"]);
    assert!(p.sub_issues.is_empty());
    assert!(h.event_kinds().await.contains(&"config_invalid".to_owned()));

    // The file is fixed; no issue event follows, reconcile picks the task up.
    h.sim
        .repo(REPO)
        .file(".github/vayu.yml", "planning:\n  max_subtasks: 8\n");
    h.reconcile().await;
    assert_eq!(h.subs(parent).len(), 6);
    assert_eq!(h.status(parent), vec!["status:queued"]);
    let p = h.sim.issue(REPO, parent);
    assert!(p.comments[0].contains("### Fixed"), "{}", p.comments[0]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn a_simple_task_is_routed_to_one_owner() {
    let h = setup().await;
    h.sim.repo(REPO).file(
        ".github/vayu.yml",
        "assignment:\n  agents:\n    - login: dev-bot\n      owners: [development]\n",
    );
    let simple = include_str!("../examples/simple-task.md");
    let (title, body) = simple.split_once("\n\n").expect("title and body");
    let parent = h.task(title, body);
    let out = h.handle(&h.labeled(parent)).await;
    assert!(matches!(out, Outcome::Routed { .. }), "{out:?}");
    let p = h.sim.issue(REPO, parent);
    assert!(p.sub_issues.is_empty());
    // The triage note, then the assignment with its reason (issue #7).
    assert_eq!(p.comments.len(), 2);
    assert!(p.comments[0].contains("simple task"), "{}", p.comments[0]);
    assert!(
        p.comments[1].contains("assigned to @dev-bot: capability development, load 0/1"),
        "{}",
        p.comments[1]
    );
    assert!(
        p.labels.contains(&"status:assigned".to_owned()),
        "{:?}",
        p.labels
    );
    let owner: Vec<_> = p
        .labels
        .iter()
        .filter(|l| l.starts_with("owner:"))
        .collect();
    assert_eq!(owner, vec!["owner:development"], "{:?}", p.labels);
    assert_eq!(p.assignees, vec!["dev-bot"]);
    h.sim.assert_conformant();
}

#[tokio::test]
async fn the_skip_label_and_other_labels_are_ignored() {
    let h = setup().await;
    let parent = h
        .sim
        .repo(REPO)
        .issue()
        .title("Skip me")
        .body(AUTH)
        .label("vayu")
        .label("vayu:skip")
        .open()
        .number;
    assert_eq!(h.writes_of(&h.labeled(parent)).await, 0);
    assert!(h.sim.issue(REPO, parent).sub_issues.is_empty());
    h.sim.assert_conformant();
}

#[tokio::test]
async fn an_issue_vayu_opened_is_never_decomposed_again() {
    let h = setup().await;
    let parent = h.task("Add authentication", AUTH);
    h.handle(&h.labeled(parent)).await;
    let sub = h.subs(parent)["backend"];
    // A person adds the trigger label to one of vayu's own sub-issues.
    {
        let mut w = h.sim.world();
        let id = w.ensure_label(REPO, "vayu");
        w.issue_mut(REPO, sub).expect("sub-issue").labels.push(id);
    }
    let mut event = h.labeled(sub);
    if let vayu::app::event::Event::IssueLabeled { issue, .. } = &mut event {
        issue.author = user("vayu-bot[bot]");
    }
    let before = h.sim.write_count();
    let out = h.handle(&event).await;
    assert_eq!(
        out,
        Outcome::Ignored {
            why: format!("#{sub} was opened by vayu itself")
        }
    );
    assert_eq!(h.sim.write_count(), before);
    assert!(h.sim.issue(REPO, sub).sub_issues.is_empty());
    h.sim.assert_conformant();
}

/// `.github/vayu/plans/<type>.yml` replaces the built-in template of that
/// type, so a repository with its own owners can use type templates.
#[tokio::test]
async fn a_repository_template_replaces_the_built_in_one_for_its_type() {
    let h = setup().await;
    h.sim.repo(REPO).file(
        ".github/vayu.yml",
        "owners:\n  - name: web\n  - name: api\n",
    );
    let typed = |title: &str| {
        h.sim
            .repo(REPO)
            .issue()
            .title(title)
            .body("It crashes on save.")
            .label("vayu")
            .label("type:bug")
            .open()
            .number
    };

    // The built-in bug template names `development`, which this repository
    // does not have.
    let first = typed("Save crashes");
    h.handle(&h.comment(first, "maintainer", "/vayu decompose"))
        .await;
    assert!(h.subs(first).is_empty());
    let c = h.sim.issue(REPO, first).comments.join("\n");
    assert!(c.contains("### The plan template is invalid"), "{c}");
    assert!(
        c.contains("the built-in `bug` template (add `.github/vayu/plans/bug.yml` to replace it): line 6, column 5: subtask `reproduce` is owned by `development`"),
        "{c}"
    );
    assert!(c.contains("Fix the template"), "{c}");

    // Its own template: broken first, with the file, line and column named.
    h.sim.repo(REPO).file(
        ".github/vayu/plans/bug.yml",
        "name: bug\nsubtasks:\n  - key: [oops\n",
    );
    let second = typed("Export crashes");
    h.handle(&h.comment(second, "maintainer", "/vayu decompose"))
        .await;
    assert!(h.subs(second).is_empty());
    let c = h.sim.issue(REPO, second).comments.join("\n");
    assert!(c.contains("`.github/vayu/plans/bug.yml`: line 3"), "{c}");
    assert_eq!(h.status(second), vec!["status:failed"]);

    // Fixed: the task is decomposed from it.
    h.sim.repo(REPO).file(
        ".github/vayu/plans/bug.yml",
        "name: bug\nsubtasks:\n  - {key: repro, title: \"Reproduce: {{title}}\", owner: api}\n  - {key: fix, title: \"Fix: {{title}}\", owner: api, needs: [repro]}\n  - {key: check, title: \"Check the page: {{title}}\", owner: web, needs: [fix]}\n",
    );
    let third = typed("Import crashes");
    h.handle(&h.comment(third, "maintainer", "/vayu decompose"))
        .await;
    let subs = h.subs(third);
    assert_eq!(
        subs.keys().map(String::as_str).collect::<Vec<_>>(),
        vec!["check", "fix", "repro"]
    );
    assert_eq!(
        h.sim.issue(REPO, subs["repro"]).title,
        "Reproduce: Import crashes"
    );
    assert!(
        h.sim
            .issue(REPO, subs["check"])
            .labels
            .contains(&"owner:web".to_owned())
    );
    h.sim.assert_conformant();
}
