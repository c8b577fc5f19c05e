//! Scheduled tasks (seed 003 §4): which schedules are due, and opening the
//! issue for one slot. Who may fire a slot is the caller's [`SlotClaims`]:
//! the server claims slots in its database (one row per slot, so replicas
//! and restarts never fire a slot twice), the Action reads the markers of
//! the issues earlier runs opened, since it has no database.

use std::collections::BTreeMap;
use std::future::Future;

use chrono::{DateTime, Utc};

use super::config_load::load_config;
use super::converge::converge;
use super::ctx::Ctx;
use super::error::AppError;
use super::ports::{GitHub, Issue, LabelSpec, Ledger, NewIssue, StateFilter};
use crate::core::config::{Config, LabelMeaning, ScheduleConfig};
use crate::core::ids::{IssueNumber, RepoName};
use crate::core::schedule::{CronSchedule, due_slot, slot_id};

/// The job kind the server enqueues for a claimed slot.
pub const SCHEDULE_JOB: &str = "schedule";

/// Where fired slots are remembered, and who wins a slot.
pub trait SlotClaims: Send + Sync {
    /// The newest slot fired for `schedule`.
    fn last_fired(
        &self,
        repo: &RepoName,
        schedule: &str,
    ) -> impl Future<Output = Result<Option<DateTime<Utc>>, AppError>> + Send;
    /// Takes `slot` for this caller; false when someone already did.
    fn claim(
        &self,
        repo: &RepoName,
        schedule: &str,
        slot: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, AppError>> + Send;
}

/// One slot of one schedule that this caller claimed and must now fire.
#[derive(Debug, Clone, PartialEq)]
pub struct DueSlot {
    /// The schedule as configured.
    pub schedule: ScheduleConfig,
    /// The slot (a cron match time).
    pub slot: DateTime<Utc>,
}

/// The hidden marker in a scheduled issue's body: names the schedule and slot.
pub fn schedule_marker(name: &str, slot: DateTime<Utc>) -> String {
    format!(
        "<!-- vayu:schedule v=1 name={} slot={} -->",
        marker_safe(name),
        slot_id(slot)
    )
}

/// A schedule name as it appears in a marker: no spaces or `-->`.
pub fn marker_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The (schedule name, slot id) of a scheduled issue's marker.
fn read_marker(body: &str) -> Option<(String, String)> {
    let start = body.find("<!-- vayu:schedule v=1 ")?;
    let rest = &body[start..];
    let end = rest.find("-->")?;
    let mut name = None;
    let mut slot = None;
    for part in rest[..end].split_whitespace() {
        if let Some(n) = part.strip_prefix("name=") {
            name = Some(n.to_owned());
        } else if let Some(s) = part.strip_prefix("slot=") {
            slot = Some(s.to_owned());
        }
    }
    Some((name?, slot?))
}

/// Claims every due slot of `repo`'s schedules at `now`: at most one per
/// schedule (missed slots collapse into the latest).
pub async fn claim_due<G: GitHub, C: SlotClaims>(
    gh: &G,
    claims: &C,
    repo: &RepoName,
    now: DateTime<Utc>,
) -> Result<Vec<DueSlot>, AppError> {
    let Ok(cfg) = load_config(gh, repo).await? else {
        // A broken config is reported on the issues it affects; nothing to schedule.
        return Ok(Vec::new());
    };
    let mut due = Vec::new();
    for s in &cfg.schedules {
        let Ok(cron) = CronSchedule::parse(&s.cron) else {
            continue;
        };
        let last = claims.last_fired(repo, &s.name).await?;
        let Some(slot) = due_slot(&cron, last, now) else {
            continue;
        };
        if claims.claim(repo, &s.name, slot).await? {
            due.push(DueSlot {
                schedule: s.clone(),
                slot,
            });
        }
    }
    Ok(due)
}

/// The scheduled issues already on GitHub, by (marker name, slot id).
pub async fn scheduled_issues<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    cfg: &Config,
) -> Result<BTreeMap<(String, String), IssueNumber>, AppError> {
    let mut found = BTreeMap::new();
    for issue in gh
        .issues_with_label(repo, &cfg.labels.trigger, StateFilter::All)
        .await?
    {
        if let Some(k) = read_marker(&issue.body) {
            found.entry(k).or_insert(issue.number);
        }
    }
    Ok(found)
}

/// The newest slot per schedule name among `issues` (the Action's state).
pub fn newest_slots(
    issues: &BTreeMap<(String, String), IssueNumber>,
) -> BTreeMap<String, DateTime<Utc>> {
    let mut out: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    for (name, slot) in issues.keys() {
        let Ok(t) = chrono::NaiveDateTime::parse_from_str(slot, "%Y-%m-%dT%H:%MZ") else {
            continue;
        };
        let t = t.and_utc();
        let e = out.entry(name.clone()).or_insert(t);
        if t > *e {
            *e = t;
        }
    }
    out
}

/// Opens the issue for one slot, unless one exists already, and triages it
/// (a type with a template is decomposed into it). Safe to run again.
pub async fn fire<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    schedule: &str,
    slot: DateTime<Utc>,
) -> Result<Option<IssueNumber>, AppError> {
    let cfg = match load_config(&ctx.gh, repo).await? {
        Ok(cfg) => cfg,
        Err(_) => return Ok(None),
    };
    let Some(s) = cfg.schedules.iter().find(|s| s.name == schedule) else {
        // Removed from the config since the slot was claimed.
        return Ok(None);
    };
    let key = (marker_safe(&s.name), slot_id(slot));
    let existing = scheduled_issues(&ctx.gh, repo, &cfg).await?;
    let n = match existing.get(&key) {
        Some(n) => *n,
        None => open_issue(ctx, repo, &cfg, s, slot).await?.number,
    };
    let force = ctx.templates.plan(s.template, s.title()).is_some();
    converge(ctx, repo, n, force).await?;
    Ok(Some(n))
}

async fn open_issue<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    cfg: &Config,
    s: &ScheduleConfig,
    slot: DateTime<Utc>,
) -> Result<Issue, AppError> {
    let meanings = [LabelMeaning::Trigger, LabelMeaning::Type(s.template)];
    for m in &meanings {
        let spec = cfg.labels.spec(m);
        let spec = LabelSpec {
            name: spec.name,
            color: spec.color.to_owned(),
            description: spec.description,
        };
        ctx.gh.ensure_label(repo, &spec).await?;
    }
    let mut labels: Vec<String> = meanings.iter().map(|m| cfg.labels.label(m)).collect();
    for l in &s.labels {
        if !labels.iter().any(|x| x.eq_ignore_ascii_case(l)) {
            labels.push(l.clone());
        }
    }
    let body = format!(
        "{}\nOpened by the schedule `{}` (`{}`) for {}.",
        schedule_marker(&s.name, slot),
        marker_safe(&s.name),
        s.cron.replace('`', "'"),
        slot.format("%Y-%m-%d %H:%M UTC"),
    );
    let new = NewIssue {
        title: s.title().to_owned(),
        body,
        labels,
        assignees: Vec::new(),
    };
    Ok(ctx.gh.create_issue(repo, &new).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn markers_round_trip_and_names_cannot_break_out() {
        let slot = Utc.with_ymd_and_hms(2026, 3, 2, 13, 0, 0).unwrap();
        let m = schedule_marker("weekly deps --> x", slot);
        assert_eq!(
            m,
            "<!-- vayu:schedule v=1 name=weekly-deps-----x slot=2026-03-02T13:00Z -->"
        );
        let body = format!("{m}\ntext");
        assert_eq!(
            read_marker(&body),
            Some(("weekly-deps-----x".into(), "2026-03-02T13:00Z".into()))
        );
        let mut issues = BTreeMap::new();
        issues.insert(("a".into(), "2026-03-02T13:00Z".into()), IssueNumber(1));
        issues.insert(("a".into(), "2026-03-02T15:00Z".into()), IssueNumber(2));
        issues.insert(("a".into(), "garbage".into()), IssueNumber(3));
        assert_eq!(
            newest_slots(&issues)["a"],
            Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap()
        );
    }
}

/// Slot state read from the markers of scheduled issues on GitHub (the
/// Action has no database): a slot is claimable when no issue has it yet.
#[derive(Debug, Clone, Default)]
pub struct MarkerClaims {
    issues: BTreeMap<(String, String), IssueNumber>,
    newest: BTreeMap<String, DateTime<Utc>>,
}

impl MarkerClaims {
    /// The claims as GitHub shows them for `repo`.
    pub async fn read<G: GitHub>(gh: &G, repo: &RepoName, cfg: &Config) -> Result<Self, AppError> {
        let issues = scheduled_issues(gh, repo, cfg).await?;
        let newest = newest_slots(&issues);
        Ok(Self { issues, newest })
    }
}

impl SlotClaims for MarkerClaims {
    async fn last_fired(
        &self,
        _repo: &RepoName,
        schedule: &str,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        Ok(self.newest.get(&marker_safe(schedule)).copied())
    }

    async fn claim(
        &self,
        _repo: &RepoName,
        schedule: &str,
        slot: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        Ok(!self
            .issues
            .contains_key(&(marker_safe(schedule), slot_id(slot))))
    }
}

/// Fires what is due in `repo` with the state kept on GitHub (the Action's
/// `sweep`): returns each fired schedule's name with its issue.
pub async fn sweep_schedules<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    repo: &RepoName,
    now: DateTime<Utc>,
) -> Result<Vec<(String, IssueNumber)>, AppError> {
    let Ok(cfg) = load_config(&ctx.gh, repo).await? else {
        return Ok(Vec::new());
    };
    if cfg.schedules.is_empty() {
        return Ok(Vec::new());
    }
    let claims = MarkerClaims::read(&ctx.gh, repo, &cfg).await?;
    let mut fired = Vec::new();
    for due in claim_due(&ctx.gh, &claims, repo, now).await? {
        if let Some(n) = fire(ctx, repo, &due.schedule.name, due.slot).await? {
            fired.push((due.schedule.name, n));
        }
    }
    Ok(fired)
}
