//! `impl GitHub for GitHubClient`: each port method delegates to the
//! `client_*` file that owns it.

use super::client::GitHubClient;
use crate::app::ports::*;
use crate::core::ids::{CommentId, IssueId, IssueNumber, Login, RepoName};

impl GitHub for GitHubClient {
    async fn get_issue(&self, repo: &RepoName, n: IssueNumber) -> GhResult<Issue> {
        self.issue_get(repo, n).await
    }
    async fn create_issue(&self, repo: &RepoName, new: &NewIssue) -> GhResult<Issue> {
        self.issue_create(repo, new).await
    }
    async fn update_issue(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        patch: &IssuePatch,
    ) -> GhResult<Issue> {
        self.issue_update(repo, n, patch).await
    }
    async fn list_issues_by_label(
        &self,
        repo: &RepoName,
        label: &str,
        state: StateFilter,
        page: u32,
    ) -> GhResult<Page<Issue>> {
        self.issue_list_by_label(repo, label, state, page).await
    }
    async fn list_assigned_issues(
        &self,
        repo: &RepoName,
        login: &Login,
        page: u32,
    ) -> GhResult<Page<Issue>> {
        self.issue_list_assigned(repo, login, page).await
    }
    async fn ensure_label(&self, repo: &RepoName, label: &LabelSpec) -> GhResult<()> {
        self.label_ensure(repo, label).await
    }
    async fn add_labels(&self, repo: &RepoName, n: IssueNumber, labels: &[String]) -> GhResult<()> {
        self.labels_add(repo, n, labels).await
    }
    async fn remove_label(&self, repo: &RepoName, n: IssueNumber, label: &str) -> GhResult<()> {
        self.label_remove(repo, n, label).await
    }
    async fn create_comment(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        body: &str,
    ) -> GhResult<Comment> {
        self.comment_create(repo, n, body).await
    }
    async fn update_comment(
        &self,
        repo: &RepoName,
        id: CommentId,
        body: &str,
    ) -> GhResult<Comment> {
        self.comment_update(repo, id, body).await
    }
    async fn list_comments(&self, repo: &RepoName, n: IssueNumber) -> GhResult<Vec<Comment>> {
        self.comments_list(repo, n).await
    }
    async fn recent_comments(&self, repo: &RepoName) -> GhResult<Vec<Comment>> {
        self.comments_recent(repo).await
    }
    async fn find_comment(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        marker: &str,
    ) -> GhResult<Option<Comment>> {
        self.comment_find(repo, n, marker).await
    }
    async fn react(
        &self,
        repo: &RepoName,
        target: ReactionTarget,
        reaction: Reaction,
    ) -> GhResult<()> {
        self.react_to(repo, target, reaction).await
    }
    async fn add_sub_issue(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
        child: IssueId,
    ) -> GhResult<()> {
        self.sub_issue_add(repo, parent, child).await
    }
    async fn list_sub_issues(&self, repo: &RepoName, parent: IssueNumber) -> GhResult<Vec<Issue>> {
        self.sub_issues_list(repo, parent).await
    }
    async fn remove_sub_issue(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
        child: IssueId,
    ) -> GhResult<()> {
        self.sub_issue_remove(repo, parent, child).await
    }
    async fn parent_issue(&self, repo: &RepoName, n: IssueNumber) -> GhResult<Option<Issue>> {
        self.parent_get(repo, n).await
    }
    async fn create_sub_issue(
        &self,
        repo: &RepoName,
        parent: &Issue,
        new: &NewIssue,
    ) -> GhResult<Issue> {
        self.sub_issue_create(repo, parent, new).await
    }
    async fn add_blocked_by(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        blocker: IssueId,
    ) -> GhResult<()> {
        self.blocked_by_add(repo, n, blocker).await
    }
    async fn list_blocked_by(&self, repo: &RepoName, n: IssueNumber) -> GhResult<Vec<Issue>> {
        self.blocked_by_list(repo, n).await
    }
    async fn remove_blocked_by(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        blocker: IssueId,
    ) -> GhResult<()> {
        self.blocked_by_remove(repo, n, blocker).await
    }
    async fn list_blocking(&self, repo: &RepoName, n: IssueNumber) -> GhResult<Vec<Issue>> {
        self.blocking_list(repo, n).await
    }
    async fn permission(&self, repo: &RepoName, user: &Login) -> GhResult<Option<Permission>> {
        self.permission_of(repo, user).await
    }
    async fn read_file(&self, repo: &RepoName, path: &str) -> GhResult<Option<FileContent>> {
        self.file_read(repo, path).await
    }
    async fn dispatch_workflow(
        &self,
        repo: &RepoName,
        workflow: &str,
        git_ref: &str,
        inputs: &serde_json::Value,
    ) -> GhResult<()> {
        self.workflow_dispatch(repo, workflow, git_ref, inputs)
            .await
    }
    async fn dispatch_repository(
        &self,
        repo: &RepoName,
        event_type: &str,
        payload: &serde_json::Value,
    ) -> GhResult<()> {
        self.repository_dispatch(repo, event_type, payload).await
    }
    async fn find_project(
        &self,
        repo: &RepoName,
        owner: &str,
        number: u64,
    ) -> GhResult<Option<Project>> {
        self.project_find(repo, owner, number).await
    }
    async fn add_project_item(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_id: &str,
    ) -> GhResult<String> {
        self.project_add_item(repo, project_id, content_id).await
    }
    async fn set_project_field(
        &self,
        repo: &RepoName,
        project_id: &str,
        item_id: &str,
        field_id: &str,
        value: &FieldValue,
    ) -> GhResult<()> {
        self.project_set_field(repo, project_id, item_id, field_id, value)
            .await
    }
    async fn project_items(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_ids: &[String],
    ) -> GhResult<Vec<ProjectItemState>> {
        self.project_items_of(repo, project_id, content_ids).await
    }
    async fn add_project_items(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_ids: &[String],
    ) -> GhResult<Vec<String>> {
        self.project_add_items(repo, project_id, content_ids).await
    }
    async fn set_project_fields(
        &self,
        repo: &RepoName,
        project_id: &str,
        updates: &[FieldUpdate],
    ) -> GhResult<()> {
        self.project_set_fields(repo, project_id, updates).await
    }
    async fn linked_pr_checks(
        &self,
        repo: &RepoName,
        issue_node_id: &str,
    ) -> GhResult<Vec<LinkedPr>> {
        self.linked_prs_of(repo, issue_node_id).await
    }
    fn held_back(&self, repo: &RepoName) -> Option<std::time::Duration> {
        self.breaker_wait(repo)
    }
}
