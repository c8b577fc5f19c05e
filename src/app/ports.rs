//! The GitHub port: what the app layer asks of GitHub, in vayu's own types.
//! No octocrab type crosses this line, so the app layer can be tested against
//! any implementation and the adapter can change without touching it.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::core::config::Permission;
use crate::core::ids::{CommentId, IssueId, IssueNumber, Login, RepoName};

/// Why a GitHub call failed, split so the app layer can decide between "tell
/// the user", "retry later" and "give up" without matching on strings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GitHubError {
    /// The thing does not exist (404/410), or the token cannot see it.
    #[error("not found on GitHub: {what}")]
    NotFound {
        /// The request that found nothing.
        what: String,
    },
    /// The token lacks a permission (401, or a 403 that is not a rate limit).
    #[error(
        "GitHub denied the request: {message}; check the App's permissions or the token's scopes"
    )]
    PermissionDenied {
        /// GitHub's message.
        message: String,
    },
    /// GitHub rejected the input (422, or a GraphQL error about the input).
    #[error("GitHub rejected the request: {message}")]
    Validation {
        /// GitHub's message, with the field errors it listed.
        message: String,
    },
    /// A rate limit that was not worth waiting for inside the call.
    #[error("GitHub rate limit reached{}", retry_after.map(|d| format!("; retry in {}s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long GitHub asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// A failure that may pass: 5xx, a timeout, a reset connection.
    #[error("GitHub is temporarily unavailable: {message}")]
    Transient {
        /// What went wrong.
        message: String,
    },
    /// Anything else (unexpected status, undecodable response).
    #[error("unexpected GitHub response: {message}")]
    Other {
        /// What went wrong.
        message: String,
    },
}

impl GitHubError {
    /// Whether running the same job again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient { .. })
    }
}

/// Result of a GitHub call.
pub type GhResult<T> = Result<T, GitHubError>;

/// Whether an issue is open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueState {
    /// Open.
    Open,
    /// Closed.
    Closed,
}

/// Why an issue was closed (or reopened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateReason {
    /// Done.
    Completed,
    /// Won't do.
    NotPlanned,
    /// Reopened after being closed.
    Reopened,
    /// Closed as a duplicate.
    Duplicate,
    /// A reason GitHub added after this was written.
    #[serde(other)]
    Unknown,
}

/// An issue (or pull request) as vayu sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// The number users see (`#12`).
    pub number: IssueNumber,
    /// The database id that sub-issue and dependency endpoints take.
    pub id: IssueId,
    /// The GraphQL node id.
    pub node_id: String,
    /// Title.
    pub title: String,
    /// Body (empty when GitHub has none).
    pub body: String,
    /// Open or closed.
    pub state: IssueState,
    /// Why it was closed or reopened.
    pub state_reason: Option<StateReason>,
    /// Label names.
    pub labels: Vec<String>,
    /// Assignee logins.
    pub assignees: Vec<Login>,
    /// Author.
    pub user: Login,
    /// Whether this "issue" is a pull request.
    pub is_pull_request: bool,
}

/// An issue to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewIssue {
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Label names (created on GitHub's side if absent, for REST creation).
    pub labels: Vec<String>,
    /// Assignee logins.
    pub assignees: Vec<Login>,
}

/// Changes to an issue; `None` fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssuePatch {
    /// New title.
    pub title: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// New state.
    pub state: Option<IssueState>,
    /// Why it is closed/reopened.
    pub state_reason: Option<StateReason>,
    /// The complete new label set.
    pub labels: Option<Vec<String>>,
    /// The complete new assignee set.
    pub assignees: Option<Vec<Login>>,
}

/// Which issues to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// Open issues only.
    Open,
    /// Closed issues only.
    Closed,
    /// Both.
    All,
}

/// One page of a listing and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The page number to ask for next, if there is one.
    pub next: Option<u32>,
}

/// A label to make sure exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSpec {
    /// Name.
    pub name: String,
    /// Colour as six hex digits, no `#`.
    pub color: String,
    /// Description.
    pub description: String,
}

/// An issue comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// Id.
    pub id: CommentId,
    /// Body.
    pub body: String,
    /// Author.
    pub user: Login,
}

/// A reaction emoji.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// 👍
    PlusOne,
    /// 👎
    MinusOne,
    /// 😄
    Laugh,
    /// 😕
    Confused,
    /// ❤️
    Heart,
    /// 🎉
    Hooray,
    /// 🚀
    Rocket,
    /// 👀
    Eyes,
}

impl Reaction {
    /// The `content` string GitHub uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlusOne => "+1",
            Self::MinusOne => "-1",
            Self::Laugh => "laugh",
            Self::Confused => "confused",
            Self::Heart => "heart",
            Self::Hooray => "hooray",
            Self::Rocket => "rocket",
            Self::Eyes => "eyes",
        }
    }
}

/// What a reaction is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionTarget {
    /// An issue's body.
    Issue(IssueNumber),
    /// An issue comment.
    Comment(CommentId),
}

/// A file read from a repository's default branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContent {
    /// The blob sha.
    pub sha: String,
    /// The file's text.
    pub text: String,
}

/// A Projects v2 board with its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The project's node id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its fields.
    pub fields: Vec<ProjectField>,
}

/// A field of a Projects v2 board.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectField {
    /// The field's node id.
    pub id: String,
    /// Name.
    pub name: String,
    /// GitHub's `dataType` (`SINGLE_SELECT`, `NUMBER`, `TEXT`, …).
    pub data_type: String,
    /// Options of a single-select field (empty for others).
    pub options: Vec<SelectOption>,
}

/// One option of a single-select field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    /// The option id `updateProjectV2ItemFieldValue` takes.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A value to set on a project item's field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A single-select option id.
    SingleSelect(String),
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
}

/// A board item as GitHub holds it: which issue, and the values set on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectItemState {
    /// The issue's node id.
    pub content_id: String,
    /// The item's node id.
    pub item_id: String,
    /// Values by field node id (fields of other types are left out).
    pub values: std::collections::BTreeMap<String, FieldValue>,
}

/// One field value to set on one board item.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldUpdate {
    /// The item's node id.
    pub item_id: String,
    /// The field's node id.
    pub field_id: String,
    /// The value.
    pub value: FieldValue,
}

/// GitHub's `StatusState`: the combined state of a commit's checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusState {
    /// Every check passed.
    Success,
    /// A check failed.
    Failure,
    /// A check errored.
    Error,
    /// A check is still running.
    Pending,
    /// A required check has not reported yet.
    Expected,
}

/// GitHub's `PullRequestState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrState {
    /// Open.
    Open,
    /// Closed without merging.
    Closed,
    /// Merged.
    Merged,
}

/// A pull request that will close an issue, with its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedPr {
    /// The pull request's number.
    pub number: u64,
    /// Open, closed or merged.
    pub state: PrState,
    /// Whether it was merged.
    pub merged: bool,
    /// The combined state of its head commit's checks; `None` when it has none.
    pub checks: Option<StatusState>,
    /// Its head commit, which the checks ran on.
    pub head_oid: String,
}

/// Everything vayu asks of GitHub. Every method takes the repository it acts
/// on, which also selects the App installation whose token is used.
pub trait GitHub: Send + Sync {
    /// Reads an issue.
    fn get_issue(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> impl Future<Output = GhResult<Issue>> + Send;
    /// Creates an issue with labels and assignees.
    fn create_issue(
        &self,
        repo: &RepoName,
        new: &NewIssue,
    ) -> impl Future<Output = GhResult<Issue>> + Send;
    /// Changes title, body, state, state reason or labels.
    fn update_issue(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        patch: &IssuePatch,
    ) -> impl Future<Output = GhResult<Issue>> + Send;
    /// One page (100 per page, from 1) of issues carrying `label`.
    fn list_issues_by_label(
        &self,
        repo: &RepoName,
        label: &str,
        state: StateFilter,
        page: u32,
    ) -> impl Future<Output = GhResult<Page<Issue>>> + Send;

    /// Every issue carrying `label`, from all pages; pull requests left out.
    /// Stops if GitHub names a next page that does not move forward.
    fn issues_with_label(
        &self,
        repo: &RepoName,
        label: &str,
        state: StateFilter,
    ) -> impl Future<Output = GhResult<Vec<Issue>>> + Send {
        async move {
            let mut all = Vec::new();
            let mut page = 1;
            loop {
                let got = self.list_issues_by_label(repo, label, state, page).await?;
                all.extend(got.items.into_iter().filter(|i| !i.is_pull_request));
                match got.next {
                    Some(next) if next > page => page = next,
                    _ => return Ok(all),
                }
            }
        }
    }

    /// One page (100 per page, from 1) of open issues assigned to `login`.
    fn list_assigned_issues(
        &self,
        repo: &RepoName,
        login: &Login,
        page: u32,
    ) -> impl Future<Output = GhResult<Page<Issue>>> + Send;

    /// Creates the label if it does not exist; an existing one is left as is.
    fn ensure_label(
        &self,
        repo: &RepoName,
        label: &LabelSpec,
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// Adds labels to an issue.
    fn add_labels(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        labels: &[String],
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// Removes a label; removing one the issue does not have succeeds.
    fn remove_label(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        label: &str,
    ) -> impl Future<Output = GhResult<()>> + Send;

    /// Posts a comment.
    fn create_comment(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        body: &str,
    ) -> impl Future<Output = GhResult<Comment>> + Send;
    /// Replaces a comment's body.
    fn update_comment(
        &self,
        repo: &RepoName,
        id: CommentId,
        body: &str,
    ) -> impl Future<Output = GhResult<Comment>> + Send;
    /// All comments on an issue, oldest first.
    fn list_comments(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> impl Future<Output = GhResult<Vec<Comment>>> + Send;
    /// The first comment whose body contains `marker`.
    /// The newest comments of the whole repository (one page, newest first).
    fn recent_comments(
        &self,
        repo: &RepoName,
    ) -> impl Future<Output = GhResult<Vec<Comment>>> + Send;
    fn find_comment(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        marker: &str,
    ) -> impl Future<Output = GhResult<Option<Comment>>> + Send;

    /// Reacts to an issue or comment; reacting twice is not an error.
    fn react(
        &self,
        repo: &RepoName,
        target: ReactionTarget,
        reaction: Reaction,
    ) -> impl Future<Output = GhResult<()>> + Send;

    /// Links `child` (by database id) as a sub-issue of `parent`.
    fn add_sub_issue(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
        child: IssueId,
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// The sub-issues of `parent`.
    fn list_sub_issues(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
    ) -> impl Future<Output = GhResult<Vec<Issue>>> + Send;
    /// Unlinks a sub-issue.
    fn remove_sub_issue(
        &self,
        repo: &RepoName,
        parent: IssueNumber,
        child: IssueId,
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// The parent of an issue, if it has one.
    fn parent_issue(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> impl Future<Output = GhResult<Option<Issue>>> + Send;
    /// Creates an issue already linked under `parent`: one GraphQL
    /// `createIssue` with `parentIssueId` where GitHub accepts it, else REST
    /// create followed by `add_sub_issue`.
    fn create_sub_issue(
        &self,
        repo: &RepoName,
        parent: &Issue,
        new: &NewIssue,
    ) -> impl Future<Output = GhResult<Issue>> + Send;

    /// Records that `n` is blocked by `blocker` (database id).
    fn add_blocked_by(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        blocker: IssueId,
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// The issues blocking `n`.
    fn list_blocked_by(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> impl Future<Output = GhResult<Vec<Issue>>> + Send;
    /// Removes a blocked-by link.
    fn remove_blocked_by(
        &self,
        repo: &RepoName,
        n: IssueNumber,
        blocker: IssueId,
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// The issues `n` blocks.
    fn list_blocking(
        &self,
        repo: &RepoName,
        n: IssueNumber,
    ) -> impl Future<Output = GhResult<Vec<Issue>>> + Send;

    /// A user's permission on the repository; `None` when not a collaborator.
    fn permission(
        &self,
        repo: &RepoName,
        user: &Login,
    ) -> impl Future<Output = GhResult<Option<Permission>>> + Send;
    /// A file on the default branch; `None` when it does not exist.
    fn read_file(
        &self,
        repo: &RepoName,
        path: &str,
    ) -> impl Future<Output = GhResult<Option<FileContent>>> + Send;
    /// Starts a `workflow_dispatch` run of `workflow` (file name or id) on `git_ref`.
    fn dispatch_workflow(
        &self,
        repo: &RepoName,
        workflow: &str,
        git_ref: &str,
        inputs: &serde_json::Value,
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// Sends a `repository_dispatch` event.
    fn dispatch_repository(
        &self,
        repo: &RepoName,
        event_type: &str,
        payload: &serde_json::Value,
    ) -> impl Future<Output = GhResult<()>> + Send;

    /// Finds a Projects v2 board of `owner` (user or organization) by number.
    fn find_project(
        &self,
        repo: &RepoName,
        owner: &str,
        number: u64,
    ) -> impl Future<Output = GhResult<Option<Project>>> + Send;
    /// Adds an issue (by node id) to a project, returning the item id; idempotent.
    fn add_project_item(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_id: &str,
    ) -> impl Future<Output = GhResult<String>> + Send;
    /// Sets a field of a project item.
    fn set_project_field(
        &self,
        repo: &RepoName,
        project_id: &str,
        item_id: &str,
        field_id: &str,
        value: &FieldValue,
    ) -> impl Future<Output = GhResult<()>> + Send;
    /// The items of `project_id` whose content is one of `content_ids`
    /// (issue node ids), with their values: one query.
    fn project_items(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_ids: &[String],
    ) -> impl Future<Output = GhResult<Vec<ProjectItemState>>> + Send;
    /// Adds issues (by node id) to a project in one mutation; item ids in order.
    fn add_project_items(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_ids: &[String],
    ) -> impl Future<Output = GhResult<Vec<String>>> + Send;
    /// Sets many field values in as few mutations as GitHub allows.
    fn set_project_fields(
        &self,
        repo: &RepoName,
        project_id: &str,
        updates: &[FieldUpdate],
    ) -> impl Future<Output = GhResult<()>> + Send;

    /// The pull requests that will close the issue (node id), open or
    /// closed, with the combined state of their checks.
    fn linked_pr_checks(
        &self,
        repo: &RepoName,
        issue_node_id: &str,
    ) -> impl Future<Output = GhResult<Vec<LinkedPr>>> + Send;

    /// How long calls for `repo` are held back because GitHub keeps failing
    /// (an open circuit breaker); `None` when they may go. Jobs wait this
    /// long instead of spending an attempt.
    fn held_back(&self, _repo: &RepoName) -> Option<Duration> {
        None
    }
}

/// Why the ledger (vayu's own database) failed; always worth a retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vayu's database failed: {0}")]
pub struct LedgerError(pub String);

/// Result of a ledger call.
pub type LedgerResult<T> = Result<T, LedgerError>;

/// An effect the ledger has seen done, by idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectDone {
    /// When it was recorded.
    pub done_at: chrono::DateTime<chrono::Utc>,
    /// What it produced (a created issue's number, …).
    pub result: serde_json::Value,
}

/// A dashboard event (seed 004's kinds: `orchestration_started`, `subtask_created`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEvent {
    /// When it happened.
    pub ts: chrono::DateTime<chrono::Utc>,
    /// What happened.
    pub kind: &'static str,
    /// The repository.
    pub repo: RepoName,
    /// The issue it concerns.
    pub issue: IssueNumber,
    /// Details.
    pub data: serde_json::Value,
}

/// vayu's cached view of one task issue, as the orchestrator writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// The repository.
    pub repo: RepoName,
    /// The task's issue.
    pub issue: IssueNumber,
    /// The parent issue, for a subtask.
    pub parent: Option<IssueNumber>,
    /// The subtask key, for a subtask.
    pub key: Option<crate::core::ids::TaskKey>,
    /// Kind of work.
    pub task_type: crate::core::task::TaskType,
    /// Urgency.
    pub priority: crate::core::task::Priority,
    /// The assigned agent, when there is one.
    pub owner: Option<Login>,
    /// Lifecycle status.
    pub status: crate::core::task::Status,
    /// When the record changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// What the orchestrator keeps in vayu's database: idempotency keys of the
/// effects it ran, dashboard events, task and plan caches. GitHub stays the
/// source of truth; the ledger makes repeats cheap and history visible.
pub trait Ledger: Send + Sync {
    /// The record of the effect with this key, if it ran.
    fn effect_done(
        &self,
        key: &str,
    ) -> impl Future<Output = LedgerResult<Option<EffectDone>>> + Send;
    /// Records that an effect ran; false if it had been recorded before.
    fn record_effect(
        &self,
        key: &str,
        result: &serde_json::Value,
        now: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = LedgerResult<bool>> + Send;
    /// Appends a dashboard event.
    fn append_event(&self, event: &LedgerEvent) -> impl Future<Output = LedgerResult<()>> + Send;
    /// Inserts or replaces a task record.
    fn upsert_task(&self, task: &TaskRecord) -> impl Future<Output = LedgerResult<()>> + Send;
    /// Stores the plan last applied to a parent issue.
    fn save_plan(
        &self,
        repo: &RepoName,
        issue: IssueNumber,
        hash: &str,
        plan: &serde_json::Value,
        now: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = LedgerResult<()>> + Send;
    /// The newest `limit` entries of `repo`'s task history, oldest first.
    fn task_history(
        &self,
        repo: &RepoName,
        limit: u32,
    ) -> impl Future<Output = LedgerResult<Vec<crate::core::report::TaskEvent>>> + Send;
    /// Remembers that `repos` were added to an installation of the App (or
    /// removed from it), so periodic work reaches exactly those.
    fn set_installed(
        &self,
        installation: crate::core::ids::InstallationId,
        repos: &[RepoName],
        removed: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = LedgerResult<()>> + Send;
}
