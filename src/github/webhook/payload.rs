//! One lenient struct per webhook event vayu reads, chosen by the
//! `X-GitHub-Event` header. Actions stay strings: an action GitHub adds
//! tomorrow still parses, and normalisation decides whether it matters.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::objects::{
    Changes, Comment, Installation, InstallationRef, Issue, IssueType, Label, Repository,
    RepositoryRef, User, lenient_list,
};

/// A parsed webhook body, tagged by its event name.
#[derive(Debug, Clone)]
pub enum Payload {
    /// `issues`
    Issues(IssuesEvent),
    /// `issue_comment`
    IssueComment(IssueCommentEvent),
    /// `sub_issues`
    SubIssues(SubIssuesEvent),
    /// `issue_dependencies`
    IssueDependencies(IssueDependenciesEvent),
    /// `installation`
    Installation(InstallationEvent),
    /// `installation_repositories`
    InstallationRepositories(InstallationRepositoriesEvent),
    /// `workflow_run`
    WorkflowRun(WorkflowRunEvent),
    /// `workflow_job`
    WorkflowJob(WorkflowJobEvent),
    /// `repository_dispatch`
    RepositoryDispatch(RepositoryDispatchEvent),
    /// `workflow_dispatch`
    WorkflowDispatch(WorkflowDispatchEvent),
    /// `ping`
    Ping(PingEvent),
}

/// The top-level fields stored next to a delivery (its action, installation
/// and repository), taken from the parsed payload so the body is read once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The payload's `action`, when the event has one.
    pub action: Option<String>,
    /// The installation the delivery is for.
    pub installation: Option<u64>,
    /// `owner/name` of the repository the delivery is about.
    pub repo: Option<String>,
}

impl Envelope {
    fn of(action: Option<&str>, installation: Option<u64>, repo: Option<&Repository>) -> Self {
        Self {
            action: action.map(str::to_owned),
            installation,
            repo: repo.map(|r| r.full_name.clone()),
        }
    }
}

impl Payload {
    /// The delivery's envelope fields.
    pub fn envelope(&self) -> Envelope {
        let id = |i: &Option<InstallationRef>| i.as_ref().map(|i| i.id);
        match self {
            Self::Issues(p) => {
                Envelope::of(Some(&p.action), id(&p.installation), Some(&p.repository))
            }
            Self::IssueComment(p) => {
                Envelope::of(Some(&p.action), id(&p.installation), Some(&p.repository))
            }
            Self::SubIssues(p) => {
                Envelope::of(Some(&p.action), id(&p.installation), Some(&p.repository))
            }
            Self::IssueDependencies(p) => {
                Envelope::of(Some(&p.action), id(&p.installation), Some(&p.repository))
            }
            Self::Installation(p) => Envelope::of(Some(&p.action), Some(p.installation.id), None),
            Self::InstallationRepositories(p) => {
                Envelope::of(Some(&p.action), Some(p.installation.id), None)
            }
            Self::WorkflowRun(p) => {
                Envelope::of(Some(&p.action), id(&p.installation), Some(&p.repository))
            }
            Self::WorkflowJob(p) => {
                Envelope::of(Some(&p.action), id(&p.installation), Some(&p.repository))
            }
            Self::RepositoryDispatch(p) => {
                Envelope::of(Some(&p.action), id(&p.installation), Some(&p.repository))
            }
            Self::WorkflowDispatch(p) => {
                Envelope::of(None, id(&p.installation), Some(&p.repository))
            }
            Self::Ping(p) => Envelope {
                action: None,
                installation: id(&p.installation),
                repo: p.repository.as_ref().map(|r| r.full_name.clone()),
            },
        }
    }
}

/// `issues`: opened, edited, labeled, closed, typed, … (any action).
#[derive(Debug, Clone, Deserialize)]
pub struct IssuesEvent {
    pub action: String,
    pub issue: Issue,
    #[serde(default)]
    pub changes: Option<Changes>,
    #[serde(default)]
    pub label: Option<Label>,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(rename = "type", default)]
    pub issue_type: Option<IssueType>,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// `issue_comment`: created, edited, deleted.
#[derive(Debug, Clone, Deserialize)]
pub struct IssueCommentEvent {
    pub action: String,
    pub issue: Issue,
    pub comment: Comment,
    #[serde(default)]
    pub changes: Option<Changes>,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// `sub_issues`: sub_issue_added/removed (reported on the parent),
/// parent_issue_added/removed (reported on the sub-issue).
#[derive(Debug, Clone, Deserialize)]
pub struct SubIssuesEvent {
    pub action: String,
    #[serde(default)]
    pub parent_issue_id: Option<u64>,
    #[serde(default)]
    pub parent_issue: Option<Issue>,
    #[serde(default)]
    pub parent_issue_repo: Option<Repository>,
    #[serde(default)]
    pub sub_issue_id: Option<u64>,
    #[serde(default)]
    pub sub_issue: Option<Issue>,
    #[serde(default)]
    pub sub_issue_repo: Option<Repository>,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// `issue_dependencies`: blocked_by_added/removed (reported on the blocked
/// issue), blocking_added/removed (reported on the blocking issue).
#[derive(Debug, Clone, Deserialize)]
pub struct IssueDependenciesEvent {
    pub action: String,
    #[serde(default)]
    pub blocked_issue_id: Option<u64>,
    #[serde(default)]
    pub blocked_issue: Option<Issue>,
    #[serde(default)]
    pub blocked_issue_repo: Option<Repository>,
    #[serde(default)]
    pub blocking_issue_id: Option<u64>,
    #[serde(default)]
    pub blocking_issue: Option<Issue>,
    #[serde(default)]
    pub blocking_issue_repo: Option<Repository>,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// `installation`: created, deleted, suspend, unsuspend, new_permissions_accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct InstallationEvent {
    pub action: String,
    pub installation: Installation,
    #[serde(default, deserialize_with = "lenient_list")]
    pub repositories: Vec<RepositoryRef>,
    pub sender: User,
}

/// `installation_repositories`: added, removed.
#[derive(Debug, Clone, Deserialize)]
pub struct InstallationRepositoriesEvent {
    pub action: String,
    pub installation: Installation,
    #[serde(default, deserialize_with = "lenient_list")]
    pub repositories_added: Vec<RepositoryRef>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub repositories_removed: Vec<RepositoryRef>,
    pub sender: User,
}

/// The workflow a run belongs to.
#[derive(Debug, Clone, Deserialize)]
pub struct Workflow {
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
}

/// The run inside a `workflow_run` event.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowRunObject {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub event: String,
    #[serde(default)]
    pub conclusion: Option<String>,
    pub head_sha: String,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub run_attempt: Option<u64>,
}

/// `workflow_run`: requested, in_progress, completed.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowRunEvent {
    pub action: String,
    pub workflow_run: WorkflowRunObject,
    #[serde(default)]
    pub workflow: Option<Workflow>,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// The job inside a `workflow_job` event.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowJobObject {
    pub id: u64,
    pub run_id: u64,
    pub name: String,
    #[serde(default)]
    pub workflow_name: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
}

/// `workflow_job`: queued, waiting, in_progress, completed.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowJobEvent {
    pub action: String,
    pub workflow_job: WorkflowJobObject,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// `repository_dispatch`: `action` is the sender's custom `event_type`.
#[derive(Debug, Clone, Deserialize)]
pub struct RepositoryDispatchEvent {
    pub action: String,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub client_payload: Option<Map<String, Value>>,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// `workflow_dispatch` (no action).
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowDispatchEvent {
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub workflow: String,
    #[serde(default)]
    pub inputs: Option<Map<String, Value>>,
    pub repository: Repository,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
    pub sender: User,
}

/// The hook a `ping` is about.
#[derive(Debug, Clone, Deserialize)]
pub struct Hook {
    #[serde(default)]
    pub app_id: Option<u64>,
}

/// `ping` (no action): sent when a webhook is created.
#[derive(Debug, Clone, Deserialize)]
pub struct PingEvent {
    #[serde(default)]
    pub zen: Option<String>,
    #[serde(default)]
    pub hook_id: Option<u64>,
    #[serde(default)]
    pub hook: Option<Hook>,
    /// Present when the hook is a repository's.
    #[serde(default)]
    pub repository: Option<RepositoryRef>,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
}
