//! GraphQL calls, and `create_sub_issue`: create-and-link in one
//! `createIssue(input: {…, parentIssueId})` mutation.
//!
//! Fallback: when the server's schema does not know `parentIssueId` (older
//! GitHub Enterprise Server), or assignees are requested (GraphQL wants their
//! node ids, which would cost a lookup each), the issue is created over REST
//! and then linked with `POST …/sub_issues` — two calls instead of one.

use http::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::client::GitHubClient;
use super::transport::Req;
use crate::app::ports::{GhResult, GitHubError, Issue, IssueState, NewIssue, StateReason};
use crate::core::ids::{IssueId, IssueNumber, Login, RepoName};

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<GqlError>,
}

#[derive(Deserialize)]
struct GqlError {
    #[serde(default)]
    message: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// Maps GraphQL `errors` to the port's error kinds.
fn gql_error(errors: &[GqlError]) -> GitHubError {
    let message = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    match errors.first().and_then(|e| e.kind.as_deref()) {
        Some("NOT_FOUND") => GitHubError::NotFound { what: message },
        Some("FORBIDDEN" | "INSUFFICIENT_SCOPES") => GitHubError::PermissionDenied { message },
        Some("RATE_LIMITED") => GitHubError::RateLimited { retry_after: None },
        _ => GitHubError::Validation { message },
    }
}

impl GitHubClient {
    /// Runs a query or an idempotent mutation with the token for `repo`.
    pub(crate) async fn graphql<T: DeserializeOwned>(
        &self,
        repo: &RepoName,
        query: &str,
        variables: Value,
    ) -> GhResult<T> {
        let body = json!({ "query": query, "variables": variables });
        self.graphql_send(repo, Req::with(Method::POST, "/graphql", body))
            .await
    }

    async fn graphql_send<T: DeserializeOwned>(&self, repo: &RepoName, req: Req) -> GhResult<T> {
        let s = self.session(repo).await?;
        let env: Envelope<T> = s.graphql.send(&req).await?.json()?;
        if !env.errors.is_empty() {
            return Err(gql_error(&env.errors));
        }
        env.data.ok_or_else(|| GitHubError::Other {
            message: "GraphQL response without data".into(),
        })
    }

    pub(crate) async fn sub_issue_create(
        &self,
        repo: &RepoName,
        parent: &Issue,
        new: &NewIssue,
    ) -> GhResult<Issue> {
        if new.assignees.is_empty() && !parent.node_id.is_empty() {
            match self.create_linked(repo, parent, new).await {
                Err(GitHubError::Validation { message }) if message.contains("parentIssueId") => {
                    tracing::info!(%message, "createIssue lacks parentIssueId; using REST");
                }
                other => return other,
            }
        }
        let issue = self.issue_create(repo, new).await?;
        self.sub_issue_add(repo, parent.number, issue.id).await?;
        Ok(issue)
    }

    async fn create_linked(
        &self,
        repo: &RepoName,
        parent: &Issue,
        new: &NewIssue,
    ) -> GhResult<Issue> {
        let repository_id = self.repo_node_id(repo).await?;
        let mut label_ids = Vec::with_capacity(new.labels.len());
        for name in &new.labels {
            label_ids.push(self.label_node_id(repo, name).await?);
        }
        let vars = json!({ "input": {
            "repositoryId": repository_id,
            "title": new.title,
            "body": new.body,
            "labelIds": label_ids,
            "parentIssueId": parent.node_id,
        }});
        let body = json!({ "query": CREATE_ISSUE, "variables": vars });
        let data: CreateData = self
            .graphql_send(repo, Req::create("/graphql", body))
            .await?;
        Ok(data.create_issue.issue.into())
    }
}

const CREATE_ISSUE: &str = "mutation($input: CreateIssueInput!) { createIssue(input: $input) { issue { \
number databaseId id title body state stateReason labels(first: 100) { nodes { name } } \
assignees(first: 100) { nodes { login } } author { login } } } }";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateData {
    create_issue: CreatePayload,
}

#[derive(Deserialize)]
struct CreatePayload {
    issue: GqlIssue,
}

#[derive(Deserialize)]
struct Nodes<T> {
    #[serde(default = "Vec::new")]
    nodes: Vec<T>,
}

impl<T> Default for Nodes<T> {
    fn default() -> Self {
        Self { nodes: Vec::new() }
    }
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct GqlLogin {
    login: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlIssue {
    number: u64,
    database_id: u64,
    id: String,
    title: String,
    #[serde(default)]
    body: String,
    state: String,
    #[serde(default)]
    state_reason: Option<String>,
    #[serde(default)]
    labels: Nodes<Named>,
    #[serde(default)]
    assignees: Nodes<GqlLogin>,
    #[serde(default)]
    author: Option<GqlLogin>,
}

impl From<GqlIssue> for Issue {
    fn from(g: GqlIssue) -> Self {
        let state_reason = g.state_reason.map(|r| match r.as_str() {
            "COMPLETED" => StateReason::Completed,
            "NOT_PLANNED" => StateReason::NotPlanned,
            "REOPENED" => StateReason::Reopened,
            "DUPLICATE" => StateReason::Duplicate,
            _ => StateReason::Unknown,
        });
        Issue {
            number: IssueNumber(g.number),
            id: IssueId(g.database_id),
            node_id: g.id,
            title: g.title,
            body: g.body,
            state: if g.state == "CLOSED" {
                IssueState::Closed
            } else {
                IssueState::Open
            },
            state_reason,
            labels: g.labels.nodes.into_iter().map(|l| l.name).collect(),
            assignees: g
                .assignees
                .nodes
                .into_iter()
                .map(|u| Login(u.login))
                .collect(),
            user: Login(g.author.map(|a| a.login).unwrap_or_default()),
            is_pull_request: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_error_types_map_to_kinds() {
        let e = |kind: &str| {
            gql_error(&[GqlError {
                message: "m".into(),
                kind: Some(kind.into()),
            }])
        };
        assert_eq!(e("NOT_FOUND"), GitHubError::NotFound { what: "m".into() });
        assert_eq!(
            e("FORBIDDEN"),
            GitHubError::PermissionDenied {
                message: "m".into()
            }
        );
        assert_eq!(
            e("OTHER"),
            GitHubError::Validation {
                message: "m".into()
            }
        );
    }
}
