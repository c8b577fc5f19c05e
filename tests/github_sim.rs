//! The simulated GitHub, driven by the real octocrab client over HTTP.

mod support;

use octocrab::Octocrab;
use octocrab::models::reactions::ReactionContent;
use octocrab::models::{AppId, InstallationId, IssueId};
use octocrab::params::State;
use serde_json::{Value, json};
use support::{Fault, GitHubSim, Permission};

const TOKEN: &str = "ghp_simtesttoken";
const REPO: &str = "acme/widgets";

async fn setup() -> (GitHubSim, Octocrab) {
    let gh = GitHubSim::start().await;
    gh.token(TOKEN);
    gh.repo(REPO);
    let oc = client(&gh, TOKEN);
    (gh, oc)
}

fn client(gh: &GitHubSim, token: &str) -> Octocrab {
    Octocrab::builder()
        .base_uri(gh.url())
        .expect("sim url")
        .personal_token(token.to_string())
        .build()
        .expect("client")
}

#[tokio::test]
async fn create_issue_with_labels_then_add_and_remove_a_label() {
    let (gh, oc) = setup().await;
    let issues = oc.issues("acme", "widgets");
    let issue = issues
        .create("Build the thing")
        .body("details")
        .labels(vec!["vayu".to_string()])
        .send()
        .await
        .expect("create");
    assert_eq!(issue.number, 1);
    assert_eq!(issue.user.login, "vayu-bot");
    assert_eq!(
        issue
            .labels
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>(),
        ["vayu"]
    );

    let labels = issues
        .add_labels(1, &["vayu:planned".to_string()])
        .await
        .expect("add");
    assert_eq!(labels.len(), 2);
    issues.remove_label(1, "vayu").await.expect("remove");
    let missing = issues
        .remove_label(1, "vayu")
        .await
        .expect_err("already removed");
    assert!(
        format!("{missing:?}").contains("Label does not exist"),
        "{missing:?}"
    );

    let snap = gh.issue(REPO, 1);
    assert_eq!(snap.labels, ["vayu:planned"]);
    assert_eq!(snap.body.as_deref(), Some("details"));
    assert_eq!(gh.write_count(), 4);
}

#[tokio::test]
async fn update_closes_with_reason_and_list_filters_by_label_and_state() {
    let (gh, oc) = setup().await;
    let repo = gh.repo(REPO);
    repo.issue().title("a").label("vayu").open();
    repo.issue().title("b").open();
    repo.issue().title("c").label("vayu").open();
    let issues = oc.issues("acme", "widgets");
    issues
        .update(3)
        .state(octocrab::models::IssueState::Closed)
        .state_reason(octocrab::models::issues::IssueStateReason::NotPlanned)
        .send()
        .await
        .expect("close");
    assert_eq!(
        gh.issue(REPO, 3).state_reason.as_deref(),
        Some("not_planned")
    );

    let open = issues
        .list()
        .labels(&["vayu".to_string()])
        .send()
        .await
        .expect("list");
    assert_eq!(open.items.iter().map(|i| i.number).collect::<Vec<_>>(), [1]);
    let all = issues
        .list()
        .state(State::All)
        .per_page(2u8)
        .send()
        .await
        .expect("page 1");
    assert_eq!(
        all.items.iter().map(|i| i.number).collect::<Vec<_>>(),
        [3, 2]
    );
    let next: octocrab::Page<octocrab::models::issues::Issue> = oc
        .get_page(&all.next)
        .await
        .expect("page 2")
        .expect("has a next page");
    assert_eq!(next.items.iter().map(|i| i.number).collect::<Vec<_>>(), [1]);
}

#[tokio::test]
async fn comments_create_update_list_and_reactions_are_idempotent() {
    let (gh, oc) = setup().await;
    gh.repo(REPO).issue().title("t").open();
    let issues = oc.issues("acme", "widgets");
    let c = issues
        .create_comment(1, "progress 10%")
        .await
        .expect("comment");
    let _: Value = oc
        .patch(
            format!("/repos/acme/widgets/issues/comments/{}", c.id),
            Some(&json!({ "body": "progress 40%" })),
        )
        .await
        .expect("update");
    let list = issues.list_comments(1).send().await.expect("list");
    assert_eq!(
        list.items
            .iter()
            .map(|c| c.body.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["progress 40%"]
    );

    let first = issues
        .create_reaction(1, ReactionContent::Eyes)
        .await
        .expect("react");
    let again = issues
        .create_reaction(1, ReactionContent::Eyes)
        .await
        .expect("react again");
    assert_eq!(first.id, again.id);
    let statuses: Vec<u16> = gh
        .request_log()
        .iter()
        .filter(|r| r.path.ends_with("/issues/1/reactions"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [201, 200]);
    issues
        .create_comment_reaction(c.id, ReactionContent::PlusOne)
        .await
        .expect("comment reaction");
    let on_comment = issues
        .list_comment_reactions(c.id)
        .send()
        .await
        .expect("list reactions");
    assert_eq!(on_comment.items.len(), 1);
    assert_eq!(
        gh.issue(REPO, 1).reactions,
        [("vayu-bot".to_string(), "eyes".to_string())]
    );
}

#[tokio::test]
async fn sub_issues_link_by_database_id_list_parent_and_enforce_limits() {
    let (gh, oc) = setup().await;
    let repo = gh.repo(REPO);
    let parent = repo.issue().title("parent").open();
    let child = repo.issue().title("child").open();
    let issues = oc.issues("acme", "widgets");
    issues
        .add_sub_issue(parent.number, IssueId(child.id), None)
        .await
        .expect("add");
    let subs = issues
        .list_sub_issues(parent.number)
        .send()
        .await
        .expect("list");
    assert_eq!(
        subs.items.iter().map(|i| i.number).collect::<Vec<_>>(),
        [child.number]
    );
    let p = issues.get_parent_issue(child.number).await.expect("parent");
    assert_eq!(p.number, parent.number);

    // One parent only, unless replace_parent.
    let other = repo.issue().title("other parent").open();
    let err = issues
        .add_sub_issue(other.number, IssueId(child.id), None)
        .await
        .expect_err("second parent");
    assert!(
        format!("{err:?}").contains("Sub issue may only have one parent"),
        "{err:?}"
    );
    issues
        .add_sub_issue(other.number, IssueId(child.id), Some(true))
        .await
        .expect("replace parent");
    assert_eq!(gh.issue(REPO, child.number).parent, Some(other.number));

    // 100 per parent: the 101st is refused.
    for i in 0..100 {
        let c = repo.issue().title(&format!("c{i}")).open();
        issues
            .add_sub_issue(parent.number, IssueId(c.id), None)
            .await
            .expect("within limit");
    }
    let extra = repo.issue().title("one too many").open();
    let err = issues
        .add_sub_issue(parent.number, IssueId(extra.id), None)
        .await
        .expect_err("101st");
    assert!(
        format!("{err:?}").contains("more than 100 sub-issues"),
        "{err:?}"
    );
    assert_eq!(gh.request_log().last().map(|r| r.status), Some(422));
}

#[tokio::test]
async fn sub_issues_nest_at_most_eight_levels() {
    let (gh, oc) = setup().await;
    let repo = gh.repo(REPO);
    let chain: Vec<_> = (0..9)
        .map(|i| repo.issue().title(&format!("level {}", i + 1)).open())
        .collect();
    let issues = oc.issues("acme", "widgets");
    for pair in chain.windows(2).take(7) {
        issues
            .add_sub_issue(pair[0].number, IssueId(pair[1].id), None)
            .await
            .expect("within 8 levels");
    }
    let err = issues
        .add_sub_issue(chain[7].number, IssueId(chain[8].id), None)
        .await
        .expect_err("9th level");
    assert!(
        format!("{err:?}").contains("nested more than 8 levels"),
        "{err:?}"
    );
}

#[tokio::test]
async fn dependencies_add_list_remove() {
    let (gh, oc) = setup().await;
    let repo = gh.repo(REPO);
    let a = repo.issue().title("a").open();
    let b = repo.issue().title("b").open();
    let issues = oc.issues("acme", "widgets");
    issues
        .add_dependency_blocked_by(b.number, IssueId(a.id))
        .await
        .expect("add");
    let dup = issues
        .add_dependency_blocked_by(b.number, IssueId(a.id))
        .await
        .expect_err("duplicate");
    assert!(format!("{dup:?}").contains("already exists"), "{dup:?}");
    let blocked_by = issues
        .list_dependencies_blocked_by(b.number)
        .send()
        .await
        .expect("list");
    assert_eq!(
        blocked_by
            .items
            .iter()
            .map(|i| i.number)
            .collect::<Vec<_>>(),
        [a.number]
    );
    let blocking = issues
        .list_dependencies_blocking(a.number)
        .send()
        .await
        .expect("list");
    assert_eq!(
        blocking.items.iter().map(|i| i.number).collect::<Vec<_>>(),
        [b.number]
    );
    assert_eq!(gh.issue(REPO, b.number).blocked_by, [a.number]);
    issues
        .remove_dependency_blocked_by(b.number, IssueId(a.id))
        .await
        .expect("remove");
    assert!(gh.issue(REPO, b.number).blocked_by.is_empty());
}

#[tokio::test]
async fn permission_and_contents() {
    let (gh, oc) = setup().await;
    gh.repo(REPO)
        .collaborator("bob", Permission::Maintain)
        .file(".github/vayu.yml", "version: 1\n");
    let p: Value = oc
        .get(
            "/repos/acme/widgets/collaborators/bob/permission",
            None::<&()>,
        )
        .await
        .expect("permission");
    assert_eq!(
        (p["permission"].as_str(), p["role_name"].as_str()),
        (Some("write"), Some("maintain"))
    );
    let stranger: Value = oc
        .get(
            "/repos/acme/widgets/collaborators/eve/permission",
            None::<&()>,
        )
        .await
        .expect("permission");
    assert_eq!(stranger["permission"], "none");

    let mut content = oc
        .repos("acme", "widgets")
        .get_content()
        .path(".github/vayu.yml")
        .send()
        .await
        .expect("content");
    assert_eq!(
        content.take_items()[0].decoded_content().as_deref(),
        Some("version: 1\n")
    );
    let absent = oc
        .repos("acme", "widgets")
        .get_content()
        .path("nope.yml")
        .send()
        .await;
    assert!(format!("{:?}", absent.expect_err("absent file")).contains("Not Found"));
}

#[tokio::test]
async fn app_jwt_is_exchanged_for_an_installation_token() {
    let gh = GitHubSim::start().await;
    gh.repo(REPO).issue().title("t").open();
    let public = include_str!("fixtures/keys/test-app.public.pem");
    let private = include_str!("fixtures/keys/test-app.private.pem");
    gh.installation(7, 42, public, &[REPO]);
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(private.as_bytes()).expect("test key");
    let app = Octocrab::builder()
        .base_uri(gh.url())
        .expect("url")
        .app(AppId(42), key)
        .build()
        .expect("app client");
    let inst = app
        .apps()
        .get_repository_installation("acme", "widgets")
        .await
        .expect("installation");
    assert_eq!(inst.id, InstallationId(7));
    let oc = app.installation(inst.id).expect("installation client");
    let c = oc
        .issues("acme", "widgets")
        .create_comment(1, "hi")
        .await
        .expect("comment as the app");
    assert_eq!(c.user.login, support::sim::APP_BOT);
    let exchanges = gh
        .request_log()
        .iter()
        .filter(|r| r.path == "/app/installations/7/access_tokens")
        .count();
    assert_eq!(exchanges, 1);
    assert_eq!(gh.write_count(), 1, "the token exchange is not a write");

    // A token for one installation does not see other repositories.
    gh.repo("acme/private");
    let err = oc
        .issues("acme", "private")
        .list()
        .send()
        .await
        .expect_err("outside the installation");
    assert!(format!("{err:?}").contains("Not Found"), "{err:?}");
}

#[tokio::test]
async fn unknown_token_gets_401() {
    let (gh, _) = setup().await;
    let stranger = client(&gh, "ghp_unknown");
    let err = stranger
        .issues("acme", "widgets")
        .get(1)
        .await
        .expect_err("bad credentials");
    assert!(format!("{err:?}").contains("Bad credentials"), "{err:?}");
    assert_eq!(gh.request_log()[0].status, 401);
}

#[tokio::test]
async fn graphql_create_issue_links_parent_in_one_call() {
    let (gh, oc) = setup().await;
    let repo = gh.repo(REPO);
    let parent = repo.issue().title("parent").open();
    let data: Value = oc
        .graphql(&json!({
            "query": "mutation($input: CreateIssueInput!) { createIssue(input: $input) { issue { id number } } }",
            "variables": { "input": {
                "repositoryId": repo.node_id(), "title": "child", "body": "b", "parentIssueId": parent.node_id,
            } },
        }))
        .await
        .expect("createIssue");
    let number = data["createIssue"]["issue"]["number"]
        .as_u64()
        .expect("number");
    assert_eq!(gh.issue(REPO, parent.number).sub_issues, [number]);
    assert_eq!(gh.issue(REPO, number).title, "child");
}

#[tokio::test]
async fn projects_item_add_is_idempotent_and_fields_are_set() {
    let (gh, oc) = setup().await;
    let issue = gh.repo(REPO).issue().title("t").open();
    let board = gh.project("acme", 3, "Roadmap");
    board.single_select("Status", &["Todo", "Done"]);
    board.number_field("Priority");

    let found: Value = oc
        .graphql(&json!({
            "query": "query($login: String!, $number: Int!) { organization(login: $login) { projectV2(number: $number) { id fields(first: 50) { nodes { ... on ProjectV2SingleSelectField { id name options { id name } } } } } } }",
            "variables": { "login": "acme", "number": 3 },
        }))
        .await
        .expect("find project");
    let project = &found["organization"]["projectV2"];
    let status = project["fields"]["nodes"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "Status")
        .expect("Status");
    let done = status["options"]
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["name"] == "Done")
        .expect("Done")["id"]
        .clone();

    let add = json!({
        "query": "mutation($input: AddProjectV2ItemByIdInput!) { addProjectV2ItemById(input: $input) { item { id } } }",
        "variables": { "input": { "projectId": project["id"], "contentId": issue.node_id } },
    });
    let first: Value = oc.graphql(&add).await.expect("add item");
    let second: Value = oc.graphql(&add).await.expect("add item again");
    assert_eq!(first, second);
    assert_eq!(board.item_count(), 1);
    let set: Value = oc
        .graphql(&json!({
            "query": "mutation($input: UpdateProjectV2ItemFieldValueInput!) { updateProjectV2ItemFieldValue(input: $input) { projectV2Item { id } } }",
            "variables": { "input": {
                "projectId": project["id"], "itemId": first["addProjectV2ItemById"]["item"]["id"],
                "fieldId": status["id"], "value": { "singleSelectOptionId": done },
            } },
        }))
        .await
        .expect("set field");
    assert!(set["updateProjectV2ItemFieldValue"]["projectV2Item"]["id"].is_string());
    let values = board.values_of(&issue.node_id).expect("item");
    assert_eq!(values.get("Status"), Some(&json!("opt_status_1")));
}

#[tokio::test]
async fn an_injected_502_is_returned_once_and_octocrab_retries() {
    let (gh, oc) = setup().await;
    gh.repo(REPO).issue().title("t").open();
    gh.fail_next(
        http::Method::GET,
        "/repos/acme/*/issues/1",
        Fault::Status(502),
    );
    let issue = oc.issues("acme", "widgets").get(1).await.expect("retried");
    assert_eq!(issue.number, 1);
    let statuses: Vec<u16> = gh.request_log().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [502, 200]);
}

#[tokio::test]
async fn secondary_limit_fault_answers_403_with_retry_after() {
    let (gh, _) = setup().await;
    gh.fail_next(http::Method::GET, "/repos/**", Fault::SecondaryLimit);
    let resp = raw_get(&gh, "/repos/acme/widgets").await;
    assert_eq!(resp.0, 403);
    assert_eq!(resp.1.get("retry-after").map(String::as_str), Some("60"));
    assert!(resp.2.contains("secondary rate limit"));
    let ok = raw_get(&gh, "/repos/acme/widgets").await;
    assert_eq!(ok.0, 200);
    assert_eq!(
        ok.1.get("x-ratelimit-remaining").map(String::as_str),
        Some("4998")
    );
    assert_eq!(
        ok.1.get("x-ratelimit-resource").map(String::as_str),
        Some("core")
    );
}

/// A bare HTTP/1.1 GET, to see statuses and headers octocrab would hide.
async fn raw_get(
    gh: &GitHubSim,
    path: &str,
) -> (u16, std::collections::HashMap<String, String>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(gh.addr())
        .await
        .expect("connect");
    let req = format!(
        "GET {path} HTTP/1.1\r\nhost: sim\r\nauthorization: token {TOKEN}\r\nconnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.expect("read");
    let (head, body) = buf.split_once("\r\n\r\n").unwrap_or((&buf, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_lowercase(), v.to_string()))
        .collect();
    (status, headers, body.to_string())
}

#[tokio::test]
async fn nonconforming_requests_are_recorded_as_violations() {
    let (gh, oc) = setup().await;
    gh.repo(REPO).issue().title("t").open();
    let wrong_path: Result<Value, _> = oc.get("/repos/acme/widgets/issuez/1", None::<&()>).await;
    assert!(wrong_path.is_err());
    let wrong_body: Result<Value, _> = oc
        .post(
            "/repos/acme/widgets/issues/1/comments",
            Some(&json!({ "body": 5 })),
        )
        .await;
    assert!(format!("{:?}", wrong_body.expect_err("422")).contains("Validation Failed"));
    let v = gh.take_violations();
    assert_eq!(v.len(), 2, "{v:#?}");
    assert_eq!(v[0].path, "/repos/acme/widgets/issuez/1");
    assert!(v[0].reason.contains("no operation"), "{}", v[0].reason);
    assert!(
        v[1].reason
            .starts_with("issues/create-comment request body does not match"),
        "{}",
        v[1].reason
    );
    assert!(
        gh.issue(REPO, 1).comments.is_empty(),
        "a rejected request changes nothing"
    );

    // octocrab's update_comment sends POST; GitHub tolerates it, the description does not.
    let c = oc
        .issues("acme", "widgets")
        .create_comment(1, "a")
        .await
        .expect("comment");
    oc.issues("acme", "widgets")
        .update_comment(c.id, "b")
        .await
        .expect("served anyway");
    assert_eq!(gh.issue(REPO, 1).comments, ["b"]);
    let v = gh.take_violations();
    assert_eq!(v.len(), 1, "{v:#?}");
    assert!(
        v[0].reason
            .starts_with("POST sent for the PATCH operation issues/update-comment"),
        "{}",
        v[0].reason
    );
}

#[tokio::test]
async fn dispatches_are_recorded() {
    let (gh, oc) = setup().await;
    oc.actions()
        .create_workflow_dispatch("acme", "widgets", "vayu.yml", "main")
        .inputs(json!({ "task": "3" }))
        .send()
        .await
        .expect("workflow dispatch");
    let _: Result<Value, _> = oc
        .post(
            "/repos/acme/widgets/dispatches",
            Some(&json!({ "event_type": "vayu-ready" })),
        )
        .await;
    let d = gh.dispatches();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].workflow.as_deref(), Some("vayu.yml"));
    assert_eq!(d[1].body["event_type"], "vayu-ready");
    assert_eq!(gh.dump()["dispatches"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
#[should_panic(expected = "requests that GitHub's OpenAPI description rejects")]
async fn dropping_the_sim_fails_the_test_on_a_violation() {
    let (gh, oc) = setup().await;
    let _: Result<Value, _> = oc.get("/repos/acme/widgets/nonsense", None::<&()>).await;
    drop(gh);
}

#[tokio::test]
async fn a_dropped_connection_fails_the_call() {
    let (gh, oc) = setup().await;
    gh.repo(REPO).issue().title("t").open();
    gh.fail_n(
        http::Method::GET,
        "/repos/acme/widgets/issues/*",
        Fault::Drop,
        4,
    );
    let err = oc
        .issues("acme", "widgets")
        .get(1)
        .await
        .expect_err("connection cut");
    assert!(
        !matches!(err, octocrab::Error::GitHub { .. }),
        "not an HTTP error response: {err:?}"
    );
    assert_eq!(
        gh.request_log().len(),
        4,
        "octocrab tried once and retried three times"
    );
    assert!(
        oc.issues("acme", "widgets").get(1).await.is_ok(),
        "the fault is used up"
    );
}
