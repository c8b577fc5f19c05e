//! The simulated GitHub's state and how it renders as GitHub-shaped JSON.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

/// A repository collaborator role, as `GET …/collaborators/{user}/permission` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Admin,
    Maintain,
    Write,
    Triage,
    Read,
    None,
}

impl Permission {
    /// The role name GitHub puts in `role_name`.
    pub fn role_name(self) -> &'static str {
        match self {
            Permission::Admin => "admin",
            Permission::Maintain => "maintain",
            Permission::Write => "write",
            Permission::Triage => "triage",
            Permission::Read => "read",
            Permission::None => "none",
        }
    }

    /// The legacy base role in `permission`: maintain maps to write, triage to read (GitHub docs).
    pub fn legacy(self) -> &'static str {
        match self {
            Permission::Admin => "admin",
            Permission::Maintain | Permission::Write => "write",
            Permission::Triage | Permission::Read => "read",
            Permission::None => "none",
        }
    }
}

/// One repository with everything that lives in it.
#[derive(Debug, Clone, Default)]
pub struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub default_branch: String,
    pub next_number: u64,
    pub issues: BTreeMap<u64, Issue>,
    /// Keyed by lower-cased name: GitHub label names are case-insensitive.
    pub labels: BTreeMap<String, Label>,
    pub comments: BTreeMap<u64, Comment>,
    pub permissions: BTreeMap<String, Permission>,
    pub files: BTreeMap<String, String>,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

#[derive(Debug, Clone)]
pub struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Reaction {
    pub id: u64,
    pub content: String,
    pub user: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub number: u64,
    pub id: u64,
    pub node_id: String,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    pub state_reason: Option<String>,
    /// Label ids, in the order they were added.
    pub labels: Vec<u64>,
    pub assignees: Vec<String>,
    pub user: String,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub reactions: Vec<Reaction>,
    /// Database ids of sub-issues, in priority order.
    pub sub_issues: Vec<u64>,
    pub parent: Option<u64>,
    /// Database ids of the issues blocking this one.
    pub blocked_by: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub node_id: String,
    pub issue_number: u64,
    pub body: String,
    pub user: String,
    pub created_at: String,
    pub updated_at: String,
    pub reactions: Vec<Reaction>,
}

/// A GitHub App installation and the App key that may mint its tokens.
#[derive(Debug, Clone)]
pub struct Installation {
    pub id: u64,
    pub app_id: u64,
    pub account: String,
    pub public_key_pem: String,
    /// Full names (`owner/name`) of the repositories it can reach.
    pub repos: Vec<String>,
}

/// Who a bearer token authenticates as, and which repositories it reaches (`None` = all).
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub login: String,
    pub repos: Option<Vec<String>>,
    pub installation: Option<u64>,
}

#[derive(Debug, Clone)]
pub enum FieldKind {
    SingleSelect(Vec<(String, String)>),
    Number,
    Text,
}

#[derive(Debug, Clone)]
pub struct ProjectField {
    pub node_id: String,
    pub name: String,
    pub kind: FieldKind,
}

#[derive(Debug, Clone)]
pub struct ProjectItem {
    pub node_id: String,
    pub content_id: String,
    pub values: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub node_id: String,
    pub owner: String,
    pub number: u64,
    pub title: String,
    pub fields: Vec<ProjectField>,
    pub items: Vec<ProjectItem>,
    /// The token may not touch this board (an App without `organization_projects`).
    pub forbidden: bool,
}

/// A recorded `workflow_dispatch` or `repository_dispatch`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Dispatch {
    pub repo: String,
    /// The workflow id or file name; `None` for a repository dispatch.
    pub workflow: Option<String>,
    pub body: Value,
}

/// Everything the simulated GitHub knows.
#[derive(Debug)]
pub struct World {
    pub base_url: String,
    next_id: u64,
    /// Seconds since the sim's epoch; ticks once per mutation so timestamps are deterministic.
    clock: u64,
    pub repos: BTreeMap<String, Repo>,
    pub users: BTreeMap<String, u64>,
    /// Issue database id → (repo full name, number).
    pub issue_index: HashMap<u64, (String, u64)>,
    pub tokens: HashMap<String, TokenInfo>,
    pub installations: BTreeMap<u64, Installation>,
    pub projects: Vec<Project>,
    pub dispatches: Vec<Dispatch>,
    pub rate_used: BTreeMap<&'static str, u64>,
    pub rate_limit: u64,
    pub rate_reset: u64,
    /// Issue node id → pull requests that will close it (`closedByPullRequestsReferences`).
    pub linked_prs: BTreeMap<String, Vec<SimPr>>,
    /// The App may not read pull requests or checks (an installation made
    /// before vayu asked for them).
    pub linked_prs_forbidden: bool,
}

/// A pull request linked to an issue, with its checks' combined state.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPr {
    pub number: u64,
    /// `OPEN`, `CLOSED` or `MERGED`.
    pub state: &'static str,
    /// GitHub's `StatusState`; `None` when the head commit has no checks.
    pub checks: Option<&'static str>,
    /// Commits pushed after the first: the head commit's id derives from it.
    pub pushes: u64,
}

impl SimPr {
    /// `headRefOid`: a 40-hex commit id, new with every push.
    pub fn head_oid(&self) -> String {
        // Distinct in its first 12 digits, which vayu keys feedback on.
        format!("{:012x}{:028x}", (self.number << 16) | (self.pushes + 1), 0)
    }
}

/// The sim's fixed epoch: 2025-01-01T00:00:00Z.
const EPOCH: i64 = 1_735_689_600;

impl World {
    pub fn new(base_url: String, rate_reset: u64) -> Self {
        World {
            base_url,
            next_id: 1000,
            clock: 0,
            repos: BTreeMap::new(),
            users: BTreeMap::new(),
            issue_index: HashMap::new(),
            tokens: HashMap::new(),
            installations: BTreeMap::new(),
            projects: Vec::new(),
            dispatches: Vec::new(),
            rate_used: BTreeMap::new(),
            rate_limit: 5000,
            rate_reset,
            linked_prs: BTreeMap::new(),
            linked_prs_forbidden: false,
        }
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Advances the sim clock one second and returns it as an RFC 3339 timestamp.
    pub fn tick(&mut self) -> String {
        self.clock += 1;
        self.now()
    }

    pub fn now(&self) -> String {
        let t = chrono::DateTime::from_timestamp(EPOCH + self.clock as i64, 0).unwrap_or_default();
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    pub fn user_id(&mut self, login: &str) -> u64 {
        if let Some(id) = self.users.get(login) {
            return *id;
        }
        let id = self.next_id();
        self.users.insert(login.to_string(), id);
        id
    }

    /// Creates the repository if it does not exist yet.
    pub fn ensure_repo(&mut self, full_name: &str) -> &mut Repo {
        if !self.repos.contains_key(full_name) {
            let (owner, name) = full_name.split_once('/').unwrap_or((full_name, ""));
            let id = self.next_id();
            self.user_id(owner);
            let repo = Repo {
                id,
                owner: owner.to_string(),
                name: name.to_string(),
                default_branch: "main".to_string(),
                next_number: 1,
                ..Repo::default()
            };
            self.repos.insert(full_name.to_string(), repo);
        }
        self.repos.get_mut(full_name).expect("inserted above")
    }

    /// Returns the label id for `name`, creating the label (color `ededed`) when absent, as GitHub does.
    pub fn ensure_label(&mut self, repo: &str, name: &str) -> u64 {
        let key = name.to_lowercase();
        if let Some(l) = self.repos.get(repo).and_then(|r| r.labels.get(&key)) {
            return l.id;
        }
        let id = self.next_id();
        let label = Label {
            id,
            name: name.to_string(),
            color: "ededed".into(),
            description: None,
        };
        self.ensure_repo(repo).labels.insert(key, label);
        id
    }

    /// Creates an issue and returns (number, database id).
    pub fn create_issue(&mut self, repo: &str, new: NewIssue) -> (u64, u64) {
        let id = self.next_id();
        let now = self.tick();
        self.user_id(&new.user);
        let labels: Vec<u64> = new
            .labels
            .iter()
            .map(|l| self.ensure_label(repo, l))
            .collect();
        for a in &new.assignees {
            self.user_id(a);
        }
        let r = self.ensure_repo(repo);
        let number = r.next_number;
        r.next_number += 1;
        r.issues.insert(
            number,
            Issue {
                number,
                id,
                node_id: format!("I_sim{id}"),
                title: new.title,
                body: new.body,
                state: "open".into(),
                state_reason: None,
                labels,
                assignees: new.assignees,
                user: new.user,
                created_at: now.clone(),
                updated_at: now,
                closed_at: None,
                reactions: Vec::new(),
                sub_issues: Vec::new(),
                parent: None,
                blocked_by: Vec::new(),
            },
        );
        self.issue_index.insert(id, (repo.to_string(), number));
        (number, id)
    }

    pub fn issue(&self, repo: &str, number: u64) -> Option<&Issue> {
        self.repos.get(repo)?.issues.get(&number)
    }

    pub fn issue_mut(&mut self, repo: &str, number: u64) -> Option<&mut Issue> {
        self.repos.get_mut(repo)?.issues.get_mut(&number)
    }

    pub fn issue_by_id(&self, id: u64) -> Option<&Issue> {
        let (repo, number) = self.issue_index.get(&id)?;
        self.issue(repo, *number)
    }

    pub fn issue_by_id_mut(&mut self, id: u64) -> Option<&mut Issue> {
        let (repo, number) = self.issue_index.get(&id)?.clone();
        self.issue_mut(&repo, number)
    }

    pub fn issue_by_node_id(&self, node_id: &str) -> Option<&Issue> {
        let id: u64 = node_id.strip_prefix("I_sim")?.parse().ok()?;
        self.issue_by_id(id)
    }

    /// The issues blocked by `id` (the reverse of `blocked_by`).
    pub fn blocking(&self, id: u64) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .repos
            .values()
            .flat_map(|r| r.issues.values())
            .filter(|i| i.blocked_by.contains(&id))
            .map(|i| i.id)
            .collect();
        out.sort_unstable();
        out
    }

    // ---- JSON rendering, shaped like api.github.com ----

    pub fn user_json(&self, login: &str) -> Value {
        let id = self.users.get(login).copied().unwrap_or(0);
        let base = &self.base_url;
        let kind = if login.ends_with("[bot]") {
            "Bot"
        } else {
            "User"
        };
        json!({
            "login": login, "id": id, "node_id": format!("U_sim{id}"),
            "avatar_url": format!("{base}/avatars/{login}"), "gravatar_id": "",
            "url": format!("{base}/users/{login}"), "html_url": format!("{base}/{login}"),
            "followers_url": format!("{base}/users/{login}/followers"),
            "following_url": format!("{base}/users/{login}/following{{/other_user}}"),
            "gists_url": format!("{base}/users/{login}/gists{{/gist_id}}"),
            "starred_url": format!("{base}/users/{login}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{base}/users/{login}/subscriptions"),
            "organizations_url": format!("{base}/users/{login}/orgs"),
            "repos_url": format!("{base}/users/{login}/repos"),
            "events_url": format!("{base}/users/{login}/events{{/privacy}}"),
            "received_events_url": format!("{base}/users/{login}/received_events"),
            "type": kind, "site_admin": false,
        })
    }

    pub fn label_json(&self, repo: &str, label: &Label) -> Value {
        json!({
            "id": label.id, "node_id": format!("LA_sim{}", label.id),
            "url": format!("{}/repos/{repo}/labels/{}", self.base_url, enc(&label.name)),
            "name": label.name, "color": label.color, "description": label.description,
            "default": false,
        })
    }

    pub fn label_by_id(&self, repo: &str, id: u64) -> Option<&Label> {
        self.repos.get(repo)?.labels.values().find(|l| l.id == id)
    }

    pub fn issue_json(&self, repo: &str, issue: &Issue) -> Value {
        let base = &self.base_url;
        let n = issue.number;
        let api = format!("{base}/repos/{repo}/issues/{n}");
        let labels: Vec<Value> = issue
            .labels
            .iter()
            .filter_map(|id| self.label_by_id(repo, *id))
            .map(|l| self.label_json(repo, l))
            .collect();
        let assignees: Vec<Value> = issue.assignees.iter().map(|a| self.user_json(a)).collect();
        let comments = self
            .repos
            .get(repo)
            .map(|r| r.comments.values().filter(|c| c.issue_number == n).count())
            .unwrap_or(0);
        let done = issue
            .sub_issues
            .iter()
            .filter(|id| self.issue_by_id(**id).is_some_and(|i| i.state == "closed"))
            .count();
        let total = issue.sub_issues.len();
        let blocking = self.blocking(issue.id).len();
        json!({
            "id": issue.id, "node_id": issue.node_id, "url": api,
            "repository_url": format!("{base}/repos/{repo}"),
            "labels_url": format!("{api}/labels{{/name}}"),
            "comments_url": format!("{api}/comments"),
            "events_url": format!("{api}/events"),
            "html_url": format!("{base}/{repo}/issues/{n}"),
            "number": n, "state": issue.state, "state_reason": issue.state_reason,
            "title": issue.title, "body": issue.body, "user": self.user_json(&issue.user),
            "labels": labels, "assignee": assignees.first().cloned(), "assignees": assignees,
            "milestone": null, "locked": false, "active_lock_reason": null,
            "comments": comments, "closed_at": issue.closed_at,
            "created_at": issue.created_at, "updated_at": issue.updated_at,
            "author_association": "NONE",
            "reactions": reactions_summary(&format!("{api}/reactions"), &issue.reactions),
            "sub_issues_summary": {
                "total": total, "completed": done,
                "percent_completed": (done * 100).checked_div(total).unwrap_or(0),
            },
            "issue_dependencies_summary": {
                "blocked_by": issue.blocked_by.len(), "blocking": blocking,
                "total_blocked_by": issue.blocked_by.len(), "total_blocking": blocking,
            },
        })
    }

    /// Renders an issue found by database id (empty object if it vanished).
    pub fn issue_json_by_id(&self, id: u64) -> Value {
        match self.issue_index.get(&id) {
            Some((repo, n)) => match self.issue(repo, *n) {
                Some(i) => self.issue_json(repo, i),
                None => json!({}),
            },
            None => json!({}),
        }
    }

    pub fn comment_json(&self, repo: &str, c: &Comment) -> Value {
        let base = &self.base_url;
        let url = format!("{base}/repos/{repo}/issues/comments/{}", c.id);
        json!({
            "id": c.id, "node_id": c.node_id, "url": url,
            "html_url": format!("{base}/{repo}/issues/{}#issuecomment-{}", c.issue_number, c.id),
            "issue_url": format!("{base}/repos/{repo}/issues/{}", c.issue_number),
            "body": c.body, "user": self.user_json(&c.user),
            "created_at": c.created_at, "updated_at": c.updated_at,
            "author_association": "NONE",
            "reactions": reactions_summary(&format!("{url}/reactions"), &c.reactions),
        })
    }

    pub fn reaction_json(&self, r: &Reaction) -> Value {
        json!({
            "id": r.id, "node_id": format!("REA_sim{}", r.id), "user": self.user_json(&r.user),
            "content": r.content, "created_at": r.created_at,
        })
    }

    pub fn repo_json(&self, r: &Repo) -> Value {
        let base = &self.base_url;
        let full = r.full_name();
        json!({
            "id": r.id, "node_id": format!("R_sim{}", r.id), "name": r.name, "full_name": full,
            "owner": self.user_json(&r.owner), "private": false,
            "html_url": format!("{base}/{full}"), "url": format!("{base}/repos/{full}"),
            "default_branch": r.default_branch, "fork": false, "archived": false,
            "visibility": "public",
        })
    }

    pub fn installation_json(&self, inst: &Installation) -> Value {
        let base = &self.base_url;
        json!({
            "id": inst.id, "account": self.user_json(&inst.account), "app_id": inst.app_id,
            "access_tokens_url": format!("{base}/app/installations/{}/access_tokens", inst.id),
            "repositories_url": format!("{base}/installation/repositories"),
            "html_url": format!("{base}/settings/installations/{}", inst.id),
            "target_id": self.users.get(&inst.account).copied().unwrap_or(0),
            "target_type": "Organization", "repository_selection": "selected",
            "permissions": { "issues": "write", "metadata": "read", "contents": "read",
                             "actions": "write", "organization_projects": "write" },
            "events": ["issues", "issue_comment", "sub_issues"],
            "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
            "app_slug": "vayu-sim", "single_file_name": null,
        })
    }
}

/// Input for [`World::create_issue`].
#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    pub title: String,
    pub body: Option<String>,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    pub user: String,
}

fn reactions_summary(url: &str, reactions: &[Reaction]) -> Value {
    let count = |c: &str| reactions.iter().filter(|r| r.content == c).count();
    json!({
        "url": url, "total_count": reactions.len(),
        "+1": count("+1"), "-1": count("-1"), "laugh": count("laugh"), "hooray": count("hooray"),
        "confused": count("confused"), "heart": count("heart"), "rocket": count("rocket"),
        "eyes": count("eyes"),
    })
}

/// Percent-encodes one path segment.
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
