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
