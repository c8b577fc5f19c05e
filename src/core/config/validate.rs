//! Rules a config must follow beyond its shape: bounds, uniqueness, references.
//! Every rule runs, so one check reports every problem at once.

use std::collections::HashSet;

use super::Config;
use super::error::Problem;
use super::labels::label_text_problem;

/// Most subtasks a plan may ever have: GitHub allows 100 sub-issues per parent.
pub const MAX_SUBTASKS_LIMIT: usize = 100;

/// Every problem with `config`, each with the path of the key it is about.
pub(crate) fn problems(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    labels(config, &mut out);
    owners(config, &mut out);
    planning(config, &mut out);
    assignment(config, &mut out);
    timing(config, &mut out);
    execution(config, &mut out);
    project(config, &mut out);
    schedules(config, &mut out);
    out
}

fn labels(config: &Config, out: &mut Vec<Problem>) {
    let l = &config.labels;
    let fields = [
        ("trigger", &l.trigger),
        ("skip", &l.skip),
        ("type_prefix", &l.type_prefix),
        ("priority_prefix", &l.priority_prefix),
        ("owner_prefix", &l.owner_prefix),
        ("status_prefix", &l.status_prefix),
        ("escalated", &l.escalated),
    ];
    for (key, value) in fields {
        if let Some(why) = label_text_problem(value) {
            out.push(Problem::at_path(
                format!("labels.{key}"),
                format!("`labels.{key}` ({value:?}) {why}"),
            ));
        }
    }
    if !l.trigger.is_empty() && l.trigger.eq_ignore_ascii_case(&l.skip) {
        out.push(Problem::at_path(
            "labels.skip",
            format!(
                "`labels.skip` must differ from `labels.trigger` (both are {:?})",
                l.trigger
            ),
        ));
    }
    let prefixes = &fields[2..];
    for (i, (key, value)) in prefixes.iter().enumerate() {
        let clash = prefixes[..i]
            .iter()
            .find(|(_, other)| !value.is_empty() && other.eq_ignore_ascii_case(value));
        if let Some((other, _)) = clash {
            out.push(Problem::at_path(
                format!("labels.{key}"),
                format!(
                    "`labels.{key}` ({value:?}) is the same as `labels.{other}`: \
                     give each label family its own prefix"
                ),
            ));
        }
    }
}

fn owners(config: &Config, out: &mut Vec<Problem>) {
    if config.owners.is_empty() {
        out.push(Problem::at_path(
            "owners",
            "`owners` is empty: list at least one owner domain, e.g. `- name: development`",
        ));
    }
    let mut seen = HashSet::new();
    for (i, o) in config.owners.iter().enumerate() {
        let path = format!("owners[{i}].name");
        if let Some(why) = owner_name_problem(&o.name) {
            out.push(Problem::at_path(
                &path,
                format!("owner name {:?} {why}", o.name),
            ));
        } else if let Some(why) = label_text_problem(&config.labels.owner_label(&o.name)) {
            out.push(Problem::at_path(
                &path,
                format!(
                    "owner name {:?}: its label {:?} {why}",
                    o.name,
                    config.labels.owner_label(&o.name)
                ),
            ));
        }
        if !seen.insert(o.name.to_ascii_lowercase()) {
            out.push(Problem::at_path(
                &path,
                format!(
                    "owner {:?} is listed twice: owner names must be unique",
                    o.name
                ),
            ));
        }
    }
}

/// Owner names appear in labels, in `@owner` plan lines and in commands, so
/// they are single words.
fn owner_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("must not be empty")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Some("may only use letters, digits, `-`, `_` and `.`")
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        Some("must start with a letter or digit")
    } else {
        None
    }
}

fn planning(config: &Config, out: &mut Vec<Problem>) {
    let p = &config.planning;
    if p.min_subtasks < 1 {
        out.push(Problem::at_path(
            "planning.min_subtasks",
            "`planning.min_subtasks` must be at least 1",
        ));
    }
    if p.max_subtasks > MAX_SUBTASKS_LIMIT {
        out.push(Problem::at_path(
            "planning.max_subtasks",
            format!(
                "`planning.max_subtasks` is {}: GitHub allows at most {MAX_SUBTASKS_LIMIT} \
                 sub-issues per issue",
                p.max_subtasks
            ),
        ));
    }
    if p.min_subtasks > p.max_subtasks {
        out.push(Problem::at_path(
            "planning.max_subtasks",
            format!(
                "`planning.max_subtasks` ({}) must be at least `planning.min_subtasks` ({})",
                p.max_subtasks, p.min_subtasks
            ),
        ));
    }
    if p.max_stages < 1 {
        out.push(Problem::at_path(
            "planning.max_stages",
            "`planning.max_stages` must be at least 1",
        ));
    }
    if p.default_estimate_minutes < 1 {
        out.push(Problem::at_path(
            "planning.default_estimate_minutes",
            "`planning.default_estimate_minutes` must be at least 1",
        ));
    }
}

fn assignment(config: &Config, out: &mut Vec<Problem>) {
    let a = &config.assignment;
    if a.auction_window_minutes < 1 {
        out.push(Problem::at_path(
            "assignment.auction_window_minutes",
            "`assignment.auction_window_minutes` must be at least 1",
        ));
    }
    let known = |name: &str| config.owner(name).is_some();
    let owner_list = || {
        config
            .owners
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut seen = HashSet::new();
    for (i, agent) in a.agents.iter().enumerate() {
        let at = format!("assignment.agents[{i}]");
        if let Some(why) = login_problem(&agent.login, agent.team) {
            out.push(Problem::at_path(
                format!("{at}.login"),
                format!("agent login {:?} {why}", agent.login),
            ));
        }
        if !seen.insert(agent.login.to_ascii_lowercase()) {
            out.push(Problem::at_path(
                format!("{at}.login"),
                format!("agent {:?} is listed twice", agent.login),
            ));
        }
        if agent.capacity < 1 {
            out.push(Problem::at_path(
                format!("{at}.capacity"),
                format!("agent {:?}: `capacity` must be at least 1", agent.login),
            ));
        }
        for (j, owner) in agent.owners.iter().enumerate() {
            if !known(owner) {
                out.push(Problem::at_path(
                    format!("{at}.owners[{j}]"),
                    format!(
                        "agent {:?}: unknown owner {owner:?}; configured owners are {}",
                        agent.login,
                        owner_list()
                    ),
                ));
            }
        }
        for (owner, weight) in &agent.specialization {
            let path = format!("{at}.specialization.{owner}");
            if !known(owner) {
                out.push(Problem::at_path(
                    &path,
                    format!(
                        "agent {:?}: specialization names unknown owner {owner:?}; \
                         configured owners are {}",
                        agent.login,
                        owner_list()
                    ),
                ));
            }
            if !(0.0..=1.0).contains(weight) {
                out.push(Problem::at_path(
                    &path,
                    format!(
                        "agent {:?}: specialization weight for {owner:?} is {weight}; \
                         use a number from 0 to 1",
                        agent.login
                    ),
                ));
            }
        }
    }
}

fn login_problem(login: &str, team: bool) -> Option<&'static str> {
    if login.trim().is_empty() {
        Some("must not be empty")
    } else if login.starts_with('@') {
        Some("must be written without the leading `@`")
    } else if login.chars().any(char::is_whitespace) {
        Some("must not contain spaces")
    } else if team && login.matches('/').count() != 1 {
        Some("names a team, so it must be written `org/team`")
    } else if !team && login.contains('/') {
        Some("contains `/`: add `team: true` if it names a team")
    } else {
        None
    }
}

fn timing(config: &Config, out: &mut Vec<Problem>) {
    let m = &config.monitoring;
    let positive = [
        ("monitoring.heartbeat_every", m.heartbeat_every),
        ("monitoring.zombie_after", m.zombie_after),
        ("monitoring.sweep_every", m.sweep_every),
        ("monitoring.reconcile_every", m.reconcile_every),
        ("retries.backoff", config.retries.backoff),
    ];
    for (path, d) in positive {
        if d.as_secs() == 0 {
            out.push(Problem::at_path(
                path,
                format!("`{path}` must be longer than 0s"),
            ));
        }
    }
    if m.zombie_after <= m.heartbeat_every {
        out.push(Problem::at_path(
            "monitoring.zombie_after",
            format!(
                "`monitoring.zombie_after` ({}) must be longer than \
                 `monitoring.heartbeat_every` ({}), or every task looks dead",
                m.zombie_after, m.heartbeat_every
            ),
        ));
    }
}

fn execution(config: &Config, out: &mut Vec<Problem>) {
    let w = &config.execution.workflow;
    if !(w.ends_with(".yml") || w.ends_with(".yaml")) || w.contains('/') || w.len() <= 4 {
        out.push(Problem::at_path(
            "execution.workflow",
            format!(
                "`execution.workflow` ({w:?}) must be a workflow file name in \
                 .github/workflows, e.g. vayu-execute.yml"
            ),
        ));
    }
    if config
        .execution
        .git_ref
        .as_deref()
        .is_some_and(|r| r.trim().is_empty())
    {
        out.push(Problem::at_path(
            "execution.ref",
            "`execution.ref` is empty: name a branch or tag, or remove the key \
             to use the default branch",
        ));
    }
}

fn project(config: &Config, out: &mut Vec<Problem>) {
    let Some(p) = &config.project else { return };
    if p.owner.trim().is_empty() {
        out.push(Problem::at_path(
            "project.owner",
            "`project.owner` must name the user or organization that owns the project",
        ));
    }
    if p.number < 1 {
        out.push(Problem::at_path(
            "project.number",
            "`project.number` must be the project's number from its URL (1 or more)",
        ));
    }
    for (key, name) in p.fields.entries() {
        if name.trim().is_empty() {
            out.push(Problem::at_path(
                format!("project.fields.{key}"),
                format!("`project.fields.{key}` must name a field of the project"),
            ));
        }
    }
}

fn schedules(config: &Config, out: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    for (i, s) in config.schedules.iter().enumerate() {
        let at = format!("schedules[{i}]");
        if s.name.trim().is_empty() {
            out.push(Problem::at_path(
                format!("{at}.name"),
                format!("`{at}.name` must not be empty"),
            ));
        } else if !seen.insert(s.name.to_ascii_lowercase()) {
            out.push(Problem::at_path(
                format!("{at}.name"),
                format!(
                    "schedule {:?} is listed twice: schedule names must be unique",
                    s.name
                ),
            ));
        }
        let fields = s.cron.split_whitespace().count();
        if fields == 5 {
            if let Err(e) = crate::core::schedule::CronSchedule::parse(&s.cron) {
                out.push(Problem::at_path(
                    format!("{at}.cron"),
                    format!("schedule {:?}: {e}", s.name),
                ));
            }
        } else {
            out.push(Problem::at_path(
                format!("{at}.cron"),
                format!(
                    "schedule {:?}: cron {:?} has {fields} fields; write five \
                     (minute hour day-of-month month day-of-week), e.g. \"0 6 * * 1\"",
                    s.name, s.cron
                ),
            ));
        }
        for (j, label) in s.labels.iter().enumerate() {
            if let Some(why) = label_text_problem(label) {
                out.push(Problem::at_path(
                    format!("{at}.labels[{j}]"),
                    format!("schedule {:?}: label {label:?} {why}", s.name),
                ));
            }
        }
    }
}
