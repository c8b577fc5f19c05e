//! Labels and reactions.

use http::Method;
use serde_json::json;

use super::client::{GitHubClient, repo_path};
use super::transport::{Req, seg};
use crate::app::ports::{GhResult, GitHubError, LabelSpec, Reaction, ReactionTarget};
use crate::core::ids::{IssueNumber, RepoName};

impl GitHubClient {
    pub(crate) async fn label_ensure(&self, repo: &RepoName, label: &LabelSpec) -> GhResult<()> {
        let s = self.session(repo).await?;
        let body = json!({
            "name": label.name,
            "color": label.color.trim_start_matches('#'),
            "description": label.description,
        });
        let req = Req::with(Method::POST, format!("{}/labels", repo_path(repo)), body);
        match s.rest.send(&req).await {
            Ok(_) => Ok(()),
            // 422 `already_exists`: someone (maybe a user) made it first; keep theirs.
            Err(GitHubError::Validation { message }) if message.contains("already_exists") => {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn labels_add(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        labels: &[String],
    ) -> GhResult<()> {
        let s = self.session(repo).await?;
        let path = format!("{}/issues/{n}/labels", repo_path(repo));
        let req = Req::with(Method::POST, path, json!({ "labels": labels }));
        s.rest.send(&req).await.map(drop)
    }

    pub(crate) async fn label_remove(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        label: &str,
    ) -> GhResult<()> {
        let s = self.session(repo).await?;
        let path = format!("{}/issues/{n}/labels/{}", repo_path(repo), seg(label));
        match s.rest.send(&Req::delete(path)).await {
            Ok(_) | Err(GitHubError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn react_to(
        &self,
        repo: &RepoName,
        target: ReactionTarget,
        reaction: Reaction,
    ) -> GhResult<()> {
        let s = self.session(repo).await?;
        let path = match target {
            ReactionTarget::Issue(n) => format!("{}/issues/{n}/reactions", repo_path(repo)),
            ReactionTarget::Comment(id) => {
                format!("{}/issues/comments/{id}/reactions", repo_path(repo))
            }
        };
        // GitHub answers 200 for a reaction that already exists, 201 for a new one.
        let req = Req::with(Method::POST, path, json!({ "content": reaction.as_str() }));
        s.rest.send(&req).await.map(drop)
    }

    /// The node id of a label, fetched once per client.
    pub(crate) async fn label_node_id(&self, repo: &RepoName, name: &str) -> GhResult<String> {
        let key = format!("label:{repo}:{name}");
        if let Some(id) = self.node_ids.lock().await.get(&key) {
            return Ok(id.clone());
        }
        let s = self.session(repo).await?;
        let path = format!("{}/labels/{}", repo_path(repo), seg(name));
        let w: super::wire::WireLabel = s.rest.send(&Req::get(path)).await?.json()?;
        self.node_ids.lock().await.insert(key, w.node_id.clone());
        Ok(w.node_id)
    }

    /// The node id of a repository, fetched once per client.
    pub(crate) async fn repo_node_id(&self, repo: &RepoName) -> GhResult<String> {
        let key = format!("repo:{repo}");
        if let Some(id) = self.node_ids.lock().await.get(&key) {
            return Ok(id.clone());
        }
        let s = self.session(repo).await?;
        let w: super::wire::WireNodeId = s.rest.send(&Req::get(repo_path(repo))).await?.json()?;
        self.node_ids.lock().await.insert(key, w.node_id.clone());
        Ok(w.node_id)
    }
}
