//! Shared arrangement for the orchestrator tests: the simulated GitHub behind
//! the real octocrab adapter, the real SQLite store in a temp file, a clock
//! the test moves, and builders for the events a webhook would carry.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use vayu::app::event::{Actor, CloseReason, Comment, Event, Issue, IssueState, Origin};
use vayu::app::{CrashHook, Ctx, Outcome, handle};
use vayu::core::ids::{CommentId, IssueId, IssueNumber, Login, RepoName};
use vayu::core::plan::TemplateSet;
use vayu::github::{ClientConfig, GitHubClient};
use vayu::store::SqliteStore;

use crate::support::GitHubSim;

pub const REPO: &str = "octo-org/hello";
pub const AUTH: &str = include_str!("../../examples/auth-system.md");

pub type TestCtx = Ctx<GitHubClient, SqliteStore>;

/// A sim, a store file, a clock, and a context over them.
pub struct H {
    pub sim: GitHubSim,
    pub ctx: TestCtx,
    pub clock: Arc<AtomicI64>,
    pub dir: tempfile::TempDir,
}

pub fn repo() -> RepoName {
    REPO.parse().expect("repo")
}

pub async fn store_in(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    let path = dir.path().join(name);
    SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("store")
}

pub fn client(sim: &GitHubSim) -> GitHubClient {
    let cfg = ClientConfig {
        base_url: sim.url(),
        mutation_gap: Duration::ZERO,
        timeout: None,
        ..ClientConfig::default()
    };
    GitHubClient::with_token(cfg, "tok").expect("client")
}

pub fn context(sim: &GitHubSim, store: SqliteStore, clock: &Arc<AtomicI64>) -> TestCtx {
    let c = clock.clone();
    Ctx {
        gh: client(sim),
        store,
        bot: Login("vayu-bot".into()),
        clock: Arc::new(move || {
            DateTime::<Utc>::from_timestamp(c.load(Ordering::SeqCst), 0).unwrap_or_default()
        }),
        templates: TemplateSet::builtin(),
        crash: CrashHook::default(),
        scratch_ledger: false,
    }
}

pub async fn setup() -> H {
    let sim = GitHubSim::start().await;
    sim.token("tok");
    sim.repo(REPO)
        .collaborator("maintainer", crate::support::Permission::Write)
        .collaborator("reader", crate::support::Permission::Read);
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(AtomicI64::new(1_767_225_600)); // 2026-01-01T00:00:00Z
    let store = store_in(&dir, "vayu.db").await;
    let ctx = context(&sim, store, &clock);
    H {
        sim,
        ctx,
        clock,
        dir,
    }
}

impl H {
    /// Moves the clock forward.
    pub fn advance_minutes(&self, m: i64) {
        self.clock.fetch_add(m * 60, Ordering::SeqCst);
    }

    /// Opens an issue with `body` and the trigger label.
    pub fn task(&self, title: &str, body: &str) -> u64 {
        self.sim
            .repo(REPO)
            .issue()
            .title(title)
            .body(body)
            .label("vayu")
            .open()
            .number
    }

    /// The event's view of issue `n` as the sim holds it now.
    pub fn issue(&self, n: u64) -> Issue {
        let s = self.sim.issue(REPO, n);
        Issue {
            number: IssueNumber(s.number),
            id: IssueId(s.id),
            node_id: s.node_id,
            title: s.title,
            body: s.body.unwrap_or_default(),
            state: if s.state == "closed" {
                IssueState::Closed
            } else {
                IssueState::Open
            },
            labels: s.labels,
            assignees: s.assignees.into_iter().map(Login).collect(),
            author: user("octocat"),
            author_association: "OWNER".into(),
            issue_type: None,
            parent: None,
        }
    }

    pub fn labeled(&self, n: u64) -> Event {
        Event::IssueLabeled {
            origin: origin("octocat"),
            issue: self.issue(n),
            label: "vayu".into(),
        }
    }

    /// Closes issue `n` on the sim (as a person would) and returns the event.
    pub fn close(&self, n: u64, completed: bool) -> Event {
        {
            let mut w = self.sim.world();
            let i = w.issue_mut(REPO, n).expect("issue");
            i.state = "closed".into();
            i.state_reason = Some(
                if completed {
                    "completed"
                } else {
                    "not_planned"
                }
                .into(),
            );
        }
        Event::IssueClosed {
            origin: origin("octocat"),
            issue: self.issue(n),
            reason: if completed {
                CloseReason::Completed
            } else {
                CloseReason::NotPlanned
            },
        }
    }

    /// Replaces issue `n`'s body on the sim (as a person would) and returns the event.
    pub fn edit_body(&self, n: u64, body: &str) -> Event {
        let old = {
            let mut w = self.sim.world();
            let i = w.issue_mut(REPO, n).expect("issue");
            i.body.replace(body.to_owned())
        };
        Event::IssueEdited {
            origin: origin("octocat"),
            issue: self.issue(n),
            old_title: None,
            old_body: old,
        }
    }

    /// Posts a comment by `login` on the sim and returns the event.
    pub fn comment(&self, n: u64, login: &str, body: &str) -> Event {
        let id = {
            let mut w = self.sim.world();
            let id = w.next_id();
            let now = w.tick();
            let repo = w.ensure_repo(REPO);
            repo.comments.insert(
                id,
                crate::support::sim::SimComment {
                    id,
                    node_id: format!("IC_sim{id}"),
                    issue_number: n,
                    body: body.to_owned(),
                    user: login.to_owned(),
                    created_at: now.clone(),
                    updated_at: now,
                    reactions: Vec::new(),
                },
            );
            id
        };
        Event::CommentCreated {
            origin: origin(login),
            issue: self.issue(n),
            comment: Comment {
                id: CommentId(id),
                body: body.to_owned(),
                author: user(login),
                author_association: "NONE".into(),
            },
        }
    }

    pub async fn handle(&self, e: &Event) -> Outcome {
        handle(e, &self.ctx).await.expect("handled")
    }

    /// Runs the periodic reconcile over the test repository.
    pub async fn reconcile(&self) -> Outcome {
        vayu::app::reconcile(&self.ctx, &repo())
            .await
            .expect("reconciled")
    }

    /// Runs `e` and returns the GitHub writes it made.
    pub async fn writes_of(&self, e: &Event) -> usize {
        let before = self.sim.write_count();
        self.handle(e).await;
        self.sim.write_count() - before
    }

    /// Sub-issue numbers of `parent` by subtask key, from the task markers.
    pub fn subs(&self, parent: u64) -> std::collections::BTreeMap<String, u64> {
        self.sim
            .issue(REPO, parent)
            .sub_issues
            .into_iter()
            .filter_map(|n| {
                let body = self.sim.issue(REPO, n).body.unwrap_or_default();
                let m = vayu::core::marker::find_task(&body)?;
                Some((m.key.to_string(), n))
            })
            .collect()
    }

    /// The kinds of the dashboard events recorded so far, oldest first.
    pub async fn event_kinds(&self) -> Vec<String> {
        use vayu::store::Store;
        self.ctx
            .store
            .events_since(0, 10_000)
            .await
            .expect("events")
            .into_iter()
            .map(|e| e.event.kind)
            .collect()
    }

    /// The status labels of an issue.
    pub fn status(&self, n: u64) -> Vec<String> {
        self.sim
            .issue(REPO, n)
            .labels
            .into_iter()
            .filter(|l| l.starts_with("status:"))
            .collect()
    }
}

pub fn user(login: &str) -> Actor {
    Actor {
        login: Login(login.into()),
        id: 1,
        is_bot: login.ends_with("[bot]"),
    }
}

pub fn origin(login: &str) -> Origin {
    Origin {
        repo: repo(),
        installation: None,
        sender: user(login),
    }
}

/// The sim's state with ids, node ids and timestamps replaced by their order
/// of appearance, so two runs that did the same things compare equal.
pub fn normalized(sim: &GitHubSim) -> Value {
    let mut v = sim.dump();
    let mut ids = std::collections::BTreeMap::new();
    scrub(&mut v, &mut ids);
    v
}

fn scrub(v: &mut Value, ids: &mut std::collections::BTreeMap<String, usize>) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let volatile = k == "id"
                    || k.ends_with("_id")
                    || k.ends_with("_ids")
                    || k == "node_id"
                    || k.ends_with("url");
                if k.ends_with("_at") {
                    *val = Value::Null;
                } else if volatile {
                    renumber(val, ids);
                } else {
                    scrub(val, ids);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| scrub(i, ids)),
        _ => {}
    }
}

fn renumber(v: &mut Value, ids: &mut std::collections::BTreeMap<String, usize>) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| renumber(i, ids)),
        Value::Null => {}
        other => {
            let next = ids.len();
            let n = *ids.entry(other.to_string()).or_insert(next);
            *other = Value::from(n);
        }
    }
}
