//! `linked_pr_checks`: the pull requests that will close an issue, with the
//! combined state of their checks, in one GraphQL query. The REST
//! check-runs/status endpoints are not in our OpenAPI subset; GraphQL's
//! `statusCheckRollup` already combines check runs and commit statuses.

use serde::Deserialize;
use serde_json::json;

use super::client::GitHubClient;
use crate::app::ports::{GhResult, GitHubError, LinkedPr, PrState, StatusState};
use crate::core::ids::RepoName;

/// Enough for any real task; a task with more linked PRs than this is
/// judged on the first ones only.
const MAX_PRS: u32 = 20;

const QUERY: &str = "query($id: ID!, $first: Int!) {
  node(id: $id) {
    ... on Issue {
      closedByPullRequestsReferences(first: $first, includeClosedPrs: true) {
        nodes { number state merged headRefOid statusCheckRollup { state } }
      }
    }
  }
}";

#[derive(Deserialize)]
struct Data {
    node: Option<Node>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    closed_by_pull_requests_references: Option<Conn>,
}

#[derive(Deserialize)]
struct Conn {
    #[serde(default)]
    nodes: Vec<Option<Pr>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pr {
    number: u64,
    state: PrState,
    merged: bool,
    head_ref_oid: String,
    status_check_rollup: Option<Rollup>,
}

#[derive(Deserialize)]
struct Rollup {
    state: StatusState,
}

impl GitHubClient {
    pub(crate) async fn linked_prs_of(
        &self,
        repo: &RepoName,
        issue_node_id: &str,
    ) -> GhResult<Vec<LinkedPr>> {
        if issue_node_id.is_empty() {
            return Err(GitHubError::Validation {
                message: "issue without node id".into(),
            });
        }
        let data: Data = self
            .graphql(
                repo,
                QUERY,
                json!({ "id": issue_node_id, "first": MAX_PRS }),
            )
            .await?;
        let node = data.node.ok_or_else(|| GitHubError::NotFound {
            what: format!("issue node {issue_node_id}"),
        })?;
        Ok(node
            .closed_by_pull_requests_references
            .map(|c| c.nodes)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .map(|p| LinkedPr {
                number: p.number,
                state: p.state,
                merged: p.merged,
                checks: p.status_check_rollup.map(|r| r.state),
                head_oid: p.head_ref_oid,
            })
            .collect())
    }
}
