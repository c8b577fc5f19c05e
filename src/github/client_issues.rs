//! Issues: read, create, update, list by label.

use http::Method;
use serde_json::{Value, json};

use super::client::{GitHubClient, repo_path};
use super::transport::Req;
use super::wire::WireIssue;
use crate::app::ports::{GhResult, Issue, IssuePatch, NewIssue, Page, StateFilter};
use crate::core::ids::{IssueNumber, Login, RepoName};

pub(crate) const PER_PAGE: u32 = 100;

impl GitHubClient {
    pub(crate) async fn issue_get(&self, repo: &RepoName, n: IssueNumber) -> GhResult<Issue> {
        let s = self.session(repo).await?;
        let req = Req::get(format!("{}/issues/{n}", repo_path(repo)));
        Ok(s.rest.send(&req).await?.json::<WireIssue>()?.into())
    }

    pub(crate) async fn issue_create(&self, repo: &RepoName, new: &NewIssue) -> GhResult<Issue> {
        let s = self.session(repo).await?;
        let body = json!({
            "title": new.title,
            "body": new.body,
            "labels": new.labels,
            "assignees": new.assignees,
        });
        let req = Req::create(format!("{}/issues", repo_path(repo)), body);
        Ok(s.rest.send(&req).await?.json::<WireIssue>()?.into())
    }

    pub(crate) async fn issue_update(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        patch: &IssuePatch,
    ) -> GhResult<Issue> {
        let s = self.session(repo).await?;
        let mut body = serde_json::Map::new();
        if let Some(t) = &patch.title {
            body.insert("title".into(), json!(t));
        }
        if let Some(b) = &patch.body {
            body.insert("body".into(), json!(b));
        }
        if let Some(st) = patch.state {
            body.insert("state".into(), json!(st));
        }
        if let Some(r) = patch.state_reason {
            body.insert("state_reason".into(), json!(r));
        }
        if let Some(l) = &patch.labels {
            body.insert("labels".into(), json!(l));
        }
        if let Some(a) = &patch.assignees {
            let logins: Vec<&str> = a.iter().map(|l| l.0.as_str()).collect();
            body.insert("assignees".into(), json!(logins));
        }
        let path = format!("{}/issues/{n}", repo_path(repo));
        let req = Req::with(Method::PATCH, path, Value::Object(body));
        Ok(s.rest.send(&req).await?.json::<WireIssue>()?.into())
    }

    pub(crate) async fn issue_list_by_label(
        &self,
        repo: &RepoName,
        label: &str,
        state: StateFilter,
        page: u32,
    ) -> GhResult<Page<Issue>> {
        let s = self.session(repo).await?;
        let state = match state {
            StateFilter::Open => "open",
            StateFilter::Closed => "closed",
            StateFilter::All => "all",
        };
        let path = format!(
            "{}/issues?labels={}&state={state}&per_page={PER_PAGE}&page={}",
            repo_path(repo),
            super::transport::seg(label),
            page.max(1)
        );
        let resp = s.rest.send(&Req::get(path)).await?;
        let items: Vec<WireIssue> = resp.json()?;
        let items: Vec<Issue> = items.into_iter().map(Issue::from).collect();
        let next = (resp.has_next()
            || (items.len() as u32 == PER_PAGE && !resp.headers.contains_key("link")))
        .then_some(page.max(1) + 1);
        Ok(Page { items, next })
    }

    pub(crate) async fn issue_list_assigned(
        &self,
        repo: &RepoName,
        login: &Login,
        page: u32,
    ) -> GhResult<Page<Issue>> {
        let s = self.session(repo).await?;
        let path = format!(
            "{}/issues?assignee={}&state=open&per_page={PER_PAGE}&page={}",
            repo_path(repo),
            super::transport::seg(login.as_str()),
            page.max(1)
        );
        let resp = s.rest.send(&Req::get(path)).await?;
        let items: Vec<WireIssue> = resp.json()?;
        let items: Vec<Issue> = items.into_iter().map(Issue::from).collect();
        let next = (resp.has_next()
            || (items.len() as u32 == PER_PAGE && !resp.headers.contains_key("link")))
        .then_some(page.max(1) + 1);
        Ok(Page { items, next })
    }
}
