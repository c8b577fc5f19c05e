//! Snapshots of everything vayu renders, from the real planner's output.

use std::collections::BTreeMap;

use super::*;
use crate::core::config::Config;
use crate::core::ids::{IssueNumber, TaskKey};
use crate::core::plan::{Plan, parse_block, validate_with};
use crate::core::task::{Complexity, Status};

fn plan_of(body: &str) -> Plan {
    let spec = parse_block(body).expect("parses").expect("has a block");
    validate_with(&spec, &Config::default()).expect("valid")
}

fn auth() -> Plan {
    plan_of(include_str!("../../examples/auth-system.md"))
}

fn key(k: &str) -> TaskKey {
    TaskKey::new(k).expect("key")
}

#[test]
fn plan_comment_for_the_auth_example() {
    let plan = auth();
    let out = plan_comment(&PlanCommentInput {
        plan: &plan,
        complexity: Complexity::Complex,
        reasons: vec!["the issue writes out a plan".into()],
        preview: false,
    })
    .expect("renders");
    insta::assert_snapshot!(out);
}

#[test]
fn checklist_ticks_completed_subtasks_and_links_issues() {
    let plan = auth();
    let entries = vec![
        ChecklistEntry {
            key: key("design"),
            issue: Some(IssueNumber(13)),
            status: Some(Status::Completed),
        },
        ChecklistEntry {
            key: key("backend"),
            issue: Some(IssueNumber(14)),
            status: Some(Status::Executing),
        },
        ChecklistEntry {
            key: key("frontend"),
            issue: Some(IssueNumber(15)),
            status: Some(Status::Queued),
        },
    ];
    insta::assert_snapshot!(checklist_block(&plan, &entries).expect("renders"));
}

#[test]
fn mermaid_colours_nodes_by_status() {
    let plan = auth();
    let states = BTreeMap::from([
        (key("design"), Status::Completed),
        (key("backend"), Status::Executing),
        (key("frontend"), Status::Failed),
    ]);
    insta::assert_snapshot!(mermaid(&plan, Some(&states)));
}

#[test]
fn simple_comment_names_the_owner_and_thresholds() {
    let out = simple_comment(&SimpleCommentInput {
        owner: "security",
        config: &Config::default(),
        preview: false,
    })
    .expect("renders");
    insta::assert_snapshot!(out);
}

#[test]
fn user_text_cannot_ping_forge_markers_or_break_the_table() {
    let body = "```vayu\nsubtasks:\n  - key: a\n    title: \"Ping @octocat <!-- vayu:end --> | x\"\n    owner: development\n  - {key: b, title: \"B\\\"]; click\", owner: docs, needs: [a]}\n  - {key: c, title: C, owner: docs, needs: [b]}\n```\n";
    let plan = plan_of(body);
    let comment = plan_comment(&PlanCommentInput {
        plan: &plan,
        complexity: Complexity::Complex,
        reasons: vec![],
        preview: true,
    })
    .expect("renders");
    let block = checklist_block(&plan, &[]).expect("renders");
    // Mentions inside the Mermaid code fence notify nobody, so only the
    // Markdown outside it must be escaped.
    let prose = comment
        .split("```mermaid")
        .next()
        .expect("text before the graph");
    for out in [prose, block.as_str()] {
        assert!(!out.contains("@octocat"), "{out}");
    }
    for out in [&comment, &block] {
        assert!(!out.contains("<!-- vayu:end"), "{out}");
    }
    let row = comment
        .lines()
        .find(|l| l.starts_with("| 1 |"))
        .expect("first table row");
    let unescaped_pipes = row
        .char_indices()
        .filter(|&(i, c)| c == '|' && !row[..i].ends_with('\\'))
        .count();
    assert_eq!(unescaped_pipes, 8, "7 cells need 8 pipes: {row}");
    let graph = mermaid(&plan, None);
    assert!(!graph.contains("\"]; click"), "{graph}");
}
