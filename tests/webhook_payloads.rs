//! Webhook bodies from `tests/fixtures/github/` (GitHub's own examples and
//! hand-built ones checked against GitHub's schemas) read into app events.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vayu::app::event::{CloseReason, Event, IssueState, LinkEnd, LinkedIssue};
use vayu::core::ids::{InstallationId, IssueId, IssueNumber, Login, RepoName};
use vayu::github::webhook::{self, Normalized, Payload, WebhookError};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/github");

/// Every fixture and what it must become: the event's `kind`, or `ignored: <reason>`.
const EXPECTED: &str = "
webhooks/installation.created.1.json                          installation_created
webhooks/installation.created.2.json                          installation_created
webhooks/installation.deleted.json                            installation_deleted
webhooks/installation.new_permissions_accepted.json           ignored: installation.new_permissions_accepted is not handled
webhooks/installation.suspend.json                            installation_suspended
webhooks/installation.unsuspend.json                          installation_unsuspended
webhooks/installation_repositories.added.json                 installation_repos_added
webhooks/installation_repositories.removed.json               installation_repos_removed
webhooks/issue_comment.created.2.json                         comment_created
webhooks/issue_comment.created.3.json                         comment_created
webhooks/issue_comment.created.4.json                         comment_created
webhooks/issue_comment.deleted.1.json                         ignored: issue_comment.deleted is not handled
webhooks/issue_comment.edited.1.json                          comment_edited
webhooks/issues.assigned.1.json                               ignored: issues.assigned is not handled
webhooks/issues.assigned.3.json                               ignored: issues.assigned is not handled
webhooks/issues.deleted.json                                  issue_deleted
webhooks/issues.demilestoned.1.json                           ignored: issues.demilestoned is not handled
webhooks/issues.demilestoned.2.json                           ignored: issues.demilestoned is not handled
webhooks/issues.edited.1.json                                 issue_edited
webhooks/issues.labeled.1.json                                issue_labeled
webhooks/issues.locked.1.json                                 ignored: issues.locked is not handled
webhooks/issues.milestoned.1.json                             ignored: issues.milestoned is not handled
webhooks/issues.opened.1.json                                 issue_opened
webhooks/issues.opened.3.json                                 issue_opened
webhooks/issues.pinned.json                                   ignored: issues.pinned is not handled
webhooks/issues.reopened.json                                 issue_reopened
webhooks/issues.transferred.json                              ignored: issues.transferred is not handled
webhooks/issues.unassigned.2.json                             ignored: issues.unassigned is not handled
webhooks/issues.unlabeled.1.json                              issue_unlabeled
webhooks/issues.unlocked.1.json                               ignored: issues.unlocked is not handled
webhooks/issues.unlocked.2.json                               ignored: issues.unlocked is not handled
webhooks/issues.unpinned.json                                 ignored: issues.unpinned is not handled
webhooks/ping.1.json                                          ping
webhooks/ping.2.json                                          ping
webhooks/ping.3.json                                          ping
webhooks/repository_dispatch.json                             repository_dispatch
webhooks/workflow_dispatch.json                               workflow_dispatch
webhooks/workflow_job.completed.1.json                        workflow_job_completed
webhooks/workflow_job.completed.2.json                        workflow_job_completed
webhooks/workflow_job.in_progress.1.json                      ignored: workflow_job.in_progress is not handled
webhooks/workflow_job.in_progress.2.json                      ignored: workflow_job.in_progress is not handled
webhooks/workflow_job.queued.1.json                           ignored: workflow_job.queued is not handled
webhooks/workflow_job.queued.2.json                           ignored: workflow_job.queued is not handled
webhooks/workflow_job.waiting.json                            ignored: workflow_job.waiting is not handled
webhooks/workflow_run.completed.1.json                        workflow_run_completed
webhooks/workflow_run.completed.2.json                        workflow_run_completed
webhooks/workflow_run.requested.1.json                        ignored: workflow_run.requested is not handled
webhooks/workflow_run.requested.2.json                        ignored: workflow_run.requested is not handled
webhooks-handmade/issue_comment.created.pull-request.json     ignored: issue_comment.created: #1 is a pull request, not an issue
webhooks-handmade/issue_dependencies.blocked_by_added.json    dependency_added
webhooks-handmade/issue_dependencies.blocked_by_removed.json  dependency_removed
webhooks-handmade/issue_dependencies.blocking_added.json      dependency_added
webhooks-handmade/issue_dependencies.blocking_removed.json    dependency_removed
webhooks-handmade/issues.closed.completed.json                issue_closed
webhooks-handmade/issues.closed.not_planned.json              issue_closed
webhooks-handmade/issues.edited.body-and-title.json           issue_edited
webhooks-handmade/issues.opened.body-null.json                issue_opened
webhooks-handmade/issues.typed.json                           ignored: issues.typed is not handled
webhooks-handmade/sub_issues.parent_issue_added.json          sub_issue_added
webhooks-handmade/sub_issues.parent_issue_removed.json        sub_issue_removed
webhooks-handmade/sub_issues.sub_issue_added.json             sub_issue_added
webhooks-handmade/sub_issues.sub_issue_removed.json           sub_issue_removed
";

fn expected() -> Vec<(&'static str, &'static str)> {
    EXPECTED
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split_once("  ").expect("file, two spaces, outcome"))
        .map(|(file, outcome)| (file, outcome.trim()))
        .collect()
}

/// The payload files of a fixture folder, relative to `FIXTURES`, sorted.
fn payload_files(folder: &str) -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(Path::new(FIXTURES).join(folder))
        .expect("fixture folder")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .into_string()
                .expect("utf-8 name")
        })
        .filter(|n| n.ends_with(".json") && n != "INDEX.json")
        .map(|n| format!("{folder}/{n}"))
        .collect();
    files.sort();
    files
}

/// The `X-GitHub-Event` a fixture was delivered with: its file name up to the first dot.
fn event_name(file: &str) -> &str {
    let name = file.rsplit('/').next().expect("file name");
    name.split('.').next().expect("event prefix")
}

fn read(file: &str) -> Vec<u8> {
    fs::read(PathBuf::from(FIXTURES).join(file)).expect("fixture")
}

fn normalize(file: &str) -> Normalized {
    webhook::normalize(event_name(file), &read(file)).expect(file)
}

fn event(file: &str) -> Event {
    match normalize(file) {
        Normalized::Event(e) => e,
        Normalized::Ignored { reason } => panic!("{file} was ignored: {reason}"),
    }
}

fn outcome(file: &str) -> String {
    match normalize(file) {
        Normalized::Event(e) => {
            let json = serde_json::to_value(&e).expect("serialize");
            json["kind"].as_str().expect("kind").to_owned()
        }
        Normalized::Ignored { reason } => format!("ignored: {reason}"),
    }
}

fn repo(s: &str) -> RepoName {
    s.parse().expect("repo name")
}

#[test]
fn every_fixture_normalizes_to_its_expected_event_or_reason() {
    let mut files = payload_files("webhooks");
    files.extend(payload_files("webhooks-handmade"));
    let expected = expected();
    let listed: Vec<&str> = expected.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed, "fixture folders and EXPECTED disagree");
    for (file, wanted) in expected {
        assert!(
            webhook::parse(event_name(file), &read(file))
                .expect(file)
                .is_some()
        );
        assert_eq!(outcome(file), wanted, "{file}");
    }
}

#[test]
fn every_event_survives_a_json_round_trip() {
    for (file, kind) in expected()
        .into_iter()
        .filter(|(_, o)| !o.starts_with("ignored"))
    {
        let e = event(file);
        let back: Event = serde_json::from_value(serde_json::to_value(&e).expect("ser"))
            .unwrap_or_else(|err| panic!("{file} ({kind}): {err}"));
        assert_eq!(back, e, "{file}");
    }
}

#[test]
fn a_labeled_issue_carries_its_ids_and_label() {
    let Event::IssueLabeled {
        origin,
        issue,
        label,
    } = event("webhooks/issues.labeled.1.json")
    else {
        panic!("not issue_labeled")
    };
    assert_eq!(label, "bug");
    assert_eq!(origin.repo, repo("Codertocat/Hello-World"));
    assert_eq!(origin.installation, None);
    assert_eq!(origin.sender.login, Login("Codertocat".into()));
    assert!(!origin.sender.is_bot);
    assert_eq!(
        (issue.number, issue.id),
        (IssueNumber(1), IssueId(444500041))
    );
    assert_eq!(issue.node_id, "MDU6SXNzdWU0NDQ1MDAwNDE=");
    assert_eq!(issue.labels, vec!["bug".to_owned()]);
    assert_eq!(issue.assignees, vec![Login("Codertocat".into())]);
    assert_eq!(issue.state, IssueState::Open);
    assert_eq!(issue.author_association, "OWNER");
}

#[test]
fn inspect_prints_tagged_json_or_the_reason() {
    let out = webhook::inspect("issues", &read("webhooks/issues.labeled.1.json")).expect("inspect");
    let json: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["kind"], "issue_labeled");
    assert_eq!(json["label"], "bug");
    assert_eq!(json["origin"]["repo"], "Codertocat/Hello-World");
    assert_eq!(json["issue"]["number"], 1);
    let out = webhook::inspect("issues", &read("webhooks/issues.pinned.json")).expect("inspect");
    assert_eq!(out, "ignored: issues.pinned is not handled");
}

#[test]
fn a_null_body_reads_as_empty() {
    let Event::IssueOpened { issue, .. } = event("webhooks-handmade/issues.opened.body-null.json")
    else {
        panic!("not issue_opened")
    };
    assert_eq!(issue.body, "");
}

#[test]
fn edits_keep_the_previous_title_and_body() {
    let Event::IssueEdited {
        old_title,
        old_body,
        ..
    } = event("webhooks-handmade/issues.edited.body-and-title.json")
    else {
        panic!("not issue_edited")
    };
    assert_eq!(old_title.as_deref(), Some("Spelling error in README"));
    assert_eq!(
        old_body.as_deref(),
        Some("It looks like you accidently spelled 'commit' with two 't's.")
    );
    // GitHub's own example sends `changes: {}`.
    let Event::IssueEdited {
        old_title,
        old_body,
        ..
    } = event("webhooks/issues.edited.1.json")
    else {
        panic!("not issue_edited")
    };
    assert_eq!((old_title, old_body), (None, None));

    let Event::CommentEdited {
        comment, old_body, ..
    } = event("webhooks/issue_comment.edited.1.json")
    else {
        panic!("not comment_edited")
    };
    assert_eq!(
        comment.body,
        "You are totally right! I'll get this fixed today."
    );
    assert_eq!(comment.id.0, 492700400);
    assert_eq!(
        old_body.as_deref(),
        Some("You are totally right! I'll get this fixed right away.")
    );
}

#[test]
fn closing_keeps_the_reason() {
    for (file, expected) in [
        (
            "webhooks-handmade/issues.closed.completed.json",
            CloseReason::Completed,
        ),
        (
            "webhooks-handmade/issues.closed.not_planned.json",
            CloseReason::NotPlanned,
        ),
    ] {
        let Event::IssueClosed {
            issue,
            reason,
            origin,
        } = event(file)
        else {
            panic!("{file}: not issue_closed")
        };
        assert_eq!(reason, expected, "{file}");
        assert_eq!(issue.state, IssueState::Closed);
        assert_eq!(origin.installation, Some(InstallationId(1)));
    }
}

#[test]
fn sub_issue_links_name_both_ends_and_the_reporting_end() {
    let parent = LinkedIssue {
        id: IssueId(444500041),
        repo: repo("Codertocat/Hello-World"),
        number: Some(IssueNumber(1)),
    };
    let sub = LinkedIssue {
        id: IssueId(444500042),
        number: Some(IssueNumber(2)),
        ..parent.clone()
    };
    let Event::SubIssueAdded { link, .. } =
        event("webhooks-handmade/sub_issues.sub_issue_added.json")
    else {
        panic!("not sub_issue_added")
    };
    assert_eq!(
        (&link.parent, &link.sub, link.reported_on),
        (&parent, &sub, LinkEnd::Parent)
    );
    let Event::SubIssueRemoved { link, .. } =
        event("webhooks-handmade/sub_issues.parent_issue_removed.json")
    else {
        panic!("not sub_issue_removed")
    };
    assert_eq!(
        (&link.parent, &link.sub, link.reported_on),
        (&parent, &sub, LinkEnd::Sub)
    );
}

#[test]
fn dependency_links_name_blocked_and_blocking() {
    let Event::DependencyAdded { link, .. } =
        event("webhooks-handmade/issue_dependencies.blocked_by_added.json")
    else {
        panic!("not dependency_added")
    };
    assert_eq!(link.blocked.id, IssueId(444500042));
    assert_eq!(link.blocking.id, IssueId(444500043));
    assert_eq!(link.blocking.number, Some(IssueNumber(3)));
    assert_eq!(link.reported_on, LinkEnd::Blocked);
    let Event::DependencyRemoved { link, .. } =
        event("webhooks-handmade/issue_dependencies.blocking_removed.json")
    else {
        panic!("not dependency_removed")
    };
    assert_eq!(link.reported_on, LinkEnd::Blocking);
}

#[test]
fn link_ends_fall_back_to_ids_and_the_issue_repository() {
    // Only ids, no issue objects: the other end lives in the delivery's repository.
    let mut body: Value =
        serde_json::from_slice(&read("webhooks-handmade/sub_issues.sub_issue_added.json"))
            .expect("json");
    let obj = body.as_object_mut().expect("object");
    obj.remove("sub_issue");
    obj.remove("sub_issue_repo");
    // A cross-repository parent says where it lives through `repository_url`.
    obj["parent_issue"]["repository_url"] = json!("https://api.github.com/repos/octo-org/plans");
    let body = serde_json::to_vec(&body).expect("bytes");
    let Normalized::Event(Event::SubIssueAdded { link, .. }) =
        webhook::normalize("sub_issues", &body).expect("normalize")
    else {
        panic!("not sub_issue_added")
    };
    assert_eq!(
        link.sub,
        LinkedIssue {
            id: IssueId(444500042),
            repo: repo("Codertocat/Hello-World"),
            number: None
        }
    );
    assert_eq!(link.parent.repo, repo("octo-org/plans"));

    let mut body: Value = serde_json::from_slice(&read(
        "webhooks-handmade/issue_dependencies.blocking_added.json",
    ))
    .expect("json");
    let obj = body.as_object_mut().expect("object");
    obj.remove("blocked_issue");
    obj.remove("blocked_issue_id");
    let err = webhook::normalize(
        "issue_dependencies",
        &serde_json::to_vec(&body).expect("bytes"),
    )
    .expect_err("no blocked issue");
    assert_eq!(
        err.to_string(),
        "the `issue_dependencies.blocking_added` webhook has no `blocked_issue_id` or \
         `blocked_issue`; GitHub always sends it, so the body is not a GitHub delivery"
    );
}

#[test]
fn installations_list_their_repositories() {
    let Event::InstallationCreated {
        installation,
        account,
        repos,
        ..
    } = event("webhooks/installation.created.1.json")
    else {
        panic!("not installation_created")
    };
    assert_eq!(installation, InstallationId(957387));
    assert_eq!(account, Login("Codertocat".into()));
    assert_eq!(repos, vec![repo("Codertocat/Hello-World")]);
    let Event::InstallationReposAdded { repos, .. } =
        event("webhooks/installation_repositories.added.json")
    else {
        panic!("not installation_repos_added")
    };
    assert_eq!(repos, vec![repo("Codertocat/Space")]);
}

#[test]
fn workflow_runs_dispatches_and_pings_carry_what_the_action_needs() {
    let Event::WorkflowRunCompleted { origin, run } =
        event("webhooks/workflow_run.completed.1.json")
    else {
        panic!("not workflow_run_completed")
    };
    assert_eq!(origin.repo, repo("octo-org/octo-repo"));
    // The run's own name is empty in this example; the workflow's name stands in.
    assert_eq!((run.id, run.name.as_str()), (289782451, "test"));
    assert_eq!(
        (run.trigger.as_str(), run.conclusion.as_deref()),
        ("repository_dispatch", Some("success"))
    );
    assert_eq!(run.attempt, 1);

    let Event::WorkflowJobCompleted { job, .. } = event("webhooks/workflow_job.completed.1.json")
    else {
        panic!("not workflow_job_completed")
    };
    assert_eq!(
        (job.run_id, job.name.as_str(), job.conclusion.as_deref()),
        (2202229078, "linters", Some("failure"))
    );

    let Event::RepositoryDispatch {
        origin,
        action,
        client_payload,
        ..
    } = event("webhooks/repository_dispatch.json")
    else {
        panic!("not repository_dispatch")
    };
    assert_eq!(action, "on-demand-test");
    assert_eq!(client_payload, json!({"unit": false, "integration": true}));
    assert_eq!(origin.installation, Some(InstallationId(375706)));

    let Event::WorkflowDispatch {
        inputs, git_ref, ..
    } = event("webhooks/workflow_dispatch.json")
    else {
        panic!("not workflow_dispatch")
    };
    assert_eq!(inputs, json!({"name": "Mona the Octocat"}));
    assert_eq!(git_ref, "refs/heads/master");

    let Event::Ping {
        hook_id, app_id, ..
    } = event("webhooks/ping.2.json")
    else {
        panic!("not ping")
    };
    assert_eq!((hook_id, app_id), (Some(109948940), Some(29310)));
}

#[test]
fn new_actions_and_unknown_events_are_ignored_not_errors() {
    let Some(Payload::Issues(p)) =
        webhook::parse("issues", &read("webhooks-handmade/issues.typed.json")).expect("parse")
    else {
        panic!("not an issues payload")
    };
    assert_eq!(p.action, "typed");
    assert_eq!(p.issue.issue_type.map(|t| t.name).as_deref(), Some("Task"));

    let mut body: Value =
        serde_json::from_slice(&read("webhooks/issues.opened.1.json")).expect("json");
    body["action"] = json!("frobnicated");
    body["issue"]["brand_new_field"] = json!({"nested": [1, 2]});
    let body = serde_json::to_vec(&body).expect("bytes");
    assert_eq!(
        webhook::normalize("issues", &body).expect("lenient"),
        Normalized::Ignored {
            reason: "issues.frobnicated is not handled".into()
        }
    );
    assert_eq!(
        webhook::normalize("star", b"{}").expect("unknown event"),
        Normalized::Ignored {
            reason: "unknown event `star`".into()
        }
    );
}

#[test]
fn bad_bodies_are_errors_that_name_the_problem() {
    let err = webhook::normalize("issues", br#"{"action": "opened", "issue": "#).expect_err("eof");
    assert_eq!(
        err.to_string(),
        "cannot read the `issues` webhook body at `issue`: EOF while parsing a value at line 1 \
         column 30 (check that the X-GitHub-Event header matches the body)"
    );

    let mut body: Value =
        serde_json::from_slice(&read("webhooks/issues.opened.1.json")).expect("json");
    body["issue"]["number"] = json!("one");
    let err = webhook::normalize("issues", &serde_json::to_vec(&body).expect("bytes"))
        .expect_err("bad number");
    let WebhookError::Body {
        event,
        path,
        message,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((event.as_str(), path.as_str()), ("issues", "issue.number"));
    assert!(
        message.starts_with("invalid type: string \"one\", expected u64"),
        "{message}"
    );

    // A ping body sent with the `issues` header: the first thing missing is `action`.
    let err = webhook::normalize("issues", &read("webhooks/ping.1.json")).expect_err("ping");
    assert_eq!(
        err,
        WebhookError::Body {
            event: "issues".into(),
            path: ".".into(),
            message: "missing field `action` at line 142 column 1".into(),
        }
    );

    let mut body: Value =
        serde_json::from_slice(&read("webhooks/issues.opened.1.json")).expect("json");
    body["repository"]["full_name"] = json!("no-slash");
    let err = webhook::normalize("issues", &serde_json::to_vec(&body).expect("bytes"))
        .expect_err("bad repo");
    assert_eq!(
        err.to_string(),
        "the `issues.opened` webhook names repository `no-slash`, which is not `owner/name`"
    );
}
