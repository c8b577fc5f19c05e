//! What the adapter puts on the wire, checked with a one-shot raw HTTP
//! listener: base path (GitHub Enterprise Server), headers, GraphQL endpoint.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vayu::app::ports::GitHub;
use vayu::core::ids::{IssueNumber, RepoName};
use vayu::github::{ClientConfig, GitHubClient};

/// Accepts one connection, answers `body` with 200, returns the request head.
async fn one_shot(body: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; 16 * 1024];
        let mut got = Vec::new();
        while !String::from_utf8_lossy(&got).contains("\r\n\r\n") {
            let n = sock.read(&mut buf).await.expect("read");
            got.extend_from_slice(&buf[..n]);
        }
        let resp = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        sock.write_all(resp.as_bytes()).await.expect("write");
        String::from_utf8_lossy(&got).into_owned()
    });
    (url, handle)
}

fn config(base: String) -> ClientConfig {
    ClientConfig {
        base_url: base,
        mutation_gap: Duration::ZERO,
        ..ClientConfig::default()
    }
}

#[tokio::test]
async fn enterprise_base_path_and_headers_are_sent() {
    let (url, server) = one_shot(r#"{"number":5,"id":50,"state":"open","title":"t"}"#).await;
    let gh = GitHubClient::with_token(config(format!("{url}/api/v3")), "tok").expect("client");
    let repo: RepoName = "o/r".parse().expect("repo");
    let issue = gh.get_issue(&repo, IssueNumber(5)).await.expect("issue");
    assert_eq!(issue.title, "t");
    let head = server.await.expect("server").to_ascii_lowercase();
    assert!(
        head.starts_with("get /api/v3/repos/o/r/issues/5 http/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.contains("\r\nx-github-api-version: 2022-11-28\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nauthorization: bearer tok\r\n"), "{head}");
    // octocrab appends `user-agent: octocrab` after ours; servers read the first.
    let first_ua = head.lines().find(|l| l.starts_with("user-agent:"));
    let ua = format!("user-agent: vayu/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(first_ua, Some(ua.as_str()), "{head}");
}

#[tokio::test]
async fn enterprise_graphql_goes_to_api_graphql() {
    let (url, server) = one_shot(r#"{"data":{"organization":{"projectV2":null}}}"#).await;
    let gh = GitHubClient::with_token(config(format!("{url}/api/v3")), "tok").expect("client");
    let repo: RepoName = "o/r".parse().expect("repo");
    let found = gh.find_project(&repo, "o", 1).await.expect("query");
    assert_eq!(found, None);
    let head = server.await.expect("server").to_ascii_lowercase();
    assert!(head.starts_with("post /api/graphql http/1.1\r\n"), "{head}");
}

mod scripted;

#[tokio::test]
async fn a_config_read_is_revalidated_by_etag() {
    // "vayu: true\n" in base64.
    let file = r#"{"type":"file","encoding":"base64","sha":"s1","content":"dmF5dTogdHJ1ZQo="}"#;
    // "vayu: false\n": what an unconditional re-read would see.
    let changed = r#"{"type":"file","encoding":"base64","sha":"s2","content":"dmF5dTogZmFsc2UK"}"#;
    let server = scripted::serve_by(move |head, n| {
        if head
            .to_ascii_lowercase()
            .contains("\r\nif-none-match: \"e1\"\r\n")
        {
            scripted::reply(304, &[("etag", "\"e1\"")], "")
        } else if n > 0 {
            scripted::reply(200, &[("etag", "\"e2\"")], changed)
        } else {
            scripted::reply(200, &[("etag", "\"e1\"")], file)
        }
    })
    .await;
    let gh = GitHubClient::with_token(config(server.url.clone()), "tok").expect("client");
    let repo: RepoName = "o/r".parse().expect("repo");
    for _ in 0..2 {
        let f = gh.read_file(&repo, ".github/vayu.yml").await.expect("read");
        assert_eq!(f.map(|f| f.text).as_deref(), Some("vayu: true\n"));
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn sub_issue_creation_falls_back_to_rest_without_parent_issue_id() {
    let issue = r#"{"number":9,"id":90,"node_id":"I_9","state":"open","title":"child"}"#;
    let server = scripted::serve_by(move |head, _| {
        let line = head.lines().next().unwrap_or("");
        if line.starts_with("POST /graphql ") {
            let msg = "InputObject 'CreateIssueInput' doesn't accept argument 'parentIssueId'";
            scripted::reply(
                200,
                &[],
                &format!(r#"{{"errors":[{{"message":"{msg}"}}]}}"#),
            )
        } else if line.starts_with("GET /repos/o/r ") {
            scripted::reply(200, &[], r#"{"node_id":"R_1"}"#)
        } else if line.starts_with("POST /repos/o/r/issues/1/sub_issues ") {
            scripted::reply(201, &[], r#"{"number":1,"id":10,"state":"open"}"#)
        } else {
            scripted::reply(201, &[], issue)
        }
    })
    .await;
    let gh = GitHubClient::with_token(config(server.url.clone()), "tok").expect("client");
    let repo: RepoName = "o/r".parse().expect("repo");
    let parent = vayu::app::ports::Issue {
        number: IssueNumber(1),
        id: vayu::core::ids::IssueId(10),
        node_id: "I_1".into(),
        title: "p".into(),
        body: String::new(),
        state: vayu::app::ports::IssueState::Open,
        state_reason: None,
        labels: vec![],
        assignees: vec![],
        user: vayu::core::ids::Login("u".into()),
        is_pull_request: false,
    };
    let new = vayu::app::ports::NewIssue {
        title: "child".into(),
        ..Default::default()
    };
    let child = gh
        .create_sub_issue(&repo, &parent, &new)
        .await
        .expect("created");
    assert_eq!(child.number, IssueNumber(9));
    let lines: Vec<String> = server
        .requests()
        .iter()
        .map(|l| l.rsplit_once(' ').map_or(l.clone(), |(a, _)| a.to_owned()))
        .collect();
    assert_eq!(
        lines,
        vec![
            "GET /repos/o/r",
            "POST /graphql",
            "POST /repos/o/r/issues",
            "POST /repos/o/r/issues/1/sub_issues"
        ]
    );
}
