//! Seed 003's analytics over the task history: throughput, assignment
//! latency, completion rate, agent utilization, first-time success, time to
//! resolution, error rate and queue depth. Pure: the caller reads the history
//! (the store's event log) and the clock.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::core::task::Status;

/// One thing that happened to one task, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The task, as `owner/repo#n`.
    pub task: String,
    /// What happened.
    pub what: Happening,
}

/// What can happen to a task, as far as the analytics care.
#[derive(Debug, Clone, PartialEq)]
pub enum Happening {
    /// vayu took the issue on (routed, decomposed, or created as a subtask).
    Created,
    /// Its status label changed; `assignees` as GitHub reported them then.
    Status {
        /// The new status.
        to: Status,
        /// Who the issue was assigned to at that moment.
        assignees: Vec<String>,
    },
    /// The issue was closed; `completed` unless closed as not planned.
    Closed {
        /// Closed as completed.
        completed: bool,
    },
}

/// The window and the facts that are not in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportInput<'a> {
    /// Start of the window.
    pub since: DateTime<Utc>,
    /// End of the window (now).
    pub until: DateTime<Utc>,
    /// The whole history, oldest first (events before `since` give state).
    pub events: &'a [TaskEvent],
    /// Agent capacities (from the configuration), for utilization.
    pub capacity: &'a BTreeMap<String, u32>,
    /// Jobs waiting in the queue now.
    pub jobs_queued: u64,
}

/// Median and 90th percentile, in minutes (nearest-rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Half the samples are at or below this.
    pub median: f64,
    /// Nine in ten samples are at or below this.
    pub p90: f64,
    /// How many samples.
    pub samples: usize,
}

/// One agent's share of the work.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentLoad {
    /// GitHub login.
    pub login: String,
    /// Open tasks assigned to the agent now.
    pub active: usize,
    /// Tasks the agent completed in the window.
    pub completed: usize,
    /// `active / capacity`, when the capacity is configured.
    pub utilization: Option<f64>,
}

/// The analytics for one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Start of the window.
    pub since: DateTime<Utc>,
    /// End of the window.
    pub until: DateTime<Utc>,
    /// Tasks vayu took on in the window.
    pub created: usize,
    /// Tasks completed in the window.
    pub completed: usize,
    /// Completed tasks per day.
    pub throughput_per_day: f64,
    /// Completed out of the tasks that ended (completed, cancelled or not planned) in the window.
    pub completion_rate: Option<f64>,
    /// From taken on to first assigned or executing, for tasks assigned in the window.
    pub assignment_latency_minutes: Option<Spread>,
    /// From taken on to completed, for tasks completed in the window.
    pub time_to_resolution_minutes: Option<Spread>,
    /// Completed without ever being `failed` or `rejected`, out of the completed.
    pub first_time_success: Option<f64>,
    /// Tasks that failed at least once, out of those that started executing, in the window.
    pub error_rate: Option<f64>,
    /// Per agent, busiest first.
    pub agents: Vec<AgentLoad>,
    /// Tasks whose status is `queued` now.
    pub tasks_queued: usize,
    /// Jobs waiting in the queue now.
    pub jobs_queued: u64,
}

#[derive(Default)]
struct Timeline {
    created: Option<DateTime<Utc>>,
    first_assigned: Option<DateTime<Utc>>,
    started_in_window: bool,
    failed_in_window: bool,
    ever_failed: bool,
    completed: Option<DateTime<Utc>>,
    ended_otherwise: Option<DateTime<Utc>>,
    status: Option<Status>,
    assignees: Vec<String>,
}

/// Computes the report. Events outside `[since, until]` only give state.
pub fn report(input: &ReportInput<'_>) -> Report {
    let inside = |at: DateTime<Utc>| at >= input.since && at <= input.until;
    let mut tasks: BTreeMap<&str, Timeline> = BTreeMap::new();
    for e in input.events.iter().filter(|e| e.at <= input.until) {
        let t = tasks.entry(e.task.as_str()).or_default();
        t.created.get_or_insert(e.at);
        match &e.what {
            Happening::Created => {}
            Happening::Status { to, assignees } => {
                t.status = Some(*to);
                t.assignees.clone_from(assignees);
                let assigned =
                    matches!(to, Status::Assigned | Status::Executing) || !assignees.is_empty();
                if assigned && t.first_assigned.is_none() {
                    t.first_assigned = Some(e.at);
                }
                if *to == Status::Executing && inside(e.at) {
                    t.started_in_window = true;
                }
                if matches!(to, Status::Failed | Status::Rejected) {
                    t.ever_failed = true;
                    t.failed_in_window |= inside(e.at);
                }
                match to {
                    Status::Completed => {
                        t.completed.get_or_insert(e.at);
                    }
                    Status::Cancelled => {
                        t.ended_otherwise.get_or_insert(e.at);
                    }
                    _ => {}
                }
            }
            Happening::Closed { completed: true } => {
                t.status = Some(Status::Completed);
                t.completed.get_or_insert(e.at);
            }
            Happening::Closed { completed: false } => {
                t.status = Some(Status::Cancelled);
                t.ended_otherwise.get_or_insert(e.at);
            }
        }
    }

    let created = tasks
        .values()
        .filter(|t| t.created.is_some_and(inside))
        .count();
    let done: Vec<&Timeline> = tasks
        .values()
        .filter(|t| t.completed.is_some_and(inside))
        .collect();
    let ended = done.len()
        + tasks
            .values()
            .filter(|t| t.completed.is_none() && t.ended_otherwise.is_some_and(inside))
            .count();
    let minutes = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| match (from, to) {
        (Some(a), Some(b)) => Some((b - a).num_seconds() as f64 / 60.0),
        _ => None,
    };
    let latency: Vec<f64> = tasks
        .values()
        .filter(|t| t.first_assigned.is_some_and(inside))
        .filter_map(|t| minutes(t.created, t.first_assigned))
        .collect();
    let resolution: Vec<f64> = done
        .iter()
        .filter_map(|t| minutes(t.created, t.completed))
        .collect();
    let started = tasks
        .values()
        .filter(|t| t.started_in_window || t.failed_in_window)
        .count();
    let errored = tasks.values().filter(|t| t.failed_in_window).count();
    let days = (input.until - input.since).max(TimeDelta::seconds(1));
    let days = days.num_seconds() as f64 / 86_400.0;

    Report {
        since: input.since,
        until: input.until,
        created,
        completed: done.len(),
        throughput_per_day: done.len() as f64 / days,
        completion_rate: ratio(done.len(), ended),
        assignment_latency_minutes: spread(latency),
        time_to_resolution_minutes: spread(resolution),
        first_time_success: ratio(done.iter().filter(|t| !t.ever_failed).count(), done.len()),
        error_rate: ratio(errored, started),
        agents: agents(&tasks, input, &inside),
        tasks_queued: tasks
            .values()
            .filter(|t| t.status == Some(Status::Queued))
            .count(),
        jobs_queued: input.jobs_queued,
    }
}

fn agents(
    tasks: &BTreeMap<&str, Timeline>,
    input: &ReportInput<'_>,
    inside: &dyn Fn(DateTime<Utc>) -> bool,
) -> Vec<AgentLoad> {
    let mut logins: BTreeSet<&str> = input.capacity.keys().map(String::as_str).collect();
    let mut active: BTreeMap<&str, usize> = BTreeMap::new();
    let mut completed: BTreeMap<&str, usize> = BTreeMap::new();
    for t in tasks.values() {
        let open = t.completed.is_none() && t.ended_otherwise.is_none();
        for a in &t.assignees {
            logins.insert(a);
            if open {
                *active.entry(a).or_default() += 1;
            } else if t.completed.is_some_and(inside) {
                *completed.entry(a).or_default() += 1;
            }
        }
    }
    let mut out: Vec<AgentLoad> = logins
        .into_iter()
        .map(|login| {
            let busy = active.get(login).copied().unwrap_or(0);
            AgentLoad {
                login: login.to_owned(),
                active: busy,
                completed: completed.get(login).copied().unwrap_or(0),
                utilization: input
                    .capacity
                    .get(login)
                    .filter(|c| **c > 0)
                    .map(|c| busy as f64 / f64::from(*c)),
            }
        })
        .collect();
    out.sort_by(|a, b| b.active.cmp(&a.active).then_with(|| a.login.cmp(&b.login)));
    out
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn spread(mut samples: Vec<f64>) -> Option<Spread> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        // Nearest rank: the smallest sample with at least p of them at or below it.
        let i = (p * samples.len() as f64).ceil() as usize;
        samples[i.clamp(1, samples.len()) - 1]
    };
    Some(Spread {
        median: rank(0.5),
        p90: rank(0.9),
        samples: samples.len(),
    })
}

/// Completed tasks an agent needs before its pace counts: fewer say little.
pub const PACE_MIN_SAMPLES: usize = 3;

/// Each agent's pace from the history: the median time from assignment to
/// completion of the tasks it completed, over the same median for every
/// completed task (1.0 = as fast as usual, 2.0 = twice as slow). Only agents
/// with [`PACE_MIN_SAMPLES`] completions; the one assigned when the task
/// completed gets it. Logins are lowercase.
pub fn paces(events: &[TaskEvent]) -> BTreeMap<String, f64> {
    #[derive(Default)]
    struct Work {
        assigned: Option<DateTime<Utc>>,
        holders: Vec<String>,
        minutes: Option<f64>,
    }
    let mut tasks: BTreeMap<&str, Work> = BTreeMap::new();
    for e in events {
        let w = tasks.entry(e.task.as_str()).or_default();
        match &e.what {
            Happening::Status { to, assignees } => {
                if !assignees.is_empty() {
                    w.holders = assignees.iter().map(|a| a.to_ascii_lowercase()).collect();
                    w.assigned.get_or_insert(e.at);
                }
                if *to == Status::Completed {
                    w.finish(e.at);
                }
            }
            Happening::Closed { completed: true } => w.finish(e.at),
            _ => {}
        }
    }
    impl Work {
        fn finish(&mut self, at: DateTime<Utc>) {
            if let (None, Some(from)) = (self.minutes, self.assigned) {
                self.minutes = Some((at - from).num_seconds().max(0) as f64 / 60.0);
            }
        }
    }
    let mut all = Vec::new();
    let mut by_agent: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for w in tasks.values() {
        let Some(m) = w.minutes else { continue };
        all.push(m);
        for h in &w.holders {
            by_agent.entry(h.clone()).or_default().push(m);
        }
    }
    let Some(usual) = spread(all).map(|s| s.median).filter(|m| *m > 0.0) else {
        return BTreeMap::new();
    };
    by_agent
        .into_iter()
        .filter(|(_, v)| v.len() >= PACE_MIN_SAMPLES)
        .filter_map(|(login, v)| Some((login, spread(v)?.median / usual)))
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn pace_compares_an_agents_median_with_everyones() {
        let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let at = |m: i64| t0 + TimeDelta::minutes(m);
        let mut events = Vec::new();
        let mut task = |n: usize, who: &str, start: i64, minutes: i64| {
            let task = format!("o/r#{n}");
            events.push(TaskEvent {
                at: at(start),
                task: task.clone(),
                what: Happening::Status {
                    to: Status::Assigned,
                    assignees: vec![who.to_owned()],
                },
            });
            events.push(TaskEvent {
                at: at(start + minutes),
                task,
                what: Happening::Closed { completed: true },
            });
        };
        // Alice takes 30 min, Bob 90, Carol only twice (too few to judge).
        for i in 0..3 {
            task(i, "Alice", 0, 30);
            task(10 + i, "bob", 0, 90);
        }
        task(20, "carol", 0, 60);
        task(21, "carol", 0, 60);
        let p = paces(&events);
        // Everyone's median over the 8 tasks (30,30,30,60,60,90,90,90) is 60.
        assert_eq!(p.get("alice"), Some(&0.5));
        assert_eq!(p.get("bob"), Some(&1.5));
        assert_eq!(p.get("carol"), None);
        assert!(paces(&[]).is_empty());
    }

    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("valid") + TimeDelta::minutes(minutes)
    }

    fn status(m: i64, task: &str, to: Status, who: &[&str]) -> TaskEvent {
        TaskEvent {
            at: at(m),
            task: task.into(),
            what: Happening::Status {
                to,
                assignees: who.iter().map(|s| (*s).to_owned()).collect(),
            },
        }
    }

    fn created(m: i64, task: &str) -> TaskEvent {
        TaskEvent {
            at: at(m),
            task: task.into(),
            what: Happening::Created,
        }
    }

    fn closed(m: i64, task: &str, completed: bool) -> TaskEvent {
        TaskEvent {
            at: at(m),
            task: task.into(),
            what: Happening::Closed { completed },
        }
    }

    /// Four tasks over one day, numbers worked out by hand:
    /// a: created 0, assigned 10, executing 20, completed 60 (clean).
    /// b: created 0, assigned 30, failed 50, executing 70, completed 120.
    /// c: created 5, assigned 15 (bob), still executing.
    /// d: created 5, closed as not planned at 40.
    fn history() -> Vec<TaskEvent> {
        use Status::*;
        let mut v = vec![
            created(0, "o/r#1"),
            created(0, "o/r#2"),
            created(5, "o/r#3"),
            created(5, "o/r#4"),
            status(10, "o/r#1", Assigned, &["alice"]),
            status(15, "o/r#3", Assigned, &["bob"]),
            status(20, "o/r#1", Executing, &["alice"]),
            status(25, "o/r#3", Executing, &["bob"]),
            status(30, "o/r#2", Assigned, &["alice"]),
            status(35, "o/r#2", Executing, &["alice"]),
            closed(40, "o/r#4", false),
            status(50, "o/r#2", Failed, &["alice"]),
            status(60, "o/r#1", Completed, &["alice"]),
            status(70, "o/r#2", Executing, &["alice"]),
            closed(120, "o/r#2", true),
        ];
        v.sort_by_key(|e| e.at);
        v
    }

    #[test]
    fn every_metric_matches_the_hand_count() {
        let events = history();
        let capacity = BTreeMap::from([("alice".to_owned(), 2), ("bob".to_owned(), 4)]);
        let r = report(&ReportInput {
            since: at(-60),
            until: at(24 * 60 - 60),
            events: &events,
            capacity: &capacity,
            jobs_queued: 3,
        });
        assert_eq!(r.created, 4);
        assert_eq!(r.completed, 2);
        assert!((r.throughput_per_day - 2.0).abs() < 1e-9);
        // 2 completed of 3 ended (d was not planned).
        assert_eq!(r.completion_rate, Some(2.0 / 3.0));
        // Latencies 10, 10, 30 → median 10, p90 30.
        assert_eq!(
            r.assignment_latency_minutes,
            Some(Spread {
                median: 10.0,
                p90: 30.0,
                samples: 3
            })
        );
        // Resolutions 60 and 120.
        assert_eq!(
            r.time_to_resolution_minutes,
            Some(Spread {
                median: 60.0,
                p90: 120.0,
                samples: 2
            })
        );
        assert_eq!(r.first_time_success, Some(0.5));
        // a, b, c started; b failed.
        assert_eq!(r.error_rate, Some(1.0 / 3.0));
        assert_eq!(
            r.agents,
            vec![
                AgentLoad {
                    login: "bob".into(),
                    active: 1,
                    completed: 0,
                    utilization: Some(0.25)
                },
                AgentLoad {
                    login: "alice".into(),
                    active: 0,
                    completed: 2,
                    utilization: Some(0.0)
                },
            ]
        );
        assert_eq!(r.tasks_queued, 0);
        assert_eq!(r.jobs_queued, 3);
    }

    #[test]
    fn events_before_the_window_give_state_but_are_not_counted() {
        let events = history();
        let r = report(&ReportInput {
            since: at(55),
            until: at(100),
            events: &events,
            capacity: &BTreeMap::new(),
            jobs_queued: 0,
        });
        assert_eq!(r.created, 0);
        // Only a completed inside [55, 100]; b completes at 120, after it.
        assert_eq!(r.completed, 1);
        assert_eq!(r.time_to_resolution_minutes.map(|s| s.median), Some(60.0));
        assert_eq!(r.assignment_latency_minutes, None);
        assert_eq!(r.first_time_success, Some(1.0));
        // b executed again at 70, inside; it failed at 50, outside.
        assert_eq!(r.error_rate, Some(0.0));
    }

    #[test]
    fn an_empty_history_reports_zeros_and_no_ratios() {
        let r = report(&ReportInput {
            since: at(0),
            until: at(0),
            events: &[],
            capacity: &BTreeMap::new(),
            jobs_queued: 0,
        });
        assert_eq!((r.created, r.completed), (0, 0));
        assert_eq!(r.completion_rate, None);
        assert_eq!(r.time_to_resolution_minutes, None);
        assert!(r.agents.is_empty());
    }
}
