//! The events the app layer reacts to, whichever front-end received them
//! (a webhook delivery or an Action's event file). Handlers see only these,
//! never raw payloads.

use serde::{Deserialize, Serialize};

use crate::core::ids::{CommentId, InstallationId, IssueId, IssueNumber, Login, RepoName};

/// Something that happened on GitHub that vayu may act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// An issue was opened.
    IssueOpened { origin: Origin, issue: Issue },
    /// An issue's title or body was edited; `old_*` is set for the parts that changed.
    IssueEdited {
        origin: Origin,
        issue: Issue,
        old_title: Option<String>,
        old_body: Option<String>,
    },
    /// A label was added to an issue.
    IssueLabeled {
        origin: Origin,
        issue: Issue,
        label: String,
    },
    /// A label was removed from an issue.
    IssueUnlabeled {
        origin: Origin,
        issue: Issue,
        label: String,
    },
    /// An issue was closed.
    IssueClosed {
        origin: Origin,
        issue: Issue,
        reason: CloseReason,
    },
    /// A closed issue was reopened.
    IssueReopened { origin: Origin, issue: Issue },
    /// An issue was deleted; its sub-issue and dependency links are gone with it.
    IssueDeleted { origin: Origin, issue: Issue },
    /// A comment was posted on an issue.
    CommentCreated {
        origin: Origin,
        issue: Issue,
        comment: Comment,
    },
    /// A comment was edited; `old_body` is the text before the edit when GitHub sent it.
    CommentEdited {
        origin: Origin,
        issue: Issue,
        comment: Comment,
        old_body: Option<String>,
    },
    /// An issue became a sub-issue of another.
    SubIssueAdded { origin: Origin, link: SubIssueLink },
    /// A sub-issue was detached from its parent.
    SubIssueRemoved { origin: Origin, link: SubIssueLink },
    /// An issue was marked as blocked by another.
    DependencyAdded {
        origin: Origin,
        link: DependencyLink,
    },
    /// A blocked-by link between two issues was removed.
    DependencyRemoved {
        origin: Origin,
        link: DependencyLink,
    },
    /// The app was installed on an account.
    InstallationCreated {
        installation: InstallationId,
        account: Login,
        sender: Actor,
        repos: Vec<RepoName>,
    },
    /// The app was uninstalled from an account.
    InstallationDeleted {
        installation: InstallationId,
        account: Login,
        sender: Actor,
    },
    /// An installation was suspended: no tokens until it is unsuspended.
    InstallationSuspended {
        installation: InstallationId,
        account: Login,
        sender: Actor,
    },
    /// A suspended installation works again.
    InstallationUnsuspended {
        installation: InstallationId,
        account: Login,
        sender: Actor,
    },
    /// Repositories were added to an installation.
    InstallationReposAdded {
        installation: InstallationId,
        sender: Actor,
        repos: Vec<RepoName>,
    },
    /// Repositories were removed from an installation.
    InstallationReposRemoved {
        installation: InstallationId,
        sender: Actor,
        repos: Vec<RepoName>,
    },
    /// A workflow run finished.
    WorkflowRunCompleted { origin: Origin, run: WorkflowRun },
    /// A job of a workflow run finished.
    WorkflowJobCompleted { origin: Origin, job: WorkflowJob },
    /// A `repository_dispatch` with a custom event type (`action`) arrived.
    RepositoryDispatch {
        origin: Origin,
        action: String,
        branch: Option<String>,
        client_payload: serde_json::Value,
    },
    /// A workflow was started by hand or through the API.
    WorkflowDispatch {
        origin: Origin,
        workflow: String,
        git_ref: String,
        inputs: serde_json::Value,
    },
    /// GitHub checks that the webhook is reachable.
    Ping {
        hook_id: Option<u64>,
        app_id: Option<u64>,
        zen: String,
    },
}

/// Where an event happened and who caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The repository the event belongs to.
    pub repo: RepoName,
    /// The installation that received it; absent for repository webhooks and some Action events.
    pub installation: Option<InstallationId>,
    /// Who caused it.
    pub sender: Actor,
}

/// A GitHub account that did something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The account's login (`octocat`, `vayu[bot]`).
    pub login: Login,
    /// The account's database id.
    pub id: u64,
    /// True for bots and apps, so vayu can ignore its own and other bots' events.
    pub is_bot: bool,
}

/// An issue as it was when the event was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The number users see (`#12`).
    pub number: IssueNumber,
    /// The database id the sub-issue and dependency endpoints take.
    pub id: IssueId,
    /// The GraphQL node id.
    pub node_id: String,
    /// The title.
    pub title: String,
    /// The body; empty when GitHub sent `null`.
    pub body: String,
    /// Open or closed.
    pub state: IssueState,
    /// Label names, in GitHub's order.
    pub labels: Vec<String>,
    /// Logins of the assignees.
    pub assignees: Vec<Login>,
    /// Who opened the issue.
    pub author: Actor,
    /// The author's relation to the repository (`OWNER`, `MEMBER`, `NONE`…); a pre-filter only.
    pub author_association: String,
    /// The issue type's name (`Task`, `Bug`) when the organisation uses issue types.
    pub issue_type: Option<String>,
    /// The parent, when the issue is a sub-issue and GitHub said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentIssue>,
}

/// The parent of a sub-issue, possibly in another repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentIssue {
    /// The repository holding the parent.
    pub repo: RepoName,
    /// The parent's number.
    pub number: IssueNumber,
}

/// Whether an issue is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueState {
    /// Open (also used when GitHub sends no state).
    Open,
    /// Closed.
    Closed,
}

/// Why an issue was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// Done (also GitHub's meaning of a missing reason).
    Completed,
    /// Won't do.
    NotPlanned,
    /// Closed as a duplicate of another issue.
    Duplicate,
    /// A reason this version of vayu does not know.
    #[serde(other)]
    Other,
}

/// A comment on an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The comment's id.
    pub id: CommentId,
    /// The text; empty when GitHub sent `null`.
    pub body: String,
    /// Who wrote it.
    pub author: Actor,
    /// The author's relation to the repository; a pre-filter only.
    pub author_association: String,
}

/// One end of a link between two issues, possibly in different repositories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedIssue {
    /// The database id (always sent).
    pub id: IssueId,
    /// The repository holding the issue.
    pub repo: RepoName,
    /// The issue's number, when GitHub sent the issue itself.
    pub number: Option<IssueNumber>,
}

/// Which end of a link a delivery is about: GitHub reports one link change
/// once for each end, to that end's repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkEnd {
    /// The parent issue (`sub_issues.sub_issue_*`).
    Parent,
    /// The sub-issue (`sub_issues.parent_issue_*`).
    Sub,
    /// The blocked issue (`issue_dependencies.blocked_by_*`).
    Blocked,
    /// The blocking issue (`issue_dependencies.blocking_*`).
    Blocking,
}

/// A parent/sub-issue link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubIssueLink {
    /// The parent issue.
    pub parent: LinkedIssue,
    /// The sub-issue.
    pub sub: LinkedIssue,
    /// Which end this delivery reports.
    pub reported_on: LinkEnd,
}

/// A "blocked by" link: `blocked` cannot start before `blocking` is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyLink {
    /// The issue that waits.
    pub blocked: LinkedIssue,
    /// The issue it waits for.
    pub blocking: LinkedIssue,
    /// Which end this delivery reports.
    pub reported_on: LinkEnd,
}

/// A finished workflow run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRun {
    /// The run's id.
    pub id: u64,
    /// The workflow's name.
    pub name: String,
    /// The workflow file (`.github/workflows/vayu.yml`).
    pub path: Option<String>,
    /// What triggered the run (`repository_dispatch`, `issues`, …).
    pub trigger: String,
    /// `success`, `failure`, `cancelled`, …
    pub conclusion: Option<String>,
    /// The commit the run used.
    pub head_sha: String,
    /// The branch the run used.
    pub head_branch: Option<String>,
    /// Which attempt this was (1 for the first).
    pub attempt: u64,
}

/// A finished job of a workflow run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowJob {
    /// The job's id.
    pub id: u64,
    /// The run the job belongs to.
    pub run_id: u64,
    /// The job's name.
    pub name: String,
    /// The name of the workflow the job belongs to.
    pub workflow_name: Option<String>,
    /// `success`, `failure`, `cancelled`, …
    pub conclusion: Option<String>,
}
