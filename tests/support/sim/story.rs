//! Story verbs: arrange the world and read it back in the words of a test.

use serde_json::Value;

use super::GitHubSim;
use super::routes_misc::{self, SeedInstallation, SeedPermission, SeedRepo, SeedToken};
use super::world::{FieldKind, NewIssue, Permission, Project, ProjectField};

impl GitHubSim {
    /// Creates (or reuses) the repository `owner/name`.
    pub fn repo(&self, full_name: &str) -> RepoHandle<'_> {
        routes_misc::seed_repo(
            &mut self.world(),
            SeedRepo {
                full_name: full_name.to_string(),
                ..SeedRepo::default()
            },
        );
        RepoHandle {
            gh: self,
            repo: full_name.to_string(),
        }
    }

    /// Registers a GitHub App installation whose JWTs `public_key_pem` verifies.
    pub fn installation(&self, id: u64, app_id: u64, public_key_pem: &str, repos: &[&str]) {
        let account = repos
            .first()
            .and_then(|r| r.split('/').next())
            .unwrap_or("octo-org")
            .to_string();
        routes_misc::seed_installation(
            &mut self.world(),
            SeedInstallation {
                id,
                app_id,
                account,
                public_key_pem: public_key_pem.to_string(),
                repos: repos.iter().map(|r| r.to_string()).collect(),
            },
        );
    }

    /// Registers a token that acts as `vayu-bot` on every repository.
    pub fn token(&self, token: &str) {
        self.token_as(token, "vayu-bot");
    }

    /// Registers a token that acts as `login` on every repository.
    pub fn token_as(&self, token: &str, login: &str) {
        routes_misc::seed_token(
            &mut self.world(),
            SeedToken {
                token: token.to_string(),
                login: login.to_string(),
            },
        );
    }

    /// A snapshot of issue `number` of `repo`; panics if it does not exist.
    pub fn issue(&self, repo: &str, number: u64) -> IssueSnapshot {
        let w = self.world();
        let i = w
            .issue(repo, number)
            .unwrap_or_else(|| panic!("no issue {repo}#{number} in the sim"));
        let r = &w.repos[repo];
        let numbers = |ids: &[u64]| -> Vec<u64> {
            ids.iter()
                .filter_map(|id| w.issue_by_id(*id))
                .map(|i| i.number)
                .collect()
        };
        IssueSnapshot {
            number: i.number,
            id: i.id,
            node_id: i.node_id.clone(),
            title: i.title.clone(),
            body: i.body.clone(),
            state: i.state.clone(),
            state_reason: i.state_reason.clone(),
            labels: i
                .labels
                .iter()
                .filter_map(|id| w.label_by_id(repo, *id))
                .map(|l| l.name.clone())
                .collect(),
            assignees: i.assignees.clone(),
            comments: r
                .comments
                .values()
                .filter(|c| c.issue_number == number)
                .map(|c| c.body.clone())
                .collect(),
            reactions: i
                .reactions
                .iter()
                .map(|r| (r.user.clone(), r.content.clone()))
                .collect(),
            sub_issues: numbers(&i.sub_issues),
            parent: i.parent.and_then(|p| w.issue_by_id(p)).map(|p| p.number),
            blocked_by: numbers(&i.blocked_by),
        }
    }

    /// Creates a Projects v2 board owned by `owner` (an org or user login).
    pub fn project(&self, owner: &str, number: u64, title: &str) -> ProjectHandle<'_> {
        let mut w = self.world();
        let id = w.next_id();
        let node_id = format!("PVT_sim{id}");
        w.projects.push(Project {
            node_id: node_id.clone(),
            owner: owner.to_string(),
            number,
            title: title.to_string(),
            fields: Vec::new(),
            items: Vec::new(),
            forbidden: false,
        });
        ProjectHandle { gh: self, node_id }
    }

    /// The board a `project: {owner: octo-org, number: 7}` config names,
    /// with every field vayu keeps; `statuses` are Status's options.
    pub fn vayu_board(&self, statuses: &[&str]) -> ProjectHandle<'_> {
        let p = self.project("octo-org", 7, "Roadmap");
        p.single_select("Status", statuses);
        p.number_field("Stage");
        p.text_field("Owner");
        p.single_select("Priority", BOARD_PRIORITIES);
        p.number_field("Progress");
        p.number_field("Estimate");
        p
    }
}

/// Every status vayu shows on a board, as Status options.
pub const BOARD_STATUSES: &[&str] = &[
    "Created",
    "Queued",
    "Assigned",
    "Executing",
    "Reviewing",
    "Completed",
    "Failed",
    "Paused",
    "Rejected",
    "Blocked",
];

/// The Priority options of [`GitHubSim::vayu_board`].
pub const BOARD_PRIORITIES: &[&str] = &["Critical", "High", "Normal", "Low"];

/// Arranges one repository.
#[derive(Debug)]
pub struct RepoHandle<'a> {
    gh: &'a GitHubSim,
    repo: String,
}

impl<'a> RepoHandle<'a> {
    /// Starts an issue; finish it with [`IssueBuilder::open`].
    pub fn issue(&self) -> IssueBuilder<'a> {
        IssueBuilder {
            gh: self.gh,
            repo: self.repo.clone(),
            new: NewIssue {
                user: "octocat".into(),
                ..NewIssue::default()
            },
        }
    }

    /// Gives `user` a role on the repository.
    pub fn collaborator(&self, user: &str, permission: Permission) -> &Self {
        routes_misc::seed_permission(
            &mut self.gh.world(),
            SeedPermission {
                repo: self.repo.clone(),
                user: user.to_string(),
                permission,
            },
        );
        self
    }

    /// Puts a file on the default branch.
    pub fn file(&self, path: &str, text: &str) -> &Self {
        self.gh
            .world()
            .ensure_repo(&self.repo)
            .files
            .insert(path.to_string(), text.to_string());
        self
    }

    /// Creates a label with a color and description.
    pub fn label(&self, name: &str, color: &str, description: &str) -> &Self {
        let mut w = self.gh.world();
        let id = w.ensure_label(&self.repo, name);
        if let Some(l) = w
            .ensure_repo(&self.repo)
            .labels
            .values_mut()
            .find(|l| l.id == id)
        {
            l.color = color.to_string();
            l.description = Some(description.to_string());
        }
        self
    }

    /// The repository's GraphQL node id.
    pub fn node_id(&self) -> String {
        format!("R_sim{}", self.gh.world().ensure_repo(&self.repo).id)
    }
}

/// An issue about to be opened.
#[derive(Debug)]
pub struct IssueBuilder<'a> {
    gh: &'a GitHubSim,
    repo: String,
    new: NewIssue,
}

/// What [`IssueBuilder::open`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub number: u64,
    pub id: u64,
    pub node_id: String,
}

impl IssueBuilder<'_> {
    pub fn title(mut self, t: &str) -> Self {
        self.new.title = t.to_string();
        self
    }
    pub fn body(mut self, b: &str) -> Self {
        self.new.body = Some(b.to_string());
        self
    }
    pub fn label(mut self, l: &str) -> Self {
        self.new.labels.push(l.to_string());
        self
    }
    pub fn assignee(mut self, a: &str) -> Self {
        self.new.assignees.push(a.to_string());
        self
    }
    /// The author (default `octocat`).
    pub fn by(mut self, login: &str) -> Self {
        self.new.user = login.to_string();
        self
    }
    /// Creates the issue without going through HTTP (no request is logged).
    pub fn open(self) -> Opened {
        let (number, id) = self.gh.world().create_issue(&self.repo, self.new);
        Opened {
            number,
            id,
            node_id: format!("I_sim{id}"),
        }
    }
}

/// An issue as the sim holds it; related issues are given by number.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueSnapshot {
    pub number: u64,
    pub id: u64,
    pub node_id: String,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    pub state_reason: Option<String>,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    /// Comment bodies, oldest first.
    pub comments: Vec<String>,
    /// (user, content) pairs.
    pub reactions: Vec<(String, String)>,
    pub sub_issues: Vec<u64>,
    pub parent: Option<u64>,
    pub blocked_by: Vec<u64>,
}

/// Arranges and reads a Projects v2 board.
#[derive(Debug)]
pub struct ProjectHandle<'a> {
    gh: &'a GitHubSim,
    pub node_id: String,
}

impl ProjectHandle<'_> {
    fn add_field(&self, name: &str, kind: FieldKind, prefix: &str) -> String {
        let mut w = self.gh.world();
        let id = w.next_id();
        let node_id = format!("{prefix}_sim{id}");
        if let Some(p) = w.projects.iter_mut().find(|p| p.node_id == self.node_id) {
            p.fields.push(ProjectField {
                node_id: node_id.clone(),
                name: name.to_string(),
                kind,
            });
        }
        node_id
    }

    /// Adds a single-select field; option ids are `opt_<field>_<index>`. Returns the field id.
    pub fn single_select(&self, name: &str, options: &[&str]) -> String {
        let slug: String = name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let opts = options
            .iter()
            .enumerate()
            .map(|(i, o)| (format!("opt_{slug}_{i}"), o.to_string()))
            .collect();
        self.add_field(name, FieldKind::SingleSelect(opts), "PVTSSF")
    }

    pub fn number_field(&self, name: &str) -> String {
        self.add_field(name, FieldKind::Number, "PVTF")
    }

    pub fn text_field(&self, name: &str) -> String {
        self.add_field(name, FieldKind::Text, "PVTF")
    }

    /// The field values of the item whose content is `issue_node_id`, by field name.
    pub fn values_of(
        &self,
        issue_node_id: &str,
    ) -> Option<std::collections::BTreeMap<String, Value>> {
        let w = self.gh.world();
        let p = w.projects.iter().find(|p| p.node_id == self.node_id)?;
        let item = p.items.iter().find(|i| i.content_id == issue_node_id)?;
        Some(
            item.values
                .iter()
                .filter_map(|(fid, v)| {
                    p.fields
                        .iter()
                        .find(|f| f.node_id == *fid)
                        .map(|f| (f.name.clone(), v.clone()))
                })
                .collect(),
        )
    }

    /// Makes the board unreachable for vayu's token (no Projects permission).
    pub fn forbid(&self) {
        let mut w = self.gh.world();
        if let Some(p) = w.projects.iter_mut().find(|p| p.node_id == self.node_id) {
            p.forbidden = true;
        }
    }

    /// How many items the board holds.
    pub fn item_count(&self) -> usize {
        let w = self.gh.world();
        w.projects
            .iter()
            .find(|p| p.node_id == self.node_id)
            .map_or(0, |p| p.items.len())
    }
}
