//! What the orchestrator does to GitHub, as data: each [`Effect`] has an
//! idempotency key derived from (repo, parent issue, subtask key, effect
//! kind), and the [`Executor`] carries effects out against the GitHub port,
//! skipping any whose result GitHub already shows and recording each key in
//! the ledger once done.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::ctx::Ctx;
use super::error::AppError;
use super::ports::{
    GitHub, GitHubError, Issue, IssuePatch, LabelSpec, Ledger, LedgerEvent, NewIssue, Reaction,
    ReactionTarget,
};
use crate::core::ids::{IssueId, IssueNumber, RepoName, TaskKey};
use crate::core::marker::{find_task, replace_block};
use crate::core::plan::Plan;
use crate::core::task::Status;
use crate::render::{ChecklistEntry, checklist_block};

/// Which issue a comment goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The parent (or the task issue itself).
    Parent,
    /// The sub-issue of a subtask.
    Sub(TaskKey),
}

/// One change to make on GitHub.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Create a subtask's sub-issue, already linked and labelled; `labels`
    /// are made to exist first if GitHub does not know them.
    CreateSubIssue {
        /// The subtask.
        key: TaskKey,
        /// Title, body with the task marker, labels.
        new: NewIssue,
        /// The labels' colours and descriptions.
        labels: Vec<LabelSpec>,
    },
    /// Change a sub-issue (status label, body, close).
    PatchSub {
        /// The subtask.
        key: TaskKey,
        /// The change; fields equal to GitHub's are dropped.
        patch: IssuePatch,
        /// What the change is for (`status:queued`, `close`, `body`).
        why: String,
    },
    /// Mark `key` as blocked by `blocker`.
    Link {
        /// The waiting subtask.
        key: TaskKey,
        /// The subtask it waits for.
        blocker: TaskKey,
    },
    /// Remove a blocked-by link the plan no longer has.
    Unlink {
        /// The subtask that waited.
        key: TaskKey,
        /// The blocking issue.
        blocker: IssueId,
    },
    /// Post the comment in `slot`, or (when `replace`) update it if it differs.
    Comment {
        /// Where.
        on: Target,
        /// Which comment: `plan`, `problems`, `completion`, `removed`, …
        slot: String,
        /// The body, starting with [`note_marker`] of the slot.
        body: String,
        /// Whether an existing comment in the slot is brought up to date.
        replace: bool,
    },
    /// Edit the parent: labels, state, assignees, and (for a plan) the
    /// checklist block rendered with the sub-issue numbers known by then.
    PatchParent {
        /// Labels, state, assignees; fields equal to GitHub's are dropped.
        patch: IssuePatch,
        /// The status of each subtask for the checklist, when there is a plan.
        checklist: Option<Vec<(TaskKey, Option<Status>)>>,
    },
    /// React to an issue or comment.
    React {
        /// What to react to.
        target: ReactionTarget,
        /// The emoji.
        reaction: Reaction,
    },
}

/// The hidden marker that identifies vayu's comment in `slot`.
pub fn note_marker(slot: &str) -> String {
    format!("<!-- vayu:note v=1 slot={slot} -->")
}

impl Effect {
    /// The idempotency key: `owner/repo#parent/subtask/kind[/detail]`.
    pub fn key(&self, repo: &RepoName, parent: IssueNumber) -> String {
        let scope = format!("{repo}#{parent}");
        match self {
            Effect::CreateSubIssue { key, .. } => format!("{scope}/{key}/create"),
            Effect::PatchSub { key, why, .. } => format!("{scope}/{key}/{why}"),
            Effect::Link { key, blocker } => format!("{scope}/{key}/blocked-by/{blocker}"),
            Effect::Unlink { key, blocker } => format!("{scope}/{key}/unblock/{blocker}"),
            Effect::Comment { on, slot, .. } => match on {
                Target::Parent => format!("{scope}/-/comment/{slot}"),
                Target::Sub(key) => format!("{scope}/{key}/comment/{slot}"),
            },
            Effect::PatchParent { .. } => format!("{scope}/-/parent"),
            Effect::React { target, reaction } => {
                let t = match target {
                    ReactionTarget::Issue(n) => format!("issue-{n}"),
                    ReactionTarget::Comment(c) => format!("comment-{c}"),
                };
                format!("{scope}/-/react/{t}/{}", reaction.as_str())
            }
        }
    }
}

/// Carries out effects for one parent, tracking what GitHub holds as it goes.
pub struct Executor<'c, G, S> {
    ctx: &'c Ctx<G, S>,
    repo: RepoName,
    /// The parent as GitHub last returned it.
    pub parent: Issue,
    /// Sub-issues by subtask key, including those created by this executor.
    pub subs: BTreeMap<TaskKey, Issue>,
    plan: Option<&'c Plan>,
    /// GitHub writes made so far.
    pub writes: usize,
    /// Labels this executor created (or found existing) on GitHub: a later
    /// sub-issue's missing label must not re-post them.
    ensured: BTreeSet<String>,
}

impl<G, S> std::fmt::Debug for Executor<'_, G, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("repo", &self.repo)
            .field("parent", &self.parent.number)
            .field("writes", &self.writes)
            .finish()
    }
}

impl<'c, G: GitHub, S: Ledger> Executor<'c, G, S> {
    /// An executor for `parent` whose sub-issues are `subs`.
    pub fn new(
        ctx: &'c Ctx<G, S>,
        repo: RepoName,
        parent: Issue,
        subs: BTreeMap<TaskKey, Issue>,
        plan: Option<&'c Plan>,
    ) -> Self {
        Self {
            ctx,
            repo,
            parent,
            subs,
            plan,
            writes: 0,
            ensured: BTreeSet::new(),
        }
    }

    /// Runs `effects` in order; stops at the first error (the job retries
    /// and the next run skips what GitHub already shows).
    pub async fn run_all(&mut self, effects: &[Effect]) -> Result<(), AppError> {
        for e in effects {
            self.run(e).await?;
        }
        Ok(())
    }

    /// Runs one effect unless GitHub already shows its result.
    pub async fn run(&mut self, effect: &Effect) -> Result<(), AppError> {
        let key = effect.key(&self.repo, self.parent.number);
        let result = match effect {
            Effect::CreateSubIssue {
                key: k,
                new,
                labels,
            } => self.create(&key, k, new, labels).await?,
            Effect::PatchSub { key: k, patch, .. } => self.patch_sub(k, patch).await?,
            Effect::Link { key: k, blocker } => {
                let (n, id) = (self.sub(k)?.number, self.sub(blocker)?.id);
                self.ctx.gh.add_blocked_by(&self.repo, n, id).await?;
                Some(json!({ "issue": n.0, "blocked_by": id.0 }))
            }
            Effect::Unlink { key: k, blocker } => {
                let n = self.sub(k)?.number;
                self.ctx
                    .gh
                    .remove_blocked_by(&self.repo, n, *blocker)
                    .await?;
                Some(json!({ "issue": n.0, "unblocked_from": blocker.0 }))
            }
            Effect::Comment {
                on,
                slot,
                body,
                replace,
            } => self.comment(on, slot, body, *replace).await?,
            Effect::PatchParent { patch, checklist } => {
                self.patch_parent(patch, checklist.as_deref()).await?
            }
            Effect::React { target, reaction } => {
                self.ctx.gh.react(&self.repo, *target, *reaction).await?;
                Some(json!({}))
            }
        };
        if let Some(result) = result {
            self.wrote(&key, &result).await?;
        }
        Ok(())
    }

    fn sub(&self, key: &TaskKey) -> Result<&Issue, AppError> {
        self.subs.get(key).ok_or_else(|| {
            AppError::Internal(format!("subtask `{key}` has no sub-issue to act on"))
        })
    }

    /// Counts a write, "crashes" if the test hook says so (after GitHub saw
    /// the write, before the ledger did), then records the key.
    async fn wrote(&mut self, key: &str, result: &Value) -> Result<(), AppError> {
        self.writes += 1;
        if self.ctx.crash.tick() {
            return Err(AppError::Transient(format!(
                "worker stopped after the write for `{key}` (crash test)"
            )));
        }
        self.ctx
            .store
            .record_effect(key, result, self.ctx.now())
            .await?;
        Ok(())
    }

    async fn create(
        &mut self,
        effect_key: &str,
        key: &TaskKey,
        new: &NewIssue,
        labels: &[LabelSpec],
    ) -> Result<Option<Value>, AppError> {
        if let Some(issue) = self.recorded_but_unlinked(effect_key, key).await? {
            self.ctx
                .gh
                .add_sub_issue(&self.repo, self.parent.number, issue.id)
                .await?;
            self.subs.insert(key.clone(), issue);
            return Ok(None);
        }
        let created = match self
            .ctx
            .gh
            .create_sub_issue(&self.repo, &self.parent, new)
            .await
        {
            Err(GitHubError::NotFound { .. }) if !labels.is_empty() => {
                // A label GitHub does not know yet: create the missing ones once.
                for spec in labels {
                    if self.ensured.contains(&spec.name) {
                        continue;
                    }
                    self.ctx.gh.ensure_label(&self.repo, spec).await?;
                    self.ensured.insert(spec.name.clone());
                    self.wrote(&format!("{}/label/{}", self.repo, spec.name), &json!({}))
                        .await?;
                }
                self.ctx
                    .gh
                    .create_sub_issue(&self.repo, &self.parent, new)
                    .await?
            }
            other => other?,
        };
        let mut created = created;
        // GraphQL's createIssue answers without labels; GitHub applied ours,
        // and later steps (assignment) read the status from this copy.
        if created.labels.is_empty() {
            created.labels.clone_from(&new.labels);
        }
        let number = created.number;
        self.subs.insert(key.clone(), created);
        self.event(
            "subtask_created",
            json!({ "key": key, "issue": number.0, "labels": new.labels }),
        )
        .await?;
        Ok(Some(json!({ "number": number.0 })))
    }

    /// An issue the ledger says we created for `key` that is not (or no
    /// longer) linked under the parent: link it instead of creating another.
    async fn recorded_but_unlinked(
        &self,
        effect_key: &str,
        key: &TaskKey,
    ) -> Result<Option<Issue>, AppError> {
        let Some(done) = self.ctx.store.effect_done(effect_key).await? else {
            return Ok(None);
        };
        let Some(n) = done.result.get("number").and_then(Value::as_u64) else {
            return Ok(None);
        };
        match self.ctx.gh.get_issue(&self.repo, IssueNumber(n)).await {
            Ok(issue)
                if find_task(&issue.body).is_some_and(|m| &m.key == key)
                    && issue.state == super::ports::IssueState::Open =>
            {
                Ok(Some(issue))
            }
            Ok(_) | Err(GitHubError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn patch_sub(
        &mut self,
        key: &TaskKey,
        patch: &IssuePatch,
    ) -> Result<Option<Value>, AppError> {
        let current = self.sub(key)?;
        let patch = minimal(current, patch);
        if patch == IssuePatch::default() {
            return Ok(None);
        }
        let n = current.number;
        let updated = self.ctx.gh.update_issue(&self.repo, n, &patch).await?;
        self.subs.insert(key.clone(), updated);
        Ok(Some(json!({ "issue": n.0 })))
    }

    async fn patch_parent(
        &mut self,
        patch: &IssuePatch,
        checklist: Option<&[(TaskKey, Option<Status>)]>,
    ) -> Result<Option<Value>, AppError> {
        let mut patch = patch.clone();
        if let (Some(plan), Some(statuses)) = (self.plan, checklist) {
            let entries: Vec<ChecklistEntry> = statuses
                .iter()
                .map(|(key, status)| ChecklistEntry {
                    key: key.clone(),
                    issue: self.subs.get(key).map(|i| i.number),
                    status: *status,
                })
                .collect();
            let block = checklist_block(plan, &entries)?;
            patch.body = Some(replace_block(&self.parent.body, &block).body);
        }
        let patch = minimal(&self.parent, &patch);
        if patch == IssuePatch::default() {
            return Ok(None);
        }
        let n = self.parent.number;
        self.parent = self.ctx.gh.update_issue(&self.repo, n, &patch).await?;
        Ok(Some(json!({ "issue": n.0 })))
    }

    async fn comment(
        &mut self,
        on: &Target,
        slot: &str,
        body: &str,
        replace: bool,
    ) -> Result<Option<Value>, AppError> {
        let n = match on {
            Target::Parent => self.parent.number,
            Target::Sub(key) => self.sub(key)?.number,
        };
        let marker = note_marker(slot);
        match self.ctx.gh.find_comment(&self.repo, n, &marker).await? {
            Some(c) if c.body == body || !replace => Ok(None),
            Some(c) => {
                self.ctx.gh.update_comment(&self.repo, c.id, body).await?;
                Ok(Some(json!({ "comment": c.id.0 })))
            }
            None => {
                let c = self.ctx.gh.create_comment(&self.repo, n, body).await?;
                Ok(Some(json!({ "comment": c.id.0 })))
            }
        }
    }

    /// Rewrites the parent's "problems" note, if there is one, to say the
    /// problems are fixed, so a stale "the plan is invalid" does not outlive
    /// the fix. Never creates the note.
    pub async fn resolve_problems(&mut self) -> Result<(), AppError> {
        let marker = note_marker(PROBLEMS_SLOT);
        let n = self.parent.number;
        let Some(c) = self.ctx.gh.find_comment(&self.repo, n, &marker).await? else {
            return Ok(());
        };
        let body = crate::render::notice(
            &marker,
            "### Fixed\n\nThe problems vayu reported here are resolved: it re-read the issue and went ahead.",
        )?;
        if c.body != body {
            self.ctx.gh.update_comment(&self.repo, c.id, &body).await?;
            let key = format!("{}#{}/-/resolved/{}", self.repo, n, c.id);
            self.wrote(&key, &json!({ "comment": c.id.0 })).await?;
        }
        Ok(())
    }

    /// Appends a dashboard event about the parent.
    pub async fn event(&self, kind: &'static str, data: Value) -> Result<(), AppError> {
        self.ctx
            .store
            .append_event(&LedgerEvent {
                ts: self.ctx.now(),
                kind,
                repo: self.repo.clone(),
                issue: self.parent.number,
                data,
            })
            .await?;
        Ok(())
    }
}

/// The slot of the comment that lists what is wrong with a task's plan or config.
pub const PROBLEMS_SLOT: &str = "problems";

/// `patch` without the fields that would not change `issue`.
fn minimal(issue: &Issue, patch: &IssuePatch) -> IssuePatch {
    let same_set = |a: &[String], b: &[String]| {
        let mut a: Vec<String> = a.iter().map(|s| s.to_lowercase()).collect();
        let mut b: Vec<String> = b.iter().map(|s| s.to_lowercase()).collect();
        a.sort();
        b.sort();
        a == b
    };
    let state_changes = patch.state.is_some_and(|s| s != issue.state);
    IssuePatch {
        title: patch.title.clone().filter(|t| *t != issue.title),
        body: patch.body.clone().filter(|b| *b != issue.body),
        state: patch.state.filter(|_| state_changes),
        state_reason: patch.state_reason.filter(|_| state_changes),
        labels: patch.labels.clone().filter(|l| !same_set(l, &issue.labels)),
        assignees: patch.assignees.clone().filter(|a| {
            let mut want: Vec<&str> = a.iter().map(|l| l.as_str()).collect();
            let mut have: Vec<&str> = issue.assignees.iter().map(|l| l.as_str()).collect();
            want.sort_unstable();
            have.sort_unstable();
            want != have
        }),
    }
}
