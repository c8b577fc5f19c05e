//! Repository-level calls: collaborator permission, file contents (with a
//! conditional GET cache), workflow and repository dispatch.

use base64::Engine;
use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::client::{GitHubClient, repo_path};
use super::transport::{Req, seg};
use crate::app::ports::{FileContent, GhResult, GitHubError};
use crate::core::config::Permission;
use crate::core::ids::{Login, RepoName};

#[derive(Deserialize)]
struct WirePermission {
    #[serde(default)]
    permission: String,
    #[serde(default)]
    role_name: Option<String>,
}

#[derive(Deserialize)]
struct WireContent {
    #[serde(default)]
    sha: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    encoding: String,
}

fn decode(w: WireContent, path: &str) -> GhResult<FileContent> {
    let bad = |why: String| GitHubError::Other {
        message: format!("cannot read `{path}` from GitHub: {why}"),
    };
    if w.encoding != "base64" {
        return Err(bad(format!("unexpected encoding `{}`", w.encoding)));
    }
    let clean: String = w.content.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| bad(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".into()))?;
    Ok(FileContent { sha: w.sha, text })
}

impl GitHubClient {
    pub(crate) async fn permission_of(
        &self,
        repo: &RepoName,
        user: &Login,
    ) -> GhResult<Option<Permission>> {
        let s = self.session(repo).await?;
        let path = format!(
            "{}/collaborators/{}/permission",
            repo_path(repo),
            seg(user.as_str())
        );
        match s.rest.send(&Req::get(path)).await {
            Ok(resp) => {
                let w: WirePermission = resp.json()?;
                // `role_name` knows triage/maintain; `permission` folds them into read/write.
                Ok(Permission::from_github(
                    w.role_name.as_deref().unwrap_or(&w.permission),
                ))
            }
            Err(GitHubError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads a file on the default branch. The body is cached by ETag: a
    /// repeat read sends `If-None-Match`, and a 304 (which GitHub does not
    /// count against the rate limit) reuses the cached text.
    pub(crate) async fn file_read(
        &self,
        repo: &RepoName,
        path: &str,
    ) -> GhResult<Option<FileContent>> {
        let s = self.session(repo).await?;
        let key = (repo.clone(), path.to_owned());
        let cached = self.etags.lock().await.get(&key).cloned();
        let encoded: Vec<String> = path.split('/').map(seg).collect();
        let mut req = Req::get(format!(
            "{}/contents/{}",
            repo_path(repo),
            encoded.join("/")
        ));
        req.if_none_match = cached.as_ref().map(|(etag, _)| etag.clone());
        let resp = match s.rest.send(&req).await {
            Ok(resp) => resp,
            Err(GitHubError::NotFound { .. }) => {
                self.etags.lock().await.remove(&key);
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if resp.status == StatusCode::NOT_MODIFIED {
            if let Some((_, file)) = cached {
                return Ok(Some(file));
            }
        }
        let file = decode(resp.json()?, path)?;
        if let Some(etag) = resp.headers.get("etag").and_then(|v| v.to_str().ok()) {
            self.etags
                .lock()
                .await
                .insert(key, (etag.to_owned(), file.clone()));
        }
        Ok(Some(file))
    }

    pub(crate) async fn workflow_dispatch(
        &self,
        repo: &RepoName,
        workflow: &str,
        git_ref: &str,
        inputs: &serde_json::Value,
    ) -> GhResult<()> {
        let s = self.session(repo).await?;
        let path = format!(
            "{}/actions/workflows/{}/dispatches",
            repo_path(repo),
            seg(workflow)
        );
        let req = Req::with(
            Method::POST,
            path,
            json!({ "ref": git_ref, "inputs": inputs }),
        );
        s.rest.send(&req).await.map(drop)
    }

    pub(crate) async fn repository_dispatch(
        &self,
        repo: &RepoName,
        event_type: &str,
        payload: &serde_json::Value,
    ) -> GhResult<()> {
        let s = self.session(repo).await?;
        let path = format!("{}/dispatches", repo_path(repo));
        let body = json!({ "event_type": event_type, "client_payload": payload });
        s.rest
            .send(&Req::with(Method::POST, path, body))
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_are_base64_decoded_across_lines() {
        let w = WireContent {
            sha: "abc".into(),
            content: "dmF5dTog\ndHJ1ZQo=\n".into(),
            encoding: "base64".into(),
        };
        let f = decode(w, ".github/vayu.yml").expect("decode");
        assert_eq!(f.text, "vayu: true\n");
        assert_eq!(f.sha, "abc");
    }
}
