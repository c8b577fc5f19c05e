//! Loading `.github/vayu.yml`: defaults, every section, and the messages a user sees.

use std::collections::BTreeMap;

use super::*;
use crate::core::plan::model::Mode;
use crate::core::task::TaskType;

fn load(text: &str) -> Config {
    Config::from_yaml(text).unwrap_or_else(|e| panic!("config should load:\n{e}"))
}

fn refuse(text: &str) -> String {
    match Config::from_yaml(text) {
        Ok(c) => panic!("config should be refused, got {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn empty_and_comment_only_documents_give_the_defaults() {
    for text in [
        "",
        "\n\n",
        "# just a comment\n# and another\n",
        "---\n",
        "~\n",
    ] {
        assert_eq!(load(text), Config::default(), "{text:?}");
    }
}

#[test]
fn defaults_are_valid_and_match_the_design() {
    let c = Config::default();
    assert_eq!(c.problems(), []);
    assert_eq!(c.permissions.required("decompose"), Permission::Write);
    assert_eq!(c.permissions.required("claim"), Permission::Triage);
    assert_eq!(c.permissions.required("plan"), Permission::Read);
    assert_eq!(c.assignment.strategy, Strategy::Push);
    assert_eq!(c.monitoring.heartbeat_every, DurationSecs(180));
    assert_eq!(c.monitoring.zombie_after, DurationSecs(1_200));
    assert_eq!(c.monitoring.sweep_every, DurationSecs(300));
    assert_eq!(c.monitoring.reconcile_every, DurationSecs(3_600));
    assert_eq!(c.retries.max_retries, 3);
    assert_eq!(c.retries.backoff, DurationSecs(60));
    assert_eq!(c.review.mode_for(TaskType::Feature), ReviewMode::None);
    assert_eq!(c.execution.workflow, "vayu-execute.yml");
    assert_eq!(c.execution.git_ref, None);
    assert_eq!(c.execution.dispatch, Dispatch::Workflow);
    assert_eq!(c.project, None);
    assert!(c.schedules.is_empty());
}

#[test]
fn a_partial_section_keeps_the_defaults_of_the_rest() {
    let c = load("planning:\n  max_subtasks: 20\npermissions:\n  claim: write\n");
    assert_eq!(c.planning.max_subtasks, 20);
    assert_eq!(c.planning.min_subtasks, 3);
    assert_eq!(c.permissions.required("claim"), Permission::Write);
    assert_eq!(c.permissions.required("unclaim"), Permission::Triage);
    assert_eq!(c.owners, OwnerConfig::defaults());
}

/// A config where every section differs from its defaults.
fn everything_changed() -> Config {
    let mut agent = AgentConfig::new("alice");
    agent.owners = vec!["backend".into()];
    agent.capacity = 2;
    agent.specialization = BTreeMap::from([("backend".into(), 0.75), ("ops".into(), 0.5)]);
    let mut team = AgentConfig::new("org/ops-team");
    team.team = true;
    Config {
        labels: LabelConfig {
            trigger: "bot".into(),
            skip: "bot:skip".into(),
            type_prefix: "kind/".into(),
            priority_prefix: "p/".into(),
            owner_prefix: "area/".into(),
            status_prefix: "state/".into(),
            escalated: "bot:stuck".into(),
        },
        owners: vec![
            OwnerConfig {
                name: "backend".into(),
                keywords: vec!["api".into()],
            },
            OwnerConfig {
                name: "ops".into(),
                keywords: vec![],
            },
        ],
        planning: PlanningConfig {
            min_subtasks: 2,
            max_subtasks: 50,
            max_stages: 4,
            mode: Mode::Stages,
            default_estimate_minutes: 45,
        },
        complexity: ComplexityConfig {
            files: 8,
            minutes: 60,
            owners: 3,
        },
        permissions: PermissionsConfig {
            plan: Permission::Triage,
            bid: Permission::Maintain,
            cancel: Permission::Admin,
            ..PermissionsConfig::default()
        },
        assignment: AssignmentConfig {
            strategy: Strategy::Auction,
            assign_issues: false,
            auction_window_minutes: 30,
            agents: vec![agent, team],
            collaborators: 0,
        },
        monitoring: MonitoringConfig {
            heartbeat_every: DurationSecs(90),
            zombie_after: DurationSecs(5_400),
            sweep_every: DurationSecs(60),
            reconcile_every: DurationSecs(86_400),
        },
        retries: RetriesConfig {
            max_retries: 5,
            backoff: DurationSecs(30),
        },
        review: ReviewConfig {
            default: ReviewMode::Automated,
            security: Some(ReviewMode::User),
            feature: Some(ReviewMode::SelfReview),
            bug: Some(ReviewMode::Peer),
            ..ReviewConfig::default()
        },
        execution: ExecutionConfig {
            workflow: "run.yaml".into(),
            git_ref: Some("release".into()),
            dispatch: Dispatch::Repository,
        },
        project: Some(ProjectConfig {
            owner: "org".into(),
            number: 3,
            fields: ProjectFields {
                stage: "Phase".into(),
                ..ProjectFields::default()
            },
        }),
        schedules: vec![ScheduleConfig {
            name: "nightly".into(),
            cron: "0 2 * * *".into(),
            template: TaskType::Maintenance,
            title: None,
            labels: vec!["chore".into()],
        }],
    }
}

#[test]
fn every_section_round_trips_through_yaml() {
    let c = everything_changed();
    assert_eq!(c.problems(), []);
    let text = serde_saphyr::to_string(&c).expect("serialize");
    assert_eq!(load(&text), c, "{text}");
    let defaults = serde_saphyr::to_string(&Config::default()).expect("serialize");
    assert_eq!(load(&defaults), Config::default());
}

#[test]
fn every_section_reads_its_documented_spelling() {
    let c = load(
        "\
labels: {trigger: bot, skip: 'bot:skip', type_prefix: kind/, priority_prefix: p/,
         owner_prefix: area/, status_prefix: state/, escalated: 'bot:stuck'}
owners:
  - name: backend
    keywords: [api]
  - name: ops
planning: {min_subtasks: 2, max_subtasks: 50, max_stages: 4, mode: stages,
           default_estimate_minutes: 45}
complexity: {files: 8, minutes: 60, owners: 3}
permissions: {plan: triage, bid: maintain, cancel: admin}
assignment:
  strategy: auction
  assign_issues: false
  auction_window_minutes: 30
  agents:
    - login: alice
      owners: [backend]
      capacity: 2
      specialization: {backend: 0.75, ops: 0.5}
    - {login: org/ops-team, team: true}
monitoring: {heartbeat_every: 90s, zombie_after: 1h30m, sweep_every: 1m, reconcile_every: 1d}
retries: {max_retries: 5, backoff: 30s}
review: {default: automated, security: user, feature: self, bug: peer}
execution: {workflow: run.yaml, ref: release, dispatch: repository}
project:
  owner: org
  number: 3
  fields: {stage: Phase}
schedules:
  - {name: nightly, cron: '0 2 * * *', template: maintenance, labels: [chore]}
",
    );
    assert_eq!(c, everything_changed());
    assert_eq!(c.schedules[0].title(), "nightly");
}

#[test]
fn the_example_config_is_the_defaults_plus_a_project_and_a_schedule() {
    let mut c = load(include_str!("../../../examples/vayu.yml"));
    assert_eq!(
        c.project,
        Some(ProjectConfig {
            owner: "my-org".into(),
            number: 7,
            fields: ProjectFields::default(),
        })
    );
    assert_eq!(
        c.schedules,
        [ScheduleConfig {
            name: "weekly dependency audit".into(),
            cron: "0 6 * * 1".into(),
            template: TaskType::Maintenance,
            title: Some("Weekly dependency audit".into()),
            labels: vec!["dependencies".into()],
        }]
    );
    c.project = None;
    c.schedules.clear();
    assert_eq!(c, Config::default());
}

#[test]
fn unknown_top_level_key_names_it_with_position_and_valid_keys() {
    assert_eq!(
        refuse("planning:\n  max_subtasks: 5\nplaning:\n  max_stages: 3\n"),
        ".github/vayu.yml:3:1: unknown key `planing` at the top level (did you mean \
         `planning`?); valid keys are: labels, owners, planning, complexity, permissions, \
         assignment, monitoring, retries, review, execution, project, schedules"
    );
}

#[test]
fn unknown_nested_key_names_its_section() {
    assert_eq!(
        refuse("# config\nplanning:\n  min_subtasks: 2\n  max_subtask: 5\n"),
        ".github/vayu.yml:4:3: unknown key `max_subtask` in `planning` (did you mean \
         `max_subtasks`?); valid keys are: min_subtasks, max_subtasks, max_stages, mode, \
         default_estimate_minutes"
    );
    assert_eq!(
        refuse("owners:\n  - name: dev\n  - name: ops\n    keyword: [x]\n"),
        ".github/vayu.yml:4:5: unknown key `keyword` in `owners[1]` (did you mean \
         `keywords`?); valid keys are: name, keywords"
    );
    assert_eq!(
        refuse("assignment:\n  agents:\n    - {login: a, skills: {x: 1}}\n"),
        ".github/vayu.yml:3:18: unknown key `skills` in `assignment.agents[0]`; valid keys \
         are: login, team, owners, capacity, specialization"
    );
}

#[test]
fn unknown_verb_lists_the_valid_verbs() {
    assert_eq!(
        Config::from_yaml_named("vayu.yml", "permissions:\n  deploy: admin\n")
            .expect_err("unknown verb")
            .to_string(),
        "vayu.yml:2:3: unknown verb `deploy` in `permissions`; valid verbs are: plan, \
         decompose, status, claim, unclaim, assign, start, pause, resume, retry, review, \
         cancel, replan, help, away, back, bid"
    );
}

#[test]
fn unknown_value_names_the_key_and_the_valid_values() {
    assert_eq!(
        refuse("assignment:\n  strategy: round_robin\n"),
        ".github/vayu.yml:2:13: unknown value `round_robin` for `assignment.strategy`: \
         expected one of push, pull, hybrid, auction"
    );
    assert_eq!(
        refuse("permissions:\n  claim: owner\n"),
        ".github/vayu.yml:2:10: unknown value `owner` for `permissions.claim`: expected one \
         of read, triage, write, maintain, admin"
    );
}

#[test]
fn wrong_types_give_line_column_and_the_key() {
    assert_eq!(
        refuse("planning:\n  max_subtasks: many\n"),
        ".github/vayu.yml:2:17: `planning.max_subtasks`: expected a whole number, 0 or more"
    );
    assert_eq!(
        refuse("planning:\n  max_stages: -1\n"),
        ".github/vayu.yml:2:15: `planning.max_stages`: expected a whole number, 0 or more"
    );
    assert_eq!(
        refuse("owners: development\n"),
        ".github/vayu.yml:1:9: `owners`: expected a list (`- item` lines or `[a, b]`)"
    );
    assert_eq!(
        refuse("labels:\n  - vayu\n"),
        ".github/vayu.yml:2:3: `labels`: expected a mapping (`key: value` lines)"
    );
    assert_eq!(
        refuse("assignment:\n  assign_issues: sometimes\n"),
        ".github/vayu.yml:2:18: `assignment.assign_issues`: expected true or false"
    );
    assert_eq!(
        refuse("assignment:\n  agents:\n    - {login: a, specialization: {docs: high}}\n"),
        ".github/vayu.yml:3:41: `assignment.agents[0].specialization.docs`: expected a number"
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    let e = Config::from_yaml("planning:\n  max_subtasks: 4\n mode: dag\n").expect_err("bad");
    assert_eq!(e.problems.len(), 1);
    assert_eq!(
        (e.problems[0].line, e.problems[0].column),
        (Some(3), Some(2))
    );
    assert!(e.to_string().starts_with(".github/vayu.yml:3:2: "), "{e}");
}

#[test]
fn a_key_written_twice_is_refused() {
    assert_eq!(
        refuse("planning:\n  mode: dag\n  mode: stages\n"),
        ".github/vayu.yml:3:3: `planning.mode` is written twice: keep one"
    );
}

#[test]
fn bad_durations_explain_the_format() {
    assert_eq!(
        refuse("monitoring:\n  heartbeat_every: 3 minutes\n"),
        ".github/vayu.yml:2:20: `monitoring.heartbeat_every`: invalid duration `3 minutes`: \
         unknown unit; write a number followed by a unit (d, h, m, s), e.g. 90s, 3m, 1h30m"
    );
    assert_eq!(
        refuse("retries:\n  backoff: 60\n"),
        ".github/vayu.yml:2:12: `retries.backoff`: invalid duration `60`: the number has no \
         unit; write a number followed by a unit (d, h, m, s), e.g. 90s, 3m, 1h30m"
    );
}

#[test]
fn validation_reports_every_problem_at_its_key() {
    let text = "\
labels:
  trigger: ''
owners:
  - name: dev
  - name: Dev
  - name: front end
planning:
  min_subtasks: 5
  max_subtasks: 4
  max_stages: 0
monitoring:
  heartbeat_every: 30m
assignment:
  agents:
    - login: alice
      owners: [dev, qa]
      specialization: {dev: 1.5}
schedules:
  - {name: nightly, cron: '0 2 * *'}
";
    assert_eq!(
        refuse(text),
        "\
.github/vayu.yml:2:3: `labels.trigger` (\"\") must not be empty
.github/vayu.yml:5:5: owner \"Dev\" is listed twice: owner names must be unique
.github/vayu.yml:6:5: owner name \"front end\" may only use letters, digits, `-`, `_` and `.`
.github/vayu.yml:9:3: `planning.max_subtasks` (4) must be at least `planning.min_subtasks` (5)
.github/vayu.yml:10:3: `planning.max_stages` must be at least 1
.github/vayu.yml:11:1: `monitoring.zombie_after` (20m) must be longer than `monitoring.heartbeat_every` (30m), or every task looks dead
.github/vayu.yml:16:21: agent \"alice\": unknown owner \"qa\"; configured owners are dev, Dev, front end
.github/vayu.yml:17:24: agent \"alice\": specialization weight for \"dev\" is 1.5; use a number from 0 to 1
.github/vayu.yml:19:21: schedule \"nightly\": cron \"0 2 * *\" has 4 fields; write five (minute hour day-of-month month day-of-week), e.g. \"0 6 * * 1\""
    );
}

#[test]
fn problems_in_code_built_configs_carry_paths() {
    let mut c = Config::default();
    c.planning.max_subtasks = 101;
    c.labels.type_prefix = "status:".into();
    let problems = c.problems();
    let paths: Vec<_> = problems.iter().filter_map(|p| p.path.as_deref()).collect();
    assert_eq!(paths, ["labels.status_prefix", "planning.max_subtasks"]);
    assert_eq!(
        problems[1].message,
        "`planning.max_subtasks` is 101: GitHub allows at most 100 sub-issues per issue"
    );
}

#[test]
fn agents_must_name_configured_owners() {
    assert_eq!(
        refuse("assignment:\n  agents:\n    - login: bob\n      owners: [backend]\n"),
        ".github/vayu.yml:4:16: agent \"bob\": unknown owner \"backend\"; configured owners \
         are development, security, inventory, cicd, docs"
    );
}

#[test]
fn an_alias_bomb_is_refused_before_expansion() {
    // Nine levels of nine aliases: 9^9 strings if expanded.
    let mut bomb = String::from(
        "owners:\n  - name: a\n    keywords: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    let mut prev = "a";
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!(
            "  - name: {name}\n    keywords: &{name} [{refs}]\n"
        ));
        prev = name;
    }
    assert_eq!(
        refuse(&bomb),
        ".github/vayu.yml:19:23: too many YAML aliases: a config may use `*name` at most 64 \
         times; write the values out instead"
    );
}

#[test]
fn a_flat_alias_fan_out_is_refused_too() {
    let mut text = String::from("owners:\n  - &o {name: a, keywords: [x, y, z]}\n");
    for _ in 0..100 {
        text.push_str("  - *o\n");
    }
    let e = Config::from_yaml(&text).expect_err("too many aliases");
    assert_eq!(
        (e.problems[0].line, e.problems[0].column),
        (Some(67), Some(5))
    );
    assert!(e.to_string().contains("too many YAML aliases"), "{e}");
}

#[test]
fn a_few_aliases_are_fine() {
    let c = load(
        "schedules:\n  - {name: a, cron: '0 1 * * *', labels: &l [x, y]}\n  - {name: b, cron: '0 2 * * *', labels: *l}\n",
    );
    assert_eq!(c.schedules[1].labels, ["x", "y"]);
}

#[test]
fn an_oversized_document_is_refused_unread() {
    let mut text = String::from("owners:\n");
    while text.len() <= MAX_CONFIG_BYTES {
        text.push_str("  - name: x\n");
    }
    assert_eq!(
        refuse(&text),
        format!(
            ".github/vayu.yml: the file is {} bytes, over the limit of 262144 bytes (256 KiB); \
             a vayu config should be a few KiB",
            text.len()
        )
    );
}

#[test]
fn a_second_document_is_refused() {
    assert_eq!(
        refuse("planning: {}\n---\nplanning: {}\n"),
        ".github/vayu.yml:2:1: the file holds more than one YAML document: remove the second \
         `---` and what follows"
    );
}

#[test]
fn helpers_find_owners_and_labels() {
    let c = Config::default();
    assert_eq!(
        c.owner("Security").map(|o| o.name.as_str()),
        Some("security")
    );
    assert_eq!(c.owner("frontend"), None);
    let specs = c.label_specs();
    assert!(specs.iter().any(|s| s.name == "owner:cicd"));
    assert!(specs.iter().any(|s| s.name == "status:queued"));
    assert_eq!(specs.len(), 3 + 8 + 4 + 5 + 11);
}

#[test]
fn deep_nesting_is_refused_without_overflowing() {
    let text = format!("owners: {}", "[".repeat(200_000));
    assert_eq!(
        refuse(&text),
        ".github/vayu.yml:1:264: recursion limit exceeded"
    );
}

#[test]
fn missing_required_keys_are_named() {
    assert_eq!(
        refuse("project:\n  owner: o\n"),
        ".github/vayu.yml:2:3: `project` is missing the required key `number`"
    );
    assert_eq!(
        refuse("schedules:\n  - name: x\n"),
        ".github/vayu.yml:2:5: `schedules[0]` is missing the required key `cron`"
    );
}

#[test]
fn github_permission_words_read_back_including_the_legacy_names() {
    use super::Permission;
    assert_eq!(
        Permission::from_github("maintain"),
        Some(Permission::Maintain)
    );
    assert_eq!(Permission::from_github("push"), Some(Permission::Write));
    assert_eq!(Permission::from_github("pull"), Some(Permission::Read));
    assert_eq!(Permission::from_github("none"), None);
    assert_eq!(Permission::from_github(""), None);
}
