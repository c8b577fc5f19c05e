//! GitHub Actions events: finished runs and jobs, and the two dispatches
//! vayu's companion Action is started by.

use serde_json::Value;

use crate::app::event::{Event, WorkflowJob, WorkflowRun};
use crate::github::webhook::WebhookError;
use crate::github::webhook::payload::{
    RepositoryDispatchEvent, WorkflowDispatchEvent, WorkflowJobEvent, WorkflowRunEvent,
};

use super::{Normalized, not_handled, origin};

pub(super) fn workflow_run(p: WorkflowRunEvent) -> Result<Normalized, WebhookError> {
    if p.action != "completed" {
        return Ok(not_handled("workflow_run", &p.action));
    }
    let origin = origin(
        "workflow_run.completed",
        &p.repository,
        &p.installation,
        &p.sender,
    )?;
    let r = p.workflow_run;
    // The run's own name is empty for some triggers; the workflow's is not.
    let name = r.name.filter(|n| !n.is_empty());
    let name = name.or_else(|| p.workflow.as_ref().map(|w| w.name.clone()));
    let run = WorkflowRun {
        id: r.id,
        name: name.unwrap_or_default(),
        path: r.path.or_else(|| p.workflow.and_then(|w| w.path)),
        trigger: r.event,
        conclusion: r.conclusion,
        head_sha: r.head_sha,
        head_branch: r.head_branch,
        attempt: r.run_attempt.unwrap_or(1),
    };
    let event = Event::WorkflowRunCompleted { origin, run };
    Ok(Normalized::Event(event))
}

pub(super) fn workflow_job(p: WorkflowJobEvent) -> Result<Normalized, WebhookError> {
    if p.action != "completed" {
        return Ok(not_handled("workflow_job", &p.action));
    }
    let origin = origin(
        "workflow_job.completed",
        &p.repository,
        &p.installation,
        &p.sender,
    )?;
    let j = p.workflow_job;
    let job = WorkflowJob {
        id: j.id,
        run_id: j.run_id,
        name: j.name,
        workflow_name: j.workflow_name,
        conclusion: j.conclusion,
    };
    let event = Event::WorkflowJobCompleted { origin, job };
    Ok(Normalized::Event(event))
}

pub(super) fn repository_dispatch(p: RepositoryDispatchEvent) -> Result<Normalized, WebhookError> {
    Ok(Normalized::Event(Event::RepositoryDispatch {
        origin: origin(
            "repository_dispatch",
            &p.repository,
            &p.installation,
            &p.sender,
        )?,
        action: p.action,
        branch: p.branch,
        client_payload: Value::Object(p.client_payload.unwrap_or_default()),
    }))
}

pub(super) fn workflow_dispatch(p: WorkflowDispatchEvent) -> Result<Normalized, WebhookError> {
    Ok(Normalized::Event(Event::WorkflowDispatch {
        origin: origin(
            "workflow_dispatch",
            &p.repository,
            &p.installation,
            &p.sender,
        )?,
        workflow: p.workflow,
        git_ref: p.git_ref,
        inputs: Value::Object(p.inputs.unwrap_or_default()),
    }))
}
