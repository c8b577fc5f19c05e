//! The effects that bring GitHub in line with a validated plan, given what
//! GitHub shows now: missing sub-issues, links, status labels, skipped and
//! removed subtasks, the parent's checklist and labels, the plan comment
//! and, once every subtask is closed, the completion report. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::assess::{Verdict, assess};
use super::effects::{Effect, Target};
use super::labels::{priority_of, status_of, type_of, with_status};
use super::observe::Observed;
use super::ports::{IssuePatch, IssueState, NewIssue, StateReason};
use crate::core::config::{Config, LabelMeaning};
use crate::core::ids::{IssueId, TaskKey};
use crate::core::marker::{Marker, TaskMarker};
use crate::core::plan::{Outcome, Plan, Subtask};
use crate::core::task::Status;
use crate::render::{RenderError, notice, subtask_body};

/// What the effects are computed from.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The validated plan.
    pub plan: &'a Plan,
    /// The repository's configuration.
    pub cfg: &'a Config,
    /// GitHub's state of the parent.
    pub obs: &'a Observed,
    /// The plan comment (with its marker).
    pub plan_comment: &'a str,
    /// The completion report, when every subtask is closed.
    pub completion: Option<&'a str>,
}

/// Every subtask's verdict, from the observed closes.
pub fn verdicts(plan: &Plan, obs: &Observed) -> BTreeMap<TaskKey, Verdict> {
    assess(plan, &obs.ended())
}

/// Whether every subtask of the plan is closed or will be skipped.
pub fn all_final(v: &BTreeMap<TaskKey, Verdict>) -> bool {
    v.values().all(Verdict::is_final)
}

/// The effects, in the order they must run.
pub fn plan_effects(input: &PlanInput<'_>) -> Result<Vec<Effect>, RenderError> {
    let PlanInput { plan, cfg, obs, .. } = *input;
    let v = verdicts(plan, obs);
    let mut fx = Vec::new();
    let will_exist = |k: &TaskKey| {
        obs.subs.contains_key(k) || !matches!(v.get(k), Some(Verdict::Skip { .. }) | None)
    };

    for key in plan.stages.iter().flatten() {
        let (Some(s), Some(verdict)) = (plan.subtask(key), v.get(key)) else {
            continue;
        };
        if obs.subs.contains_key(key) || matches!(verdict, Verdict::Skip { .. }) {
            continue;
        }
        fx.push(create(plan, cfg, obs, s, verdict)?);
    }
    for s in &plan.subtasks {
        if let Some((issue, marker)) = obs.subs.get(&s.key) {
            let now = subtask_body(
                &task_marker(obs, &s.key, &marker.plan),
                obs.parent.number,
                s,
            )?;
            if issue.state == IssueState::Open && (now != issue.body || issue.title != s.title) {
                fx.push(Effect::PatchSub {
                    key: s.key.clone(),
                    patch: IssuePatch {
                        title: Some(s.title.clone()),
                        body: Some(subtask_body(
                            &task_marker(obs, &s.key, &plan.hash),
                            obs.parent.number,
                            s,
                        )?),
                        ..IssuePatch::default()
                    },
                    why: format!("content/{}", plan.hash),
                });
            }
        }
    }
    for s in &plan.subtasks {
        if v.get(&s.key).is_none_or(Verdict::is_final) {
            continue;
        }
        links(obs, s, &will_exist, &mut fx);
    }
    for s in &plan.subtasks {
        let (Some((issue, _)), Some(verdict)) = (obs.subs.get(&s.key), v.get(&s.key)) else {
            continue;
        };
        if issue.state == IssueState::Open {
            status_effects(cfg, s, &issue.labels, verdict, &mut fx)?;
        }
    }
    for (key, (issue, _)) in &obs.subs {
        if issue.state == IssueState::Open && plan.subtask(key).is_none() {
            let text = format!(
                "This subtask (`{key}`) is no longer in the plan of #{}: closing it as not planned.",
                obs.parent.number
            );
            fx.push(comment_on(key, "removed", &text)?);
            fx.push(close(cfg, key, &issue.labels));
        }
    }
    fx.push(Effect::Comment {
        on: Target::Parent,
        slot: "plan".into(),
        body: input.plan_comment.to_owned(),
        replace: true,
    });
    let done = all_final(&v);
    if let (true, Some(report)) = (done, input.completion) {
        fx.push(Effect::Comment {
            on: Target::Parent,
            slot: "completion".into(),
            body: report.to_owned(),
            replace: false,
        });
    }
    fx.push(parent_patch(plan, cfg, obs, &v, done));
    Ok(fx)
}

fn task_marker(obs: &Observed, key: &TaskKey, hash: &str) -> String {
    Marker::Task(TaskMarker {
        parent: obs.parent.number,
        key: key.clone(),
        plan: hash.to_owned(),
    })
    .to_string()
}

fn create(
    plan: &Plan,
    cfg: &Config,
    obs: &Observed,
    s: &Subtask,
    verdict: &Verdict,
) -> Result<Effect, RenderError> {
    let status = match verdict {
        Verdict::Ready => Status::Queued,
        _ => Status::Blocked,
    };
    let mut meanings = Vec::new();
    if let Some(t) = type_of(&obs.parent.labels, cfg) {
        meanings.push(LabelMeaning::Type(t));
    }
    meanings.push(LabelMeaning::Owner(s.owner.clone()));
    meanings.push(LabelMeaning::Priority(
        priority_of(&obs.parent.labels, cfg).unwrap_or_default(),
    ));
    meanings.push(LabelMeaning::Status(status));
    let labels: Vec<_> = meanings.iter().map(|m| cfg.labels.spec(m)).collect();
    Ok(Effect::CreateSubIssue {
        key: s.key.clone(),
        new: NewIssue {
            title: s.title.clone(),
            body: subtask_body(&task_marker(obs, &s.key, &plan.hash), obs.parent.number, s)?,
            labels: labels.iter().map(|l| l.name.clone()).collect(),
            assignees: Vec::new(),
        },
        labels: labels
            .into_iter()
            .map(|l| super::ports::LabelSpec {
                name: l.name,
                color: l.color.to_owned(),
                description: l.description,
            })
            .collect(),
    })
}

fn links(obs: &Observed, s: &Subtask, will_exist: &dyn Fn(&TaskKey) -> bool, fx: &mut Vec<Effect>) {
    let mut deps: Vec<&TaskKey> = s.needs.iter().collect();
    if let Some(c) = &s.when
        && !deps.contains(&&c.key)
    {
        deps.push(&c.key);
    }
    let have: &[IssueId] = obs.blockers.get(&s.key).map_or(&[], Vec::as_slice);
    let id_of = |k: &TaskKey| obs.subs.get(k).map(|(i, _)| i.id);
    let mut wanted = BTreeSet::new();
    for d in deps {
        if !will_exist(d) {
            continue;
        }
        if let Some(id) = id_of(d) {
            wanted.insert(id);
            if have.contains(&id) && obs.subs.contains_key(&s.key) {
                continue;
            }
        }
        fx.push(Effect::Link {
            key: s.key.clone(),
            blocker: d.clone(),
        });
    }
    let ours: BTreeSet<IssueId> = obs.subs.values().map(|(i, _)| i.id).collect();
    for id in have {
        if ours.contains(id) && !wanted.contains(id) {
            fx.push(Effect::Unlink {
                key: s.key.clone(),
                blocker: *id,
            });
        }
    }
}

fn status_effects(
    cfg: &Config,
    s: &Subtask,
    labels: &[String],
    verdict: &Verdict,
    fx: &mut Vec<Effect>,
) -> Result<(), RenderError> {
    let current = status_of(labels, cfg);
    let want = match verdict {
        Verdict::Ready => Status::Queued,
        Verdict::Waiting(_) | Verdict::NeedFailed(_) => Status::Blocked,
        Verdict::Skip { because, ended } => {
            let ended = match ended {
                Outcome::Succeeded => "succeeded",
                Outcome::Failed => "failed",
            };
            let text = format!(
                "This subtask runs only if `{because}` {}, but `{because}` {ended}: closing it as not planned.",
                match ended {
                    "succeeded" => "failed",
                    _ => "succeeded",
                }
            );
            fx.push(comment_on(&s.key, "skipped", &text)?);
            fx.push(close(cfg, &s.key, labels));
            return Ok(());
        }
        Verdict::Completed | Verdict::NotPlanned => return Ok(()),
    };
    if let Verdict::NeedFailed(failed) = verdict {
        let names: Vec<String> = failed.iter().map(|k| format!("`{k}`")).collect();
        let text = format!(
            "Blocked: this subtask needs {} which was closed as not planned. Reopen it, change the plan, or `/vayu cancel` this subtask.",
            names.join(", ")
        );
        fx.push(comment_on(&s.key, "need-failed", &text)?);
    }
    // An escalated subtask waits for `/vayu retry`, not for its needs.
    let escalated = super::labels::has(labels, cfg, &LabelMeaning::Escalated);
    let movable = !escalated && matches!(current, None | Some(Status::Queued | Status::Blocked));
    if movable && current != Some(want) {
        fx.push(Effect::PatchSub {
            key: s.key.clone(),
            patch: IssuePatch {
                labels: Some(with_status(labels, want, &[], cfg)),
                ..IssuePatch::default()
            },
            why: format!("status:{want}"),
        });
    }
    Ok(())
}

fn comment_on(key: &TaskKey, slot: &str, text: &str) -> Result<Effect, RenderError> {
    Ok(Effect::Comment {
        on: Target::Sub(key.clone()),
        slot: slot.into(),
        body: notice(&super::effects::note_marker(slot), text)?,
        replace: false,
    })
}

fn close(cfg: &Config, key: &TaskKey, labels: &[String]) -> Effect {
    Effect::PatchSub {
        key: key.clone(),
        patch: IssuePatch {
            state: Some(IssueState::Closed),
            state_reason: Some(StateReason::NotPlanned),
            labels: Some(with_status(labels, Status::Cancelled, &[], cfg)),
            ..IssuePatch::default()
        },
        why: "close".into(),
    }
}

fn parent_patch(
    plan: &Plan,
    cfg: &Config,
    obs: &Observed,
    v: &BTreeMap<TaskKey, Verdict>,
    done: bool,
) -> Effect {
    let checklist = plan
        .subtasks
        .iter()
        .map(|s| {
            let label = obs
                .subs
                .get(&s.key)
                .and_then(|(i, _)| status_of(&i.labels, cfg));
            let status = match v.get(&s.key) {
                Some(Verdict::Completed) => Status::Completed,
                Some(Verdict::NotPlanned | Verdict::Skip { .. }) => Status::Cancelled,
                Some(Verdict::Ready) => match label {
                    Some(st) if !matches!(st, Status::Blocked | Status::Created) => st,
                    _ => Status::Queued,
                },
                _ => Status::Blocked,
            };
            (s.key.clone(), Some(status))
        })
        .collect();
    let current = status_of(&obs.parent.labels, cfg);
    let status = if done {
        Status::Completed
    } else {
        match current {
            None | Some(Status::Created | Status::Failed | Status::Completed) => Status::Queued,
            Some(st) => st,
        }
    };
    // A parent decomposed by `/vayu decompose` gets the trigger label in the
    // same edit, or its later closes and edits would be ignored.
    let trigger = [cfg.labels.trigger.clone()];
    let mut patch = IssuePatch {
        labels: Some(with_status(&obs.parent.labels, status, &trigger, cfg)),
        ..IssuePatch::default()
    };
    if done {
        patch.state = Some(IssueState::Closed);
        patch.state_reason = Some(StateReason::Completed);
    }
    Effect::PatchParent {
        patch,
        checklist: Some(checklist),
    }
}
