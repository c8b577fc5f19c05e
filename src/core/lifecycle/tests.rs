use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;

use super::*;
use crate::core::ids::{Login, TaskId};
use crate::core::task::{AssignmentMethod, Requester, RequesterKind, TaskType};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("timestamp")
}

const T0: &str = "2025-11-05T18:00:00Z";
const STARTED: &str = "2025-11-05T18:10:00Z";
const BEAT: &str = "2025-11-05T19:00:00Z";
const NOW: &str = "2025-11-05T19:30:00Z";

fn login(s: &str) -> Login {
    Login(s.into())
}

fn task_ref(s: &str) -> TaskRef {
    s.parse().expect("task ref")
}

fn new_task() -> Task {
    Task::new(
        TaskId("t-1".into()),
        "Add authentication",
        TaskType::Feature,
        Requester {
            kind: RequesterKind::Human,
            id: "octocat".into(),
            context: None,
        },
        at(T0),
    )
}

/// A row of the table: every status, with `blocked` once per [`BlockReason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Row {
    S(Status),
    BlockedEscalated,
}

fn rows() -> Vec<Row> {
    let mut rows: Vec<Row> = Status::ALL.iter().map(|s| Row::S(*s)).collect();
    rows.push(Row::BlockedEscalated);
    rows
}

/// A task as it typically looks in the row's state.
fn fixture(row: Row) -> Task {
    let mut t = new_task();
    let status = match row {
        Row::S(s) => s,
        Row::BlockedEscalated => Status::Blocked,
    };
    t.status = status;
    use Status as S;
    if matches!(
        status,
        S::Assigned | S::Executing | S::Reviewing | S::Failed | S::Paused | S::Rejected
    ) {
        t.assignment.primary_agent = Some(login("alice"));
        t.assignment.assigned_at = Some(at(T0));
        t.assignment.assignment_method = Some(AssignmentMethod::Assigned);
    }
    if matches!(
        status,
        S::Executing | S::Reviewing | S::Failed | S::Paused | S::Rejected
    ) {
        t.execution.started_at = Some(at(STARTED));
        t.execution.last_heartbeat = Some(at(BEAT));
    }
    t.status_reason = match row {
        Row::S(S::Failed) => Some("exit 1".into()),
        Row::S(S::Blocked) => Some("waiting on o/r#1, o/r#2".into()),
        Row::BlockedEscalated => {
            t.metadata.retry_count = 3;
            Some("failed 4 times: exit 1".into())
        }
        _ => None,
    };
    t
}

/// The event the table applies for each kind.
fn event(kind: EventKind) -> LifecycleEvent {
    use LifecycleEvent as E;
    match kind {
        EventKind::Validate => E::Validate,
        EventKind::Invalid => E::Invalid {
            reason: "bad plan".into(),
        },
        EventKind::DependenciesUnmet => E::DependenciesUnmet {
            waiting_on: vec![task_ref("o/r#1")],
        },
        EventKind::DependenciesMet => E::DependenciesMet,
        EventKind::Assign => E::Assign {
            agent: login("bob"),
            method: AssignmentMethod::Claimed,
        },
        EventKind::Reassign => E::Reassign,
        EventKind::Start => E::Start,
        EventKind::Heartbeat => E::Heartbeat {
            progress: Some(Progress::new(40).expect("progress")),
            step: Some("compiling".into()),
        },
        EventKind::Checkpoint => E::Checkpoint {
            text: "tests pass".into(),
        },
        EventKind::HeartbeatLost => E::HeartbeatLost,
        EventKind::Pause => E::Pause {
            reason: Some("waiting for credentials".into()),
        },
        EventKind::Resume => E::Resume,
        EventKind::Finish => E::Finish {
            review_required: true,
        },
        EventKind::Fail => E::Fail {
            reason: "exit 1".into(),
            transient: true,
        },
        EventKind::Retry => E::Retry,
        EventKind::ReviewPass => E::ReviewPass {
            reviewer: Some(login("carol")),
        },
        EventKind::ReviewFail => E::ReviewFail {
            reviewer: Some(login("carol")),
            feedback: "missing tests".into(),
        },
        EventKind::Rework => E::Rework,
        EventKind::Cancel => E::Cancel {
            reason: Some("duplicate".into()),
        },
    }
}

/// Expected outcome per row (in [`rows`] order) and kind (in [`EventKind::ALL`] order).
/// Letters are target statuses: Q queued, A assigned, E executing, R reviewing,
/// C completed, F failed, P paused, J rejected, B blocked, X cancelled.
/// Errors: `.` not allowed, `r` not in review, `w` waiting on dependencies, `e` escalated.
#[rustfmt::skip]
const TABLE: &[&str] = &[
    //             val inv dun dmt asg rea sta hbt chk hbl pau res fin fai ret rvp rvf rwk can
    "created        Q   F   B   .   .   .   .   .   .   .   .   .   .   .   .   r   r   .   X",
    "queued         .   F   B   .   A   .   .   .   .   .   .   .   .   .   .   r   r   .   X",
    "assigned       .   .   .   .   .   Q   E   .   .   .   .   .   .   F   .   r   r   .   X",
    "executing      .   .   .   .   .   .   .   E   E   F   P   .   R   F   .   r   r   .   X",
    "reviewing      .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   C   J   .   X",
    "completed      .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .",
    "failed         .   .   .   .   .   .   .   .   .   .   .   .   .   .   Q   r   r   .   X",
    "paused         .   .   .   .   .   .   .   .   .   .   .   E   .   .   .   r   r   .   X",
    "rejected       .   .   .   .   .   Q   .   .   .   .   .   .   .   .   .   r   r   E   X",
    "blocked        .   .   B   Q   .   .   .   .   .   .   .   .   .   .   w   r   r   .   X",
    "cancelled      .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .",
    "escalated      .   .   e   e   .   .   .   .   .   .   .   .   .   .   Q   r   r   .   X",
];

fn expected_code(row: Row, kind: EventKind) -> char {
    let index = rows().iter().position(|r| *r == row).expect("row");
    let kind_index = EventKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("kind");
    let mut words = TABLE[index].split_whitespace();
    let name = words.next().expect("row name");
    let cells: Vec<char> = words.map(|c| c.chars().next().expect("cell")).collect();
    assert_eq!(cells.len(), EventKind::ALL.len(), "row {name}");
    cells[kind_index]
}

fn status_letter(s: Status) -> char {
    match s {
        Status::Queued => 'Q',
        Status::Assigned => 'A',
        Status::Executing => 'E',
        Status::Reviewing => 'R',
        Status::Completed => 'C',
        Status::Failed => 'F',
        Status::Paused => 'P',
        Status::Rejected => 'J',
        Status::Blocked => 'B',
        Status::Cancelled => 'X',
        Status::Created => '?',
    }
}

fn error_code(e: &LifecycleError) -> char {
    match e {
        LifecycleError::NotAllowed { .. } => '.',
        LifecycleError::NotInReview { .. } => 'r',
        LifecycleError::WaitingOnDependencies { .. } => 'w',
        LifecycleError::Escalated { .. } => 'e',
    }
}

fn label(s: Status) -> Effect {
    Effect::SetStatusLabel(s)
}

fn comment(k: CommentKind) -> Effect {
    Effect::Comment(k)
}

fn cancel_effects(stop: bool) -> Vec<Effect> {
    let mut fx = vec![label(Status::Cancelled)];
    if stop {
        fx.push(Effect::StopWorker);
    }
    fx.push(comment(CommentKind::Cancelled {
        reason: Some("duplicate".into()),
    }));
    fx.push(Effect::CloseIssue {
        reason: CloseReason::NotPlanned,
    });
    fx
}

/// Every allowed cell: the `status_reason` and the effects it must produce.
fn allowed_cells() -> Vec<(Row, EventKind, Option<&'static str>, Vec<Effect>)> {
    use CommentKind as CK;
    use EventKind as K;
    use Row::S;
    use Status as St;
    let invalid = vec![
        label(St::Failed),
        comment(CK::Invalid {
            reason: "bad plan".into(),
        }),
        Effect::NotifyRequester,
    ];
    let waiting = vec![
        label(St::Blocked),
        comment(CK::WaitingOnDependencies {
            waiting_on: vec![task_ref("o/r#1")],
        }),
    ];
    let unassigned = vec![
        label(St::Queued),
        Effect::RemoveAssignee(login("alice")),
        comment(CK::Unassigned {
            previous: Some(login("alice")),
        }),
        Effect::Dispatch,
    ];
    let failed = vec![
        label(St::Failed),
        comment(CK::Failed {
            reason: "exit 1".into(),
            transient: true,
        }),
        Effect::ScheduleRetry { attempt: 1 },
    ];
    vec![
        (
            S(St::Created),
            K::Validate,
            None,
            vec![label(St::Queued), comment(CK::Queued), Effect::Dispatch],
        ),
        (
            S(St::Created),
            K::Invalid,
            Some("bad plan"),
            invalid.clone(),
        ),
        (
            S(St::Created),
            K::DependenciesUnmet,
            Some("waiting on o/r#1"),
            waiting.clone(),
        ),
        (
            S(St::Created),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (S(St::Queued), K::Invalid, Some("bad plan"), invalid),
        (
            S(St::Queued),
            K::DependenciesUnmet,
            Some("waiting on o/r#1"),
            waiting,
        ),
        (
            S(St::Queued),
            K::Assign,
            None,
            vec![
                label(St::Assigned),
                Effect::AddAssignee(login("bob")),
                comment(CK::Assigned {
                    agent: login("bob"),
                    method: AssignmentMethod::Claimed,
                }),
            ],
        ),
        (
            S(St::Queued),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (S(St::Assigned), K::Reassign, None, unassigned.clone()),
        (
            S(St::Assigned),
            K::Start,
            None,
            vec![label(St::Executing), comment(CK::Started)],
        ),
        (S(St::Assigned), K::Fail, Some("exit 1"), failed.clone()),
        (
            S(St::Assigned),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (
            S(St::Executing),
            K::Heartbeat,
            None,
            vec![Effect::UpdateProgress {
                progress: Progress::new(40).expect("progress"),
                step: Some("compiling".into()),
            }],
        ),
        (
            S(St::Executing),
            K::Checkpoint,
            None,
            vec![Effect::RecordCheckpoint {
                text: "tests pass".into(),
            }],
        ),
        (
            S(St::Executing),
            K::HeartbeatLost,
            Some("no heartbeat since 2025-11-05T19:00:00Z"),
            vec![
                label(St::Failed),
                comment(CK::HeartbeatLost {
                    last_seen: Some(at(BEAT)),
                }),
                Effect::ScheduleRetry { attempt: 1 },
            ],
        ),
        (
            S(St::Executing),
            K::Pause,
            Some("waiting for credentials"),
            vec![
                label(St::Paused),
                Effect::StopWorker,
                comment(CK::Paused {
                    reason: Some("waiting for credentials".into()),
                }),
            ],
        ),
        (
            S(St::Executing),
            K::Finish,
            None,
            vec![label(St::Reviewing), comment(CK::ReviewRequested)],
        ),
        (S(St::Executing), K::Fail, Some("exit 1"), failed),
        (
            S(St::Executing),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(true),
        ),
        (
            S(St::Reviewing),
            K::ReviewPass,
            None,
            vec![
                label(St::Completed),
                comment(CK::Completed {
                    actual_minutes: Some(80),
                }),
                Effect::DispatchDependents,
                Effect::NotifyRequester,
                Effect::CloseIssue {
                    reason: CloseReason::Completed,
                },
            ],
        ),
        (
            S(St::Reviewing),
            K::ReviewFail,
            Some("missing tests"),
            vec![
                label(St::Rejected),
                comment(CK::ReviewFailed {
                    feedback: "missing tests".into(),
                }),
            ],
        ),
        (
            S(St::Reviewing),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (
            S(St::Failed),
            K::Retry,
            None,
            vec![
                label(St::Queued),
                comment(CK::Retrying { attempt: 1, max: 3 }),
                Effect::Dispatch,
            ],
        ),
        (
            S(St::Failed),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (
            S(St::Paused),
            K::Resume,
            None,
            vec![label(St::Executing), comment(CK::Resumed), Effect::Dispatch],
        ),
        (
            S(St::Paused),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (S(St::Rejected), K::Reassign, None, unassigned),
        (
            S(St::Rejected),
            K::Rework,
            None,
            vec![label(St::Executing), comment(CK::Rework), Effect::Dispatch],
        ),
        (
            S(St::Rejected),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (
            S(St::Blocked),
            K::DependenciesUnmet,
            Some("waiting on o/r#1"),
            vec![],
        ),
        (
            S(St::Blocked),
            K::DependenciesMet,
            None,
            vec![
                label(St::Queued),
                comment(CK::DependenciesMet),
                Effect::Dispatch,
            ],
        ),
        (
            S(St::Blocked),
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
        (
            Row::BlockedEscalated,
            K::Retry,
            None,
            vec![
                label(St::Queued),
                comment(CK::RetryGranted),
                Effect::Dispatch,
            ],
        ),
        (
            Row::BlockedEscalated,
            K::Cancel,
            Some("duplicate"),
            cancel_effects(false),
        ),
    ]
}

#[test]
fn table_names_every_row() {
    let names: Vec<&str> = TABLE
        .iter()
        .filter_map(|row| row.split_whitespace().next())
        .collect();
    let mut expected: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    expected.push("escalated");
    assert_eq!(names, expected);
}

#[test]
fn every_status_and_event_pair_has_the_tabled_outcome() {
    let now = at(NOW);
    for row in rows() {
        let task = fixture(row);
        for &kind in EventKind::ALL {
            let want = expected_code(row, kind);
            let got = transition(&task, &event(kind), now);
            match got {
                Ok(t) => {
                    assert_eq!(status_letter(t.to), want, "{row:?} + {kind}");
                    assert_eq!((t.from, t.task.status), (task.status, t.to));
                    assert_eq!(t.task.updated_at, now);
                }
                Err(e) => {
                    assert_eq!(error_code(&e), want, "{row:?} + {kind}: {e}");
                    let msg = e.to_string();
                    let (k, s) = (format!("`{kind}`"), format!("`{}`", task.status));
                    assert!(msg.contains(&k) && msg.contains(&s), "{msg}");
                }
            }
        }
    }
}

#[test]
fn allowed_pairs_have_the_exact_effects_and_reason() {
    let now = at(NOW);
    let cells = allowed_cells();
    let listed: BTreeSet<(Row, EventKind)> = cells.iter().map(|c| (c.0, c.1)).collect();
    let tabled: BTreeSet<(Row, EventKind)> = rows()
        .into_iter()
        .flat_map(|r| EventKind::ALL.iter().map(move |k| (r, *k)))
        .filter(|(r, k)| expected_code(*r, *k).is_ascii_uppercase())
        .collect();
    assert_eq!(listed, tabled);
    for (row, kind, reason, effects) in cells {
        let t = transition(&fixture(row), &event(kind), now).expect("allowed");
        assert_eq!(t.effects, effects, "{row:?} + {kind}");
        assert_eq!(t.task.status_reason.as_deref(), reason, "{row:?} + {kind}");
        let labels = t
            .effects
            .iter()
            .filter(|e| matches!(e, Effect::SetStatusLabel(_)))
            .count();
        assert_eq!(labels, usize::from(t.status_changed()), "{row:?} + {kind}");
    }
}

#[test]
fn allowed_events_agree_with_transition() {
    let now = at(NOW);
    let mut blocked_union = BTreeSet::new();
    for row in rows() {
        let task = fixture(row);
        let ok: BTreeSet<EventKind> = EventKind::ALL
            .iter()
            .copied()
            .filter(|k| transition(&task, &event(*k), now).is_ok())
            .collect();
        let listed: BTreeSet<EventKind> = allowed_events(task.status).iter().copied().collect();
        if task.status == Status::Blocked {
            assert!(ok.is_subset(&listed), "{row:?}");
            blocked_union.extend(ok);
        } else {
            assert_eq!(ok, listed, "{row:?}");
        }
    }
    let blocked: BTreeSet<EventKind> = allowed_events(Status::Blocked).iter().copied().collect();
    assert_eq!(blocked_union, blocked);
}

#[test]
fn error_messages_say_what_to_do() {
    let now = at(NOW);
    let err = |row, kind| {
        transition(&fixture(row), &event(kind), now)
            .expect_err("disallowed")
            .to_string()
    };
    assert_eq!(
        err(Row::S(Status::Completed), EventKind::Start),
        "cannot `start` a task that is `completed`: `completed` is final, nothing more can happen to it"
    );
    assert_eq!(
        err(Row::S(Status::Paused), EventKind::Start),
        "cannot `start` a task that is `paused`: a `paused` task accepts `resume`, `cancel`"
    );
    assert_eq!(
        err(Row::S(Status::Executing), EventKind::ReviewPass),
        "cannot `review pass` a task that is `executing`: only a task in `reviewing` takes a review outcome"
    );
    assert_eq!(
        err(Row::S(Status::Blocked), EventKind::Retry),
        "cannot `retry` a task that is `blocked` waiting on o/r#1, o/r#2: it is queued again when they complete, or `/vayu cancel` abandons it"
    );
    assert_eq!(
        err(Row::BlockedEscalated, EventKind::DependenciesMet),
        "cannot `dependencies_met` a task that is `blocked` after failing 4 times (exit 1): a maintainer must `/vayu retry` it once the cause is fixed"
    );
}

fn failed_with(retry_count: u32, max_retries: u32) -> Task {
    let mut t = fixture(Row::S(Status::Failed));
    t.metadata.retry_count = retry_count;
    t.metadata.max_retries = max_retries;
    t
}

#[test]
fn retry_requeues_until_the_budget_is_spent_then_escalates() {
    let now = at(NOW);
    for max in 0..=4 {
        for count in 0..max {
            let t =
                transition(&failed_with(count, max), &LifecycleEvent::Retry, now).expect("retry");
            assert_eq!(t.to, Status::Queued);
            assert_eq!(t.task.metadata.retry_count, count + 1);
            assert_eq!(
                t.effects,
                vec![
                    label(Status::Queued),
                    comment(CommentKind::Retrying {
                        attempt: count + 1,
                        max
                    }),
                    Effect::Dispatch,
                ]
            );
        }
        let t = transition(&failed_with(max, max), &LifecycleEvent::Retry, now).expect("retry");
        let reason = format!("failed {} times: exit 1", max + 1);
        assert_eq!(t.to, Status::Blocked);
        assert_eq!(t.task.metadata.retry_count, max);
        assert_eq!(t.task.status_reason.as_deref(), Some(reason.as_str()));
        assert_eq!(
            t.effects,
            vec![
                label(Status::Blocked),
                comment(CommentKind::Escalated {
                    failures: max + 1,
                    reason: "exit 1".into()
                }),
                Effect::Escalate {
                    reason: reason.clone()
                },
                Effect::NotifyRequester,
            ]
        );
        assert_eq!(
            BlockReason::of(&t.task),
            Some(BlockReason::Escalated {
                failures: max + 1,
                reason: "exit 1".into()
            })
        );
    }
}

#[test]
fn an_escalated_task_needs_a_human_retry_which_resets_the_budget() {
    let now = at(NOW);
    let blocked = transition(&failed_with(3, 3), &LifecycleEvent::Retry, now)
        .expect("escalate")
        .task;
    let met = transition(&blocked, &LifecycleEvent::DependenciesMet, now);
    assert!(matches!(
        met,
        Err(LifecycleError::Escalated { failures: 4, .. })
    ));
    let t = transition(&blocked, &LifecycleEvent::Retry, now).expect("human retry");
    assert_eq!(t.to, Status::Queued);
    assert_eq!(t.task.metadata.retry_count, 0);
    assert_eq!(t.task.status_reason, None);
}

#[test]
fn a_full_failure_cycle_escalates_after_max_retries() {
    let mut now = at(NOW);
    let mut task = fixture(Row::S(Status::Assigned));
    let fail = LifecycleEvent::Fail {
        reason: "flaky".into(),
        transient: true,
    };
    let assign = LifecycleEvent::Assign {
        agent: login("alice"),
        method: AssignmentMethod::Assigned,
    };
    let mut failures = 0;
    while task.status != Status::Blocked {
        for ev in [&LifecycleEvent::Start, &fail, &LifecycleEvent::Retry] {
            now += TimeDelta::minutes(1);
            task = transition(&task, ev, now).expect("cycle").task;
        }
        failures += 1;
        if task.status == Status::Queued {
            task = transition(&task, &assign, now).expect("assign").task;
        }
        assert!(task.metadata.retry_count <= task.metadata.max_retries);
    }
    assert_eq!(failures, 4);
    assert_eq!(task.status_reason.as_deref(), Some("failed 4 times: flaky"));
}

#[test]
fn a_permanent_failure_notifies_instead_of_scheduling_a_retry() {
    let fail = LifecycleEvent::Fail {
        reason: "bad token".into(),
        transient: false,
    };
    let t = transition(&fixture(Row::S(Status::Executing)), &fail, at(NOW)).expect("fail");
    assert_eq!(
        t.effects,
        vec![
            label(Status::Failed),
            comment(CommentKind::Failed {
                reason: "bad token".into(),
                transient: false
            }),
            Effect::NotifyRequester,
        ]
    );
}

#[test]
fn pause_and_resume_round_trip_keeps_the_work() {
    let mut task = fixture(Row::S(Status::Executing));
    task.execution.progress = Progress::new(40).expect("progress");
    let paused = transition(&task, &LifecycleEvent::Pause { reason: None }, at(NOW))
        .expect("pause")
        .task;
    assert_eq!(
        (paused.status, paused.status_reason.as_deref()),
        (Status::Paused, None)
    );
    let later = at("2025-11-06T09:00:00Z");
    let resumed = transition(&paused, &LifecycleEvent::Resume, later)
        .expect("resume")
        .task;
    assert_eq!(resumed.status, Status::Executing);
    assert_eq!(resumed.execution.progress.get(), 40);
    assert_eq!(resumed.execution.started_at, Some(at(STARTED)));
    assert_eq!(resumed.execution.last_heartbeat, Some(later));
    assert!(!is_zombie(
        &resumed,
        later + TimeDelta::minutes(5),
        TimeDelta::minutes(10)
    ));
}

#[test]
fn review_failure_stores_feedback_and_rework_goes_round_again() {
    let mut now = at(NOW);
    let reviewing = fixture(Row::S(Status::Reviewing));
    let rejected = transition(&reviewing, &event(EventKind::ReviewFail), now)
        .expect("review fail")
        .task;
    assert_eq!(rejected.status, Status::Rejected);
    assert_eq!(rejected.review.status, ReviewStatus::Failed);
    assert_eq!(rejected.review.feedback.as_deref(), Some("missing tests"));
    assert_eq!(rejected.review.reviewer, Some(login("carol")));

    now += TimeDelta::minutes(10);
    let working = transition(&rejected, &LifecycleEvent::Rework, now)
        .expect("rework")
        .task;
    assert_eq!(working.status, Status::Executing);
    let again = transition(&working, &event(EventKind::Finish), now)
        .expect("finish")
        .task;
    assert_eq!(again.status, Status::Reviewing);
    assert_eq!(again.review.status, ReviewStatus::Pending);
    assert_eq!(again.review.feedback, None);
    let done = transition(&again, &LifecycleEvent::ReviewPass { reviewer: None }, now)
        .expect("pass")
        .task;
    assert_eq!(done.status, Status::Completed);
    assert_eq!(done.review.status, ReviewStatus::Passed);
    assert_eq!(done.review.reviewer, Some(login("carol")));
    assert_eq!(done.metadata.actual_duration, Some(90));
}

#[test]
fn finishing_without_review_completes_and_measures_the_duration() {
    let t = transition(
        &fixture(Row::S(Status::Executing)),
        &LifecycleEvent::Finish {
            review_required: false,
        },
        at(NOW),
    )
    .expect("finish");
    assert_eq!(t.to, Status::Completed);
    assert_eq!(t.task.execution.progress, Progress::DONE);
    assert_eq!(t.task.metadata.actual_duration, Some(80));
    assert_eq!(
        t.effects,
        vec![
            label(Status::Completed),
            comment(CommentKind::Completed {
                actual_minutes: Some(80)
            }),
            Effect::DispatchDependents,
            Effect::NotifyRequester,
            Effect::CloseIssue {
                reason: CloseReason::Completed
            },
        ]
    );
}

#[test]
fn assign_and_start_record_who_and_when_but_start_time_only_once() {
    let now = at(NOW);
    let assigned = transition(
        &fixture(Row::S(Status::Queued)),
        &event(EventKind::Assign),
        now,
    )
    .expect("assign")
    .task;
    assert_eq!(assigned.assignment.primary_agent, Some(login("bob")));
    assert_eq!(assigned.assignment.assigned_at, Some(now));
    assert_eq!(
        assigned.assignment.assignment_method,
        Some(AssignmentMethod::Claimed)
    );
    let started = transition(&assigned, &LifecycleEvent::Start, now)
        .expect("start")
        .task;
    assert_eq!(started.execution.started_at, Some(now));

    let mut restarted = fixture(Row::S(Status::Assigned));
    restarted.execution.started_at = Some(at(STARTED));
    let t = transition(&restarted, &LifecycleEvent::Start, now).expect("start");
    assert_eq!(t.task.execution.started_at, Some(at(STARTED)));
    assert_eq!(t.task.execution.last_heartbeat, Some(now));
}

#[test]
fn reassign_clears_the_assignment() {
    let t = transition(
        &fixture(Row::S(Status::Rejected)),
        &LifecycleEvent::Reassign,
        at(NOW),
    )
    .expect("reassign");
    assert_eq!(t.task.assignment, Assignment::default());
}

#[test]
fn heartbeats_update_progress_and_keep_what_was_not_reported() {
    let now = at(NOW);
    let mut task = fixture(Row::S(Status::Executing));
    task.execution.progress = Progress::new(30).expect("progress");
    task.execution.current_step = Some("fetching".into());
    let beat = LifecycleEvent::Heartbeat {
        progress: None,
        step: None,
    };
    let t = transition(&task, &beat, now).expect("heartbeat");
    assert_eq!(t.to, Status::Executing);
    assert_eq!(t.task.execution.last_heartbeat, Some(now));
    assert_eq!(
        t.effects,
        vec![Effect::UpdateProgress {
            progress: Progress::new(30).expect("progress"),
            step: Some("fetching".into()),
        }]
    );
    let t = transition(&task, &event(EventKind::Checkpoint), now).expect("checkpoint");
    assert_eq!(t.task.execution.checkpoints.len(), 1);
    assert_eq!(t.task.execution.checkpoints[0].text, "tests pass");
}

#[test]
fn zombies_are_executing_tasks_silent_past_the_timeout() {
    let task = fixture(Row::S(Status::Executing));
    let timeout = TimeDelta::minutes(10);
    assert!(!is_zombie(&task, at("2025-11-05T19:10:00Z"), timeout));
    assert!(is_zombie(&task, at("2025-11-05T19:10:01Z"), timeout));
    assert!(!is_zombie(
        &fixture(Row::S(Status::Paused)),
        at(NOW),
        timeout
    ));

    let mut silent = task.clone();
    silent.execution.last_heartbeat = None;
    let t = transition(&silent, &LifecycleEvent::HeartbeatLost, at(NOW)).expect("lost");
    assert_eq!(
        t.task.status_reason.as_deref(),
        Some("the worker never sent a heartbeat")
    );
}

#[test]
fn effects_serialize_as_tagged_snake_case() {
    let json = serde_json::to_string(&[
        label(Status::Queued),
        Effect::Dispatch,
        Effect::CloseIssue {
            reason: CloseReason::NotPlanned,
        },
    ])
    .expect("json");
    assert_eq!(
        json,
        r#"[{"set_status_label":"queued"},"dispatch",{"close_issue":{"reason":"not_planned"}}]"#
    );
}

const REASONS: &[&str] = &["", "exit 1", "failed 9 times: nested"];

fn any_text() -> impl Strategy<Value = String> {
    (0..REASONS.len()).prop_map(|i| REASONS[i].to_owned())
}

fn any_event() -> impl Strategy<Value = LifecycleEvent> {
    use LifecycleEvent as E;
    prop_oneof![
        Just(E::Validate),
        any_text().prop_map(|reason| E::Invalid { reason }),
        (1u64..4).prop_map(|n| E::DependenciesUnmet {
            waiting_on: vec![task_ref(&format!("o/r#{n}"))]
        }),
        Just(E::DependenciesMet),
        any::<bool>().prop_map(|claimed| E::Assign {
            agent: login("bob"),
            method: if claimed {
                AssignmentMethod::Claimed
            } else {
                AssignmentMethod::Assigned
            },
        }),
        Just(E::Reassign),
        Just(E::Start),
        (0u32..=100).prop_map(|p| E::Heartbeat {
            progress: Progress::new(p).ok(),
            step: None
        }),
        any_text().prop_map(|text| E::Checkpoint { text }),
        Just(E::HeartbeatLost),
        proptest::option::of(any_text()).prop_map(|reason| E::Pause { reason }),
        Just(E::Resume),
        any::<bool>().prop_map(|review_required| E::Finish { review_required }),
        (any_text(), any::<bool>()).prop_map(|(reason, transient)| E::Fail { reason, transient }),
        Just(E::Retry),
        Just(E::Retry),
        Just(E::ReviewPass { reviewer: None }),
        any_text().prop_map(|feedback| E::ReviewFail {
            reviewer: None,
            feedback
        }),
        Just(E::Rework),
        proptest::option::of(any_text()).prop_map(|reason| E::Cancel { reason }),
    ]
}

proptest! {
    #[test]
    fn random_event_sequences_keep_the_invariants(
        max_retries in 0u32..4,
        events in proptest::collection::vec(any_event(), 0..80),
    ) {
        let mut task = new_task();
        task.metadata.max_retries = max_retries;
        let mut now = at(T0);
        for ev in &events {
            now += TimeDelta::minutes(1);
            let kind = ev.kind();
            match transition(&task, ev, now) {
                Ok(t) => {
                    prop_assert!(!task.status.is_terminal(), "{} left {}", kind, task.status);
                    prop_assert!(allowed_events(task.status).contains(&kind));
                    prop_assert_eq!(t.from, task.status);
                    prop_assert_eq!(t.task.status, t.to);
                    prop_assert_eq!(t.task.updated_at, now);
                    prop_assert!(t.task.metadata.retry_count <= t.task.metadata.max_retries);
                    let labels: Vec<Effect> = t
                        .effects
                        .iter()
                        .filter(|e| matches!(e, Effect::SetStatusLabel(_)))
                        .cloned()
                        .collect();
                    if t.status_changed() {
                        prop_assert_eq!(labels, vec![Effect::SetStatusLabel(t.to)]);
                        prop_assert_eq!(&t.effects[0], &Effect::SetStatusLabel(t.to));
                    } else {
                        prop_assert!(labels.is_empty());
                    }
                    let escalates = t.effects.iter().any(|e| matches!(e, Effect::Escalate { .. }));
                    prop_assert_eq!(escalates, t.from == Status::Failed && t.to == Status::Blocked);
                    prop_assert_eq!(t.to == Status::Blocked, BlockReason::of(&t.task).is_some());
                    task = t.task;
                }
                Err(e) => {
                    let msg = e.to_string();
                    prop_assert!(msg.contains(&format!("`{kind}`")), "{}", msg);
                    prop_assert!(msg.contains(&format!("`{}`", task.status)), "{}", msg);
                }
            }
        }
    }
}
