//! The adapter decodes responses GitHub really sent: bodies recorded against
//! api.github.com by octokit/fixtures and hub4j/github-api (copied, with their
//! attribution, to `tests/fixtures/github/responses/`). The simulated GitHub
//! still checks each request against the OpenAPI description, then answers
//! with the recorded body instead of its own.

mod support;

use std::time::Duration;

use axum::http::Method;
use support::{Fault, GitHubSim};
use vayu::app::ports::*;
use vayu::core::ids::{IssueNumber, Login, RepoName};
use vayu::github::{ClientConfig, GitHubClient};

const REPO: &str = "octo-org/hello";

fn repo() -> RepoName {
    REPO.parse().expect("repo")
}

fn recorded(file: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/github/responses/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn setup() -> (GitHubSim, GitHubClient) {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    sim.repo(REPO).issue().title("an issue").open();
    let gh = GitHubClient::with_token(
        ClientConfig {
            base_url: sim.url(),
            mutation_gap: Duration::ZERO,
            timeout: None,
            ..ClientConfig::default()
        },
        "tok",
    )
    .expect("client");
    (sim, gh)
}

/// The next request matching `method` and `pattern` gets `file` with `status`.
fn answer(sim: &GitHubSim, method: Method, pattern: &str, status: u16, file: &str) {
    sim.fail_next(
        method,
        pattern,
        Fault::Recorded {
            status,
            body: recorded(file),
            headers: Vec::new(),
        },
    );
}

#[tokio::test]
async fn issues_as_github_returns_them() {
    let (sim, gh) = setup().await;
    let issues = "/repos/octo-org/hello/issues";
    for file in [
        "issues-create.201.hub4j.json",
        "issues-create.201.octokit-fixtures.json",
    ] {
        answer(&sim, Method::POST, issues, 201, file);
        let new = NewIssue {
            title: "t".into(),
            ..NewIssue::default()
        };
        let got = gh.create_issue(&repo(), &new).await.expect(file);
        let raw: serde_json::Value = serde_json::from_str(&recorded(file)).expect("json");
        assert_eq!(
            got.number.0,
            raw["number"].as_u64().expect("number"),
            "{file}"
        );
        assert_eq!(got.id.0, raw["id"].as_u64().expect("id"), "{file}");
        assert_eq!(got.node_id, raw["node_id"], "{file}");
        assert_eq!(got.state, IssueState::Open, "{file}");
        assert_eq!(got.user.0, raw["user"]["login"], "{file}");
        // octokit's issue has `"body": null`: an empty body, not an error.
        assert_eq!(got.body, raw["body"].as_str().unwrap_or(""), "{file}");
        assert!(!got.is_pull_request, "{file}");
    }

    answer(
        &sim,
        Method::PATCH,
        "/repos/octo-org/hello/issues/1",
        200,
        "issues-update-close-not-planned.200.hub4j.json",
    );
    let patch = IssuePatch {
        state: Some(IssueState::Closed),
        state_reason: Some(StateReason::NotPlanned),
        ..IssuePatch::default()
    };
    let closed = gh
        .update_issue(&repo(), IssueNumber(1), &patch)
        .await
        .expect("closed");
    assert_eq!(closed.state, IssueState::Closed);
    assert_eq!(closed.state_reason, Some(StateReason::NotPlanned));
    assert_eq!(closed.title, "closeIssueNotPlanned");

    // A real first page with its real Link header: three issues, page 2 next.
    let link =
        serde_json::from_str::<serde_json::Value>(&recorded("INDEX.json")).expect("index")["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|f| f["file"] == "issues-list-for-repo.page1.200.octokit-fixtures.json")
            .and_then(|f| f["headers"]["link"].as_str())
            .expect("recorded link header")
            .to_owned();
    sim.fail_next(
        Method::GET,
        issues,
        Fault::Recorded {
            status: 200,
            body: recorded("issues-list-for-repo.page1.200.octokit-fixtures.json"),
            headers: vec![("link", link)],
        },
    );
    let page = gh
        .list_issues_by_label(&repo(), "vayu", StateFilter::Open, 1)
        .await
        .expect("page");
    let numbers: Vec<u64> = page.items.iter().map(|i| i.number.0).collect();
    assert_eq!(numbers, vec![13, 12, 11]);
    assert_eq!(page.next, Some(2));
    sim.assert_conformant();
}

#[tokio::test]
async fn comments_labels_and_reactions_as_github_returns_them() {
    let (sim, gh) = setup().await;
    let comments = "/repos/octo-org/hello/issues/1/comments";
    answer(
        &sim,
        Method::POST,
        comments,
        201,
        "issues-create-comment.201.hub4j.json",
    );
    let c = gh
        .create_comment(&repo(), IssueNumber(1), "First comment")
        .await
        .expect("comment");
    assert_eq!(
        (c.id.0, c.body.as_str(), c.user.0.as_str()),
        (1254853505, "First comment", "yrodiere")
    );

    answer(
        &sim,
        Method::GET,
        comments,
        200,
        "issues-list-comments.200.hub4j.json",
    );
    let all = gh
        .list_comments(&repo(), IssueNumber(1))
        .await
        .expect("list");
    assert_eq!(all, vec![c]);

    for file in [
        "issues-add-labels.200.hub4j.json",
        "issues-add-labels.200.octokit-fixtures.json",
    ] {
        answer(
            &sim,
            Method::POST,
            "/repos/octo-org/hello/issues/1/labels",
            200,
            file,
        );
        gh.add_labels(&repo(), IssueNumber(1), &["bug".into()])
            .await
            .expect(file);
    }
    answer(
        &sim,
        Method::DELETE,
        "/repos/octo-org/hello/issues/1/labels/*",
        200,
        "issues-remove-label.200.hub4j.json",
    );
    gh.remove_label(&repo(), IssueNumber(1), "bug")
        .await
        .expect("removed");
    // GitHub's 404 for a label the issue does not carry: already removed.
    answer(
        &sim,
        Method::DELETE,
        "/repos/octo-org/hello/issues/1/labels/*",
        404,
        "issues-remove-label.404.hub4j.json",
    );
    gh.remove_label(&repo(), IssueNumber(1), "gone")
        .await
        .expect("a missing label counts as removed");

    answer(
        &sim,
        Method::POST,
        "/repos/octo-org/hello/issues/comments/*/reactions",
        201,
        "reactions-create-for-issue-comment.201.hub4j.json",
    );
    gh.react(
        &repo(),
        ReactionTarget::Comment(c_id(1254853505)),
        Reaction::Eyes,
    )
    .await
    .expect("reacted");

    // A label GitHub refuses: its real 422 becomes a validation error that
    // keeps GitHub's words.
    answer(
        &sim,
        Method::POST,
        "/repos/octo-org/hello/labels",
        422,
        "error-validation-failed.422.octokit-fixtures.json",
    );
    let err = gh
        .ensure_label(
            &repo(),
            &LabelSpec {
                name: "x".into(),
                color: "ededed".into(),
                description: String::new(),
            },
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, GitHubError::Validation { message } if message.contains("Validation Failed")),
        "{err:?}"
    );
    sim.assert_conformant();
}

fn c_id(n: u64) -> vayu::core::ids::CommentId {
    vayu::core::ids::CommentId(n)
}

#[tokio::test]
async fn permissions_and_files_as_github_returns_them() {
    let (sim, gh) = setup().await;
    let perm = "/repos/octo-org/hello/collaborators/*/permission";
    answer(
        &sim,
        Method::GET,
        perm,
        200,
        "repos-get-collaborator-permission-level.maintain.200.hub4j.json",
    );
    let who = Login("alecharp".into());
    assert_eq!(
        gh.permission(&repo(), &who).await.expect("maintain"),
        Some(Permission::Maintain)
    );
    // `"permission": "none"`: no access at all.
    answer(
        &sim,
        Method::GET,
        perm,
        200,
        "repos-get-collaborator-permission-level.200.hub4j.json",
    );
    assert_eq!(gh.permission(&repo(), &who).await.expect("none"), None);
    // The App itself may not look: GitHub's 403 is a permission error.
    answer(
        &sim,
        Method::GET,
        perm,
        403,
        "repos-get-collaborator-permission-level.403.hub4j.json",
    );
    let err = gh.permission(&repo(), &who).await.expect_err("403");
    assert!(
        matches!(err, GitHubError::PermissionDenied { .. }),
        "{err:?}"
    );

    answer(
        &sim,
        Method::GET,
        "/repos/octo-org/hello/contents/**",
        200,
        "repos-get-content-file.200.hub4j.json",
    );
    let file = gh
        .read_file(&repo(), ".github/vayu.yml")
        .await
        .expect("read")
        .expect("a file");
    assert_eq!(file.text, "thanks for reading me\n");
    assert_eq!(file.sha, "901fd87750a8e53fe39a219cad50d4f7c80ca272");
    sim.assert_conformant();
}
