//! The adapter against the simulated GitHub: each port operation, faults,
//! and App authentication, over real HTTP through octocrab.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::http::Method;
use serde_json::json;
use support::{Fault, GitHubSim, Permission as SimPermission};
use tokio::time::Instant;
use vayu::app::ports::*;
use vayu::core::ids::{IssueNumber, Login, RepoName};
use vayu::github::auth::AppCredentials;
use vayu::github::{ClientConfig, GitHubClient};

const REPO: &str = "octo-org/hello";

fn repo() -> RepoName {
    REPO.parse().expect("repo")
}

fn config(sim: &GitHubSim) -> ClientConfig {
    ClientConfig {
        base_url: sim.url(),
        mutation_gap: Duration::ZERO,
        timeout: None,
        ..ClientConfig::default()
    }
}

async fn setup() -> (GitHubSim, GitHubClient) {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    sim.repo(REPO);
    let gh = GitHubClient::with_token(config(&sim), "tok").expect("client");
    (sim, gh)
}

fn new_issue(title: &str, labels: &[&str]) -> NewIssue {
    NewIssue {
        title: title.into(),
        body: format!("{title} body"),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        assignees: Vec::new(),
    }
}

#[tokio::test]
async fn creates_an_issue_with_labels_and_assignees() {
    let (sim, gh) = setup().await;
    let mut new = new_issue("Ship it", &["vayu", "type:feature"]);
    new.assignees = vec![Login("octocat".into())];
    let issue = gh.create_issue(&repo(), &new).await.expect("create");
    let seen = sim.issue(REPO, issue.number.0);
    assert_eq!(seen.title, "Ship it");
    assert_eq!(seen.labels, vec!["vayu", "type:feature"]);
    assert_eq!(seen.assignees, vec!["octocat"]);
    assert_eq!(issue.id.0, seen.id);
    assert_eq!(issue.labels, vec!["vayu", "type:feature"]);
}

#[tokio::test]
async fn updates_closes_and_lists_by_label() {
    let (sim, gh) = setup().await;
    let a = sim.repo(REPO).issue().title("a").label("vayu").open();
    sim.repo(REPO).issue().title("b").open();
    let patch = IssuePatch {
        title: Some("a2".into()),
        state: Some(IssueState::Closed),
        state_reason: Some(StateReason::NotPlanned),
        ..IssuePatch::default()
    };
    let updated = gh
        .update_issue(&repo(), IssueNumber(a.number), &patch)
        .await
        .expect("update");
    assert_eq!(updated.state, IssueState::Closed);
    assert_eq!(
        sim.issue(REPO, a.number).state_reason.as_deref(),
        Some("not_planned")
    );
    let page = gh
        .list_issues_by_label(&repo(), "vayu", StateFilter::All, 1)
        .await
        .expect("list");
    let titles: Vec<_> = page.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, vec!["a2"]);
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn labels_are_ensured_added_and_removed_idempotently() {
    let (sim, gh) = setup().await;
    let i = sim.repo(REPO).issue().title("x").open();
    let spec = LabelSpec {
        name: "status:queued".into(),
        color: "#ededed".into(),
        description: "Waiting".into(),
    };
    gh.ensure_label(&repo(), &spec).await.expect("create");
    gh.ensure_label(&repo(), &spec)
        .await
        .expect("exists already");
    let n = IssueNumber(i.number);
    gh.add_labels(&repo(), n, &["status:queued".into()])
        .await
        .expect("add");
    assert_eq!(sim.issue(REPO, i.number).labels, vec!["status:queued"]);
    gh.remove_label(&repo(), n, "status:queued")
        .await
        .expect("remove");
    gh.remove_label(&repo(), n, "status:queued")
        .await
        .expect("absent is fine");
    assert!(sim.issue(REPO, i.number).labels.is_empty());
}

#[tokio::test]
async fn comments_are_created_updated_and_found_by_marker() {
    let (sim, gh) = setup().await;
    let i = sim.repo(REPO).issue().title("x").open();
    let n = IssueNumber(i.number);
    gh.create_comment(&repo(), n, "hello")
        .await
        .expect("comment");
    let ours = gh
        .create_comment(&repo(), n, "<!-- vayu:progress key=a -->\n10%")
        .await
        .expect("comment");
    gh.update_comment(&repo(), ours.id, "<!-- vayu:progress key=a -->\n50%")
        .await
        .expect("update");
    let found = gh
        .find_comment(&repo(), n, "vayu:progress key=a")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(found.id, ours.id);
    assert_eq!(found.body, "<!-- vayu:progress key=a -->\n50%");
    assert_eq!(
        gh.find_comment(&repo(), n, "vayu:plan")
            .await
            .expect("find"),
        None
    );
    assert_eq!(sim.issue(REPO, i.number).comments.len(), 2);
}

#[tokio::test]
async fn reactions_are_idempotent() {
    let (sim, gh) = setup().await;
    let i = sim.repo(REPO).issue().title("x").open();
    let target = ReactionTarget::Issue(IssueNumber(i.number));
    gh.react(&repo(), target, Reaction::Eyes)
        .await
        .expect("react");
    gh.react(&repo(), target, Reaction::Eyes)
        .await
        .expect("again");
    assert_eq!(
        sim.issue(REPO, i.number).reactions,
        vec![("vayu-bot".to_owned(), "eyes".to_owned())]
    );
}

#[tokio::test]
async fn sub_issues_are_linked_listed_and_unlinked() {
    let (sim, gh) = setup().await;
    let p = sim.repo(REPO).issue().title("parent").open();
    let c = sim.repo(REPO).issue().title("child").open();
    let (pn, cn) = (IssueNumber(p.number), IssueNumber(c.number));
    let child_id = vayu::core::ids::IssueId(c.id);
    gh.add_sub_issue(&repo(), pn, child_id).await.expect("link");
    assert_eq!(sim.issue(REPO, p.number).sub_issues, vec![c.number]);
    let subs = gh.list_sub_issues(&repo(), pn).await.expect("list");
    assert_eq!(subs.iter().map(|i| i.number).collect::<Vec<_>>(), vec![cn]);
    let parent = gh.parent_issue(&repo(), cn).await.expect("parent");
    assert_eq!(parent.map(|i| i.number), Some(pn));
    assert_eq!(gh.parent_issue(&repo(), pn).await.expect("none"), None);
    gh.remove_sub_issue(&repo(), pn, child_id)
        .await
        .expect("unlink");
    assert!(sim.issue(REPO, p.number).sub_issues.is_empty());
}

#[tokio::test]
async fn blocked_by_links_are_added_listed_and_removed() {
    let (sim, gh) = setup().await;
    let a = sim.repo(REPO).issue().title("a").open();
    let b = sim.repo(REPO).issue().title("b").open();
    let b_id = vayu::core::ids::IssueId(b.id);
    gh.add_blocked_by(&repo(), IssueNumber(a.number), b_id)
        .await
        .expect("block");
    assert_eq!(sim.issue(REPO, a.number).blocked_by, vec![b.number]);
    let blockers = gh
        .list_blocked_by(&repo(), IssueNumber(a.number))
        .await
        .expect("list");
    assert_eq!(
        blockers.iter().map(|i| i.number.0).collect::<Vec<_>>(),
        vec![b.number]
    );
    let blocking = gh
        .list_blocking(&repo(), IssueNumber(b.number))
        .await
        .expect("list");
    assert_eq!(
        blocking.iter().map(|i| i.number.0).collect::<Vec<_>>(),
        vec![a.number]
    );
    gh.remove_blocked_by(&repo(), IssueNumber(a.number), b_id)
        .await
        .expect("unblock");
    assert!(sim.issue(REPO, a.number).blocked_by.is_empty());
}

#[tokio::test]
async fn permissions_are_ordered_and_strangers_have_none() {
    let (sim, gh) = setup().await;
    sim.repo(REPO)
        .collaborator("maint", SimPermission::Maintain)
        .collaborator("triager", SimPermission::Triage);
    let p = |u: &str| Login(u.into());
    assert_eq!(
        gh.permission(&repo(), &p("maint")).await.expect("perm"),
        Some(Permission::Maintain)
    );
    assert_eq!(
        gh.permission(&repo(), &p("triager")).await.expect("perm"),
        Some(Permission::Triage)
    );
    assert_eq!(
        gh.permission(&repo(), &p("nobody")).await.expect("perm"),
        None
    );
    assert!(Permission::Triage < Permission::Write);
}

#[tokio::test]
async fn files_are_read_and_missing_ones_are_none() {
    let (sim, gh) = setup().await;
    sim.repo(REPO)
        .file(".github/vayu.yml", "labels:\n  trigger: vayu\n");
    let f = gh
        .read_file(&repo(), ".github/vayu.yml")
        .await
        .expect("read");
    assert_eq!(
        f.map(|f| f.text).as_deref(),
        Some("labels:\n  trigger: vayu\n")
    );
    let again = gh
        .read_file(&repo(), ".github/vayu.yml")
        .await
        .expect("read");
    assert!(again.is_some());
    assert_eq!(
        gh.read_file(&repo(), ".github/none.yml")
            .await
            .expect("read"),
        None
    );
}

#[tokio::test]
async fn workflow_and_repository_dispatches_are_sent() {
    let (sim, gh) = setup().await;
    gh.dispatch_workflow(&repo(), "vayu.yml", "main", &json!({ "task": "12" }))
        .await
        .expect("workflow");
    gh.dispatch_repository(&repo(), "vayu-ready", &json!({ "task": 12 }))
        .await
        .expect("repository");
    assert_eq!(sim.dispatches().len(), 2);
}

#[tokio::test]
async fn sub_issue_is_created_and_linked_in_one_graphql_call() {
    let (sim, gh) = setup().await;
    sim.repo(REPO).label("vayu", "ededed", "");
    let p = sim.repo(REPO).issue().title("parent").open();
    let parent = gh
        .get_issue(&repo(), IssueNumber(p.number))
        .await
        .expect("parent");
    let child = gh
        .create_sub_issue(&repo(), &parent, &new_issue("backend", &["vayu"]))
        .await
        .expect("create");
    let seen = sim.issue(REPO, child.number.0);
    assert_eq!(seen.parent, Some(p.number));
    assert_eq!(seen.labels, vec!["vayu"]);
    assert_eq!(child.id.0, seen.id);
    let graphql = sim
        .request_log()
        .iter()
        .filter(|r| r.path == "/graphql")
        .count();
    assert_eq!(graphql, 1);
}

#[tokio::test]
async fn project_items_are_added_and_fields_set() {
    let (sim, gh) = setup().await;
    let board = sim.project("octo-org", 3, "Roadmap");
    let status = board.single_select("Status", &["Todo", "Doing"]);
    board.number_field("Estimate");
    let i = sim.repo(REPO).issue().title("x").open();
    let project = gh
        .find_project(&repo(), "octo-org", 3)
        .await
        .expect("query")
        .expect("found");
    assert_eq!(project.title, "Roadmap");
    let field = project
        .fields
        .iter()
        .find(|f| f.name == "Status")
        .expect("field");
    assert_eq!(field.id, status);
    let doing = field
        .options
        .iter()
        .find(|o| o.name == "Doing")
        .expect("option");
    let item = gh
        .add_project_item(&repo(), &project.id, &i.node_id)
        .await
        .expect("add");
    let again = gh
        .add_project_item(&repo(), &project.id, &i.node_id)
        .await
        .expect("add");
    assert_eq!(item, again);
    gh.set_project_field(
        &repo(),
        &project.id,
        &item,
        &field.id,
        &FieldValue::SingleSelect(doing.id.clone()),
    )
    .await
    .expect("set");
    let estimate = project
        .fields
        .iter()
        .find(|f| f.name == "Estimate")
        .expect("field");
    gh.set_project_field(
        &repo(),
        &project.id,
        &item,
        &estimate.id,
        &FieldValue::Number(2.5),
    )
    .await
    .expect("set");
    let values = board.values_of(&i.node_id).expect("item");
    assert_eq!(board.item_count(), 1);
    assert_eq!(values.len(), 2, "{values:?}");
    assert_eq!(
        gh.find_project(&repo(), "octo-org", 99)
            .await
            .expect("query"),
        None
    );
}

#[tokio::test(start_paused = true)]
async fn a_502_then_success_is_retried() {
    let (sim, gh) = setup().await;
    let i = sim.repo(REPO).issue().title("x").open();
    sim.fail_next(Method::GET, "/repos/*/*/issues/*", Fault::Status(502));
    let issue = gh
        .get_issue(&repo(), IssueNumber(i.number))
        .await
        .expect("issue");
    assert_eq!(issue.title, "x");
    assert_eq!(gh.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_with_retry_after_waits_exactly() {
    let (sim, gh) = setup().await;
    let i = sim.repo(REPO).issue().title("x").open();
    let fault = Fault::RateLimited {
        retry_after_secs: 3,
    };
    sim.fail_next(Method::GET, "/repos/*/*/issues/*", fault);
    let start = Instant::now();
    gh.get_issue(&repo(), IssueNumber(i.number))
        .await
        .expect("issue");
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn a_secondary_limit_storm_gives_up_after_bounded_attempts() {
    let (sim, gh) = setup().await;
    let i = sim.repo(REPO).issue().title("x").open();
    sim.fail_n(
        Method::POST,
        "/repos/*/*/issues/*/comments",
        Fault::SecondaryLimit,
        100,
    );
    let err = gh
        .create_comment(&repo(), IssueNumber(i.number), "hi")
        .await
        .expect_err("storm");
    assert!(matches!(err, GitHubError::RateLimited { .. }), "{err:?}");
    assert_eq!(gh.attempts(), 4);
    assert!(sim.issue(REPO, i.number).comments.is_empty());
}

const KEY: &[u8] = include_bytes!("fixtures/keys/test-app.private.pem");
const PUB: &str = include_str!("fixtures/keys/test-app.public.pem");

#[tokio::test]
async fn an_app_exchanges_one_token_for_many_calls_and_renews_it() {
    let sim = GitHubSim::start().await;
    sim.repo(REPO);
    sim.installation(77, 42, PUB, &[REPO]);
    let i = sim.repo(REPO).issue().title("x").open();
    let real_now = chrono::Utc::now().timestamp();
    let now = Arc::new(AtomicI64::new(real_now));
    let clock = now.clone();
    let creds = AppCredentials::from_pem("42", KEY).expect("key");
    let gh = GitHubClient::with_app_clock(
        config(&sim),
        creds,
        Arc::new(move || clock.load(Ordering::SeqCst)),
    );
    for _ in 0..5 {
        gh.get_issue(&repo(), IssueNumber(i.number))
            .await
            .expect("issue");
    }
    assert_eq!(gh.token_exchanges(), 1);
    now.store(real_now + 3600, Ordering::SeqCst);
    gh.get_issue(&repo(), IssueNumber(i.number))
        .await
        .expect("issue");
    assert_eq!(gh.token_exchanges(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_retried() {
    let (sim, gh) = setup().await;
    let i = sim.repo(REPO).issue().title("x").open();
    sim.fail_next(Method::GET, "/repos/*/*/issues/*", Fault::Drop);
    let issue = gh
        .get_issue(&repo(), IssueNumber(i.number))
        .await
        .expect("issue");
    assert_eq!(issue.title, "x");
    assert_eq!(gh.attempts(), 2);
}

#[tokio::test]
async fn listing_by_label_pages_through_the_link_header() {
    let (sim, gh) = setup().await;
    for k in 0..101 {
        sim.repo(REPO)
            .issue()
            .title(&format!("t{k}"))
            .label("vayu")
            .open();
    }
    let first = gh
        .list_issues_by_label(&repo(), "vayu", StateFilter::Open, 1)
        .await
        .expect("page 1");
    assert_eq!((first.items.len(), first.next), (100, Some(2)));
    let second = gh
        .list_issues_by_label(&repo(), "vayu", StateFilter::Open, 2)
        .await
        .expect("page 2");
    assert_eq!((second.items.len(), second.next), (1, None));
}

#[tokio::test]
async fn the_apps_bot_login_comes_from_get_app_with_the_jwt() {
    let sim = GitHubSim::start().await;
    sim.installation(77, 42, PUB, &[REPO]);
    let creds = AppCredentials::from_pem("42", KEY).expect("key");
    let gh = GitHubClient::with_app(config(&sim), creds);
    assert_eq!(
        gh.app_bot_login().await.expect("GET /app"),
        Some("vayu-sim[bot]".to_owned())
    );
    let with_token = GitHubClient::with_token(config(&sim), "tok").expect("client");
    assert_eq!(with_token.app_bot_login().await.expect("no call"), None);
    sim.assert_conformant();
}
