//! Issue comments.

use http::Method;
use serde_json::json;

use super::client::{GitHubClient, repo_path};
use super::client_issues::PER_PAGE;
use super::transport::Req;
use super::wire::WireComment;
use crate::app::ports::{Comment, GhResult};
use crate::core::ids::{CommentId, IssueNumber, RepoName};

/// Stop listing after this many pages (10,000 comments) rather than loop forever.
const MAX_PAGES: u32 = 100;

impl GitHubClient {
    pub(crate) async fn comment_create(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        body: &str,
    ) -> GhResult<Comment> {
        let s = self.session(repo).await?;
        let path = format!("{}/issues/{n}/comments", repo_path(repo));
        let req = Req::create(path, json!({ "body": body }));
        Ok(s.rest.send(&req).await?.json::<WireComment>()?.into())
    }

    pub(crate) async fn comment_update(
        &self,
        repo: &RepoName,
        id: CommentId,
        body: &str,
    ) -> GhResult<Comment> {
        let s = self.session(repo).await?;
        let path = format!("{}/issues/comments/{id}", repo_path(repo));
        let req = Req::with(Method::PATCH, path, json!({ "body": body }));
        Ok(s.rest.send(&req).await?.json::<WireComment>()?.into())
    }

    pub(crate) async fn comments_list(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> GhResult<Vec<Comment>> {
        let s = self.session(repo).await?;
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let path = format!(
                "{}/issues/{n}/comments?per_page={PER_PAGE}&page={page}",
                repo_path(repo)
            );
            let resp = s.rest.send(&Req::get(path)).await?;
            let items: Vec<WireComment> = resp.json()?;
            let full = items.len() as u32 == PER_PAGE;
            out.extend(items.into_iter().map(Comment::from));
            if !(resp.has_next() || (full && !resp.headers.contains_key("link"))) {
                break;
            }
        }
        Ok(out)
    }

    pub(crate) async fn comments_recent(&self, repo: &RepoName) -> GhResult<Vec<Comment>> {
        let s = self.session(repo).await?;
        let path = format!(
            "{}/issues/comments?sort=created&direction=desc&per_page={PER_PAGE}",
            repo_path(repo)
        );
        let items: Vec<WireComment> = s.rest.send(&Req::get(path)).await?.json()?;
        Ok(items.into_iter().map(Comment::from).collect())
    }

    pub(crate) async fn comment_find(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        marker: &str,
    ) -> GhResult<Option<Comment>> {
        let all = self.comments_list(repo, n).await?;
        Ok(all.into_iter().find(|c| c.body.contains(marker)))
    }
}
