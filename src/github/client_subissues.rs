//! Sub-issues and issue dependencies (REST endpoints octocrab does not wrap).

use http::Method;
use serde_json::json;

use super::client::{GitHubClient, repo_path};
use super::client_issues::PER_PAGE;
use super::transport::Req;
use super::wire::WireIssue;
use crate::app::ports::{GhResult, GitHubError, Issue};
use crate::core::ids::{IssueId, IssueNumber, RepoName};

impl GitHubClient {
    async fn issues_at(&self, repo: &RepoName, path: String) -> GhResult<Vec<Issue>> {
        let s = self.session(repo).await?;
        let path = format!("{path}?per_page={PER_PAGE}");
        let items: Vec<WireIssue> = s.rest.send(&Req::get(path)).await?.json()?;
        Ok(items.into_iter().map(Issue::from).collect())
    }

    async fn send_unit(&self, repo: &RepoName, req: Req) -> GhResult<()> {
        self.session(repo).await?.rest.send(&req).await.map(drop)
    }

    pub(crate) async fn sub_issue_add(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
        child: IssueId,
    ) -> GhResult<()> {
        let path = format!("{}/issues/{parent}/sub_issues", repo_path(repo));
        let req = Req::with(Method::POST, path, json!({ "sub_issue_id": child.0 }));
        self.send_unit(repo, req).await
    }

    pub(crate) async fn sub_issues_list(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
    ) -> GhResult<Vec<Issue>> {
        let path = format!("{}/issues/{parent}/sub_issues", repo_path(repo));
        self.issues_at(repo, path).await
    }

    pub(crate) async fn sub_issue_remove(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
        child: IssueId,
    ) -> GhResult<()> {
        let path = format!("{}/issues/{parent}/sub_issue", repo_path(repo));
        let req = Req::with(Method::DELETE, path, json!({ "sub_issue_id": child.0 }));
        self.send_unit(repo, req).await
    }

    pub(crate) async fn parent_get(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> GhResult<Option<Issue>> {
        let s = self.session(repo).await?;
        let req = Req::get(format!("{}/issues/{n}/parent", repo_path(repo)));
        match s.rest.send(&req).await {
            Ok(resp) => Ok(Some(resp.json::<WireIssue>()?.into())),
            Err(GitHubError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn blocked_by_add(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        blocker: IssueId,
    ) -> GhResult<()> {
        let path = format!("{}/issues/{n}/dependencies/blocked_by", repo_path(repo));
        let req = Req::with(Method::POST, path, json!({ "issue_id": blocker.0 }));
        self.send_unit(repo, req).await
    }

    pub(crate) async fn blocked_by_list(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> GhResult<Vec<Issue>> {
        let path = format!("{}/issues/{n}/dependencies/blocked_by", repo_path(repo));
        self.issues_at(repo, path).await
    }

    pub(crate) async fn blocked_by_remove(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        blocker: IssueId,
    ) -> GhResult<()> {
        let path = format!(
            "{}/issues/{n}/dependencies/blocked_by/{}",
            repo_path(repo),
            blocker.0
        );
        self.send_unit(repo, Req::delete(path)).await
    }

    pub(crate) async fn blocking_list(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> GhResult<Vec<Issue>> {
        let path = format!("{}/issues/{n}/dependencies/blocking", repo_path(repo));
        self.issues_at(repo, path).await
    }
}
