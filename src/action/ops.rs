//! The GitHub writes the Action's modes share: config, status labels, the
//! progress comment, dispatches, and settling a failure.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::progress::ProgressDoc;
use super::steps::{Applied, fail_then_retry};
use super::workflow_commands::Level;
use super::{ActionEnv, ActionError, Cx};
use crate::app::converge::converge;
use crate::app::labels::with_status;
use crate::app::ports::{GitHub, Issue, IssuePatch};
use crate::core::config::{Config, Dispatch};
use crate::core::ids::IssueNumber;
use crate::core::lifecycle::{Effect, LifecycleEvent};
use crate::core::marker::find_task;
use crate::core::task::{Status, Task};

/// The repository's config from its default branch (defaults when absent).
pub(crate) async fn load_config<G: GitHub>(gh: &G, env: &ActionEnv) -> Result<Config, ActionError> {
    match gh.read_file(&env.repo, &env.config_path).await? {
        None => Ok(Config::default()),
        Some(file) => Config::from_yaml_named(&env.config_path, &file.text)
            .map_err(|e| ActionError::Config(e.to_string())),
    }
}

impl<G: GitHub> Cx<'_, G> {
    /// Gives the issue `status`'s label (one edit; none when it has it already).
    pub(crate) async fn set_status(
        &self,
        issue: &Issue,
        status: Status,
    ) -> Result<(), ActionError> {
        self.relabel(issue, status, false).await
    }

    /// Sets the status label; `escalated` adds the label that keeps reconcile
    /// from re-queueing a blocked task whose retries are spent.
    pub(crate) async fn relabel(
        &self,
        issue: &Issue,
        status: Status,
        escalated: bool,
    ) -> Result<(), ActionError> {
        let extra = if escalated {
            vec![self.config.labels.escalated.clone()]
        } else {
            Vec::new()
        };
        let labels = with_status(&issue.labels, status, &extra, &self.config);
        if labels == issue.labels {
            return Ok(());
        }
        self.gh
            .update_issue(
                &self.env.repo,
                issue.number,
                &IssuePatch {
                    labels: Some(labels),
                    ..IssuePatch::default()
                },
            )
            .await?;
        self.show_on_board(issue).await;
        Ok(())
    }

    /// After a status change the Action made itself: the plan's converge
    /// brings the project board (and the parent's checklist) in step, as it
    /// does for the server's own transitions. Best effort: the step's
    /// outcome stands, and the next sweep repairs what this missed.
    async fn show_on_board(&self, issue: &Issue) {
        if self.config.project.is_none() {
            return;
        }
        let parent = find_task(&issue.body).map_or(issue.number, |m| m.parent);
        if let Err(e) = converge(self.app, &self.env.repo, parent, false).await {
            self.console.annotate(
                Level::Warning,
                &format!("#{}: the project board was not updated: {e}", issue.number),
            );
        }
    }

    /// Creates or edits the progress comment, recording a heartbeat at `now`.
    pub(crate) async fn publish(
        &self,
        n: IssueNumber,
        doc: &mut ProgressDoc,
        now: DateTime<Utc>,
    ) -> Result<(), ActionError> {
        let run_url = self.env.run_url();
        let body = doc.render(now, run_url.as_deref(), self.config.retries.max_retries)?;
        match doc.comment {
            Some(id) => {
                self.gh.update_comment(&self.env.repo, id, &body).await?;
            }
            None => {
                let c = self.gh.create_comment(&self.env.repo, n, &body).await?;
                doc.comment = Some(c.id);
            }
        }
        doc.heartbeat = Some(now);
        Ok(())
    }

    /// Starts a run of the execute workflow for `n` (events made with
    /// `GITHUB_TOKEN` start no workflow, dispatches do).
    pub(crate) async fn dispatch(&self, n: IssueNumber) -> Result<(), ActionError> {
        let exec = &self.config.execution;
        match exec.dispatch {
            Dispatch::Workflow => {
                let git_ref = exec
                    .git_ref
                    .clone()
                    .or_else(|| self.env.ref_name.clone())
                    .unwrap_or_else(|| "main".into());
                self.gh
                    .dispatch_workflow(
                        &self.env.repo,
                        &exec.workflow,
                        &git_ref,
                        &json!({ "task": n.to_string() }),
                    )
                    .await?;
            }
            Dispatch::Repository => {
                self.gh
                    .dispatch_repository(&self.env.repo, "vayu-execute", &json!({ "task": n.0 }))
                    .await?;
            }
        }
        self.console.info(&format!("dispatched #{n}"));
        Ok(())
    }

    /// Tells the requester that `issue` needs a human. The mention is the
    /// login GitHub reports as the parent's (else the issue's) author, never
    /// text from an issue body.
    pub(crate) async fn escalate(&self, issue: &Issue, reason: &str) -> Result<(), ActionError> {
        let requester = match find_task(&issue.body) {
            Some(m) => self
                .gh
                .get_issue(&self.env.repo, m.parent)
                .await
                .map(|p| p.user)
                .unwrap_or_else(|_| issue.user.clone()),
            None => issue.user.clone(),
        };
        let login = requester.as_str();
        let valid = !login.is_empty()
            && login
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let who = if valid {
            format!("@{login}")
        } else {
            "A maintainer".to_owned()
        };
        let body = format!(
            "{who}: #{} needs a human. It is now `{}`: {reason}.\n\nFix the cause, then comment `/vayu retry`.",
            issue.number,
            self.config.labels.status_label(Status::Blocked)
        );
        self.gh
            .create_comment(&self.env.repo, issue.number, &body)
            .await?;
        Ok(())
    }

    /// After a failure: `failed`, then at once a retry (`queued` and
    /// dispatched again) or, with the retries spent, `blocked` and escalated.
    /// The progress comment and the label show the result.
    pub(crate) async fn settle_failure(
        &self,
        issue: &Issue,
        task: &Task,
        doc: &mut ProgressDoc,
        failure: LifecycleEvent,
        now: DateTime<Utc>,
    ) -> Result<Applied, ActionError> {
        let applied =
            fail_then_retry(task, failure, now).map_err(|e| ActionError::Refused(e.to_string()))?;
        let t = &applied.task;
        let reason = t.status_reason.clone().unwrap_or_default();
        doc.status = t.status;
        doc.retries = t.metadata.retry_count;
        let failed_because = applied
            .effects
            .iter()
            .find_map(|e| match e {
                Effect::Comment(crate::core::lifecycle::CommentKind::Failed { reason, .. }) => {
                    Some(reason.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| "the worker stopped reporting".into());
        doc.note = Some(if t.status == Status::Blocked {
            format!(
                "**Failed** ({failed_because}); retries are spent, so it is blocked until a maintainer comments `/vayu retry`."
            )
        } else {
            format!(
                "**Failed** ({failed_because}); retry {} of {} dispatched.",
                t.metadata.retry_count, t.metadata.max_retries
            )
        });
        self.publish(issue.number, doc, now).await?;
        let escalated = applied.has(|e| matches!(e, Effect::Escalate { .. }));
        self.relabel(issue, t.status, escalated).await?;
        if applied.has(|e| matches!(e, Effect::Dispatch)) {
            self.dispatch(issue.number).await?;
        }
        if escalated {
            self.escalate(issue, &reason).await?;
        }
        Ok(applied)
    }
}
