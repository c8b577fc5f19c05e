//! Seed 004's simple/complex decision, with every reason that fired, and the
//! single owner of a simple task.
//!
//! A template plan is not evidence: it says how a task *would* be split, so
//! only a plan written in the issue (block or checklist) counts here.

use std::collections::BTreeSet;
use std::fmt;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::core::config::Config;
use crate::core::plan::{Minutes, PlanSource, PlanSpec};
pub use crate::core::task::Complexity;

/// What the decision looks at.
#[derive(Debug, Clone, Copy)]
pub struct ComplexityInput<'a> {
    /// The issue title.
    pub title: &'a str,
    /// The issue body (Markdown).
    pub body: &'a str,
    /// The plan parsed from the issue, if any.
    pub plan: Option<&'a PlanSpec>,
    /// The issue's label names; an `owner:` label picks a simple task's owner.
    pub labels: &'a [String],
}

/// A reason that made a task complex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The issue writes out a plan.
    ExplicitPlan,
    /// The work spans several owner domains.
    MultipleOwners {
        /// The owners involved, in configured order.
        owners: Vec<String>,
    },
    /// The work touches many files.
    ManyFiles {
        /// How many distinct files were found.
        count: usize,
    },
    /// Some steps must happen before others.
    SequentialDependencies,
    /// The work is estimated to take long.
    LongEstimate {
        /// The pessimistic estimate.
        minutes: u32,
    },
    /// Someone asked for decomposition (`/vayu decompose`) although nothing else fired.
    Requested,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExplicitPlan => f.write_str("the issue writes out a plan"),
            Self::MultipleOwners { owners } => {
                write!(
                    f,
                    "it spans {} owners ({})",
                    owners.len(),
                    owners.join(", ")
                )
            }
            Self::ManyFiles { count } => write!(f, "it touches {count} files"),
            Self::SequentialDependencies => f.write_str("some steps must happen before others"),
            Self::LongEstimate { minutes } => write!(f, "it is estimated at {minutes} min"),
            Self::Requested => f.write_str("decomposition was asked for (`/vayu decompose`)"),
        }
    }
}

/// The decision, why, and (for a simple task) who does it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Simple or complex.
    pub complexity: Complexity,
    /// Every reason that fired; empty for a simple task.
    pub reasons: Vec<Reason>,
    /// A simple task's owner: its `owner:` label, else the best keyword match,
    /// else the first configured owner. `None` for complex tasks.
    pub owner: Option<String>,
}

/// Decides whether a task is simple or complex (seed 004's thresholds from `cfg.complexity`).
pub fn decide(input: &ComplexityInput<'_>, cfg: &Config) -> Decision {
    let explicit = input
        .plan
        .filter(|p| matches!(p.source, PlanSource::Block | PlanSource::Checklist));
    let text = read_text(input.body);
    let words: Vec<String> = words(input.title).chain(words(&text.prose)).collect();
    let mut reasons = Vec::new();
    if explicit.is_some() {
        reasons.push(Reason::ExplicitPlan);
    }

    let mut owners: BTreeSet<usize> = owner_hits(&words, cfg)
        .iter()
        .enumerate()
        .filter(|(_, hits)| **hits > 0)
        .map(|(i, _)| i)
        .collect();
    if let Some(plan) = explicit {
        for s in &plan.subtasks {
            if let Some(i) = s.owner.as_deref().and_then(|o| owner_index(o, cfg)) {
                owners.insert(i);
            }
        }
    }
    if owners.len() >= cfg.complexity.owners.max(2) {
        reasons.push(Reason::MultipleOwners {
            owners: owners.iter().map(|&i| cfg.owners[i].name.clone()).collect(),
        });
    }

    let mut files: BTreeSet<String> = text.files;
    files.extend(bare_paths(input.title));
    if let Some(plan) = explicit {
        files.extend(plan.subtasks.iter().flat_map(|s| s.files.iter().cloned()));
    }
    if files.len() >= cfg.complexity.files.max(1) {
        reasons.push(Reason::ManyFiles { count: files.len() });
    }

    let planned_order = explicit.is_some_and(|p| {
        p.subtasks
            .iter()
            .any(|s| !s.needs.is_empty() || s.when.is_some())
    });
    if planned_order || says_in_order(input.title) || says_in_order(&text.prose) {
        reasons.push(Reason::SequentialDependencies);
    }

    let estimate = match explicit {
        Some(plan) => Some(plan.subtasks.iter().fold(0u32, |acc, s| {
            let m = s
                .estimate
                .unwrap_or(Minutes::exactly(cfg.planning.default_estimate_minutes));
            acc.saturating_add(m.max)
        })),
        None => written_estimate(input.title).max(written_estimate(&text.prose)),
    };
    if let Some(minutes) = estimate.filter(|&m| m > cfg.complexity.minutes) {
        reasons.push(Reason::LongEstimate { minutes });
    }

    if reasons.is_empty() {
        Decision {
            complexity: Complexity::Simple,
            reasons,
            owner: simple_owner(input, &words, cfg),
        }
    } else {
        Decision {
            complexity: Complexity::Complex,
            reasons,
            owner: None,
        }
    }
}

fn owner_index(name: &str, cfg: &Config) -> Option<usize> {
    cfg.owners
        .iter()
        .position(|o| o.name.eq_ignore_ascii_case(name.trim()))
}

/// Keyword hits per configured owner, in configured order.
fn owner_hits(words: &[String], cfg: &Config) -> Vec<usize> {
    cfg.owners
        .iter()
        .map(|o| {
            o.keywords
                .iter()
                .map(|k| {
                    let k: Vec<String> = self::words(k).collect();
                    if k.is_empty() {
                        0
                    } else {
                        words
                            .windows(k.len())
                            .filter(|w| *w == k.as_slice())
                            .count()
                    }
                })
                .sum()
        })
        .collect()
}

fn simple_owner(input: &ComplexityInput<'_>, words: &[String], cfg: &Config) -> Option<String> {
    let prefix = &cfg.labels.owner_prefix;
    let labelled = input
        .labels
        .iter()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .find_map(|name| owner_index(name, cfg));
    let hits = owner_hits(words, cfg);
    let best = hits
        .iter()
        .enumerate()
        .filter(|(_, h)| **h > 0)
        // Most hits; among equals, the earlier-configured owner.
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i);
    labelled
        .or(best)
        .or((!cfg.owners.is_empty()).then_some(0))
        .map(|i| cfg.owners[i].name.clone())
}

/// Lowercase ASCII words.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

/// A body's prose (outside code) and the file paths it mentions.
#[derive(Debug, Default)]
struct BodyText {
    prose: String,
    files: BTreeSet<String>,
}

fn read_text(body: &str) -> BodyText {
    let mut out = BodyText::default();
    let mut in_code_block = false;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Code(code) if looks_like_file(&code) => {
                out.files.insert(code.trim().to_owned());
            }
            Event::Text(text) if !in_code_block => {
                out.files.extend(bare_paths(&text));
                out.prose.push_str(&text);
                out.prose.push(' ');
            }
            Event::SoftBreak | Event::HardBreak => out.prose.push(' '),
            _ => {}
        }
    }
    out
}

/// A backticked path: no spaces, not a URL, and either a `/` or a file name
/// with one extension (`index.js`; `req.query.id` is not a file).
fn looks_like_file(code: &str) -> bool {
    let code = code.trim();
    if code.is_empty() || code.contains(char::is_whitespace) || code.contains("://") {
        return false;
    }
    code.contains('/') || has_extension(code)
}

fn has_extension(name: &str) -> bool {
    let name = name.rsplit('/').next().unwrap_or(name);
    match name.split_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && stem
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                && (1..=6).contains(&ext.len())
                && ext.starts_with(|c: char| c.is_ascii_alphabetic())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// Unquoted paths in prose: a `/` and a file name with an extension.
fn bare_paths(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '\'')))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| w.contains('/') && !w.contains("://") && has_extension(w))
        .map(str::to_owned)
}

/// Arrows between steps, or `and then` / `, then`.
fn says_in_order(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["→", "->", "=>", "and then ", ", then "]
        .iter()
        .any(|m| lower.contains(m))
}

/// The largest `~15m`-style estimate written in the text, pessimistic end.
fn written_estimate(text: &str) -> Option<u32> {
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix('~'))
        .filter_map(|e| {
            e.trim_end_matches([',', '.', ';', ')'])
                .parse::<Minutes>()
                .ok()
        })
        .map(|m| m.max)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::plan::{TemplateSet, parse_plan};
    use crate::core::task::TaskType;

    fn decide_text(title: &str, body: &str) -> Decision {
        decide(
            &ComplexityInput {
                title,
                body,
                plan: None,
                labels: &[],
            },
            &Config::default(),
        )
    }

    #[test]
    fn seed_004_simple_examples_go_to_one_owner() {
        let cases = [
            ("Scan repository for security vulnerabilities", "security"),
            (
                "Fix bug in dashboard/server/index.js line 42",
                "development",
            ),
            ("List all repositories in the portfolio", "inventory"),
        ];
        for (title, owner) in cases {
            let d = decide_text(title, "");
            assert_eq!(d.complexity, Complexity::Simple, "{title}: {:?}", d.reasons);
            assert_eq!(d.owner.as_deref(), Some(owner), "{title}");
        }
    }

    #[test]
    fn the_simple_example_stays_simple() {
        let body = include_str!("../../examples/simple-task.md");
        let (title, rest) = body.split_once('\n').expect("title line");
        let d = decide_text(title, rest);
        assert_eq!(
            d,
            Decision {
                complexity: Complexity::Simple,
                reasons: vec![],
                owner: Some("development".into())
            }
        );
    }

    #[test]
    fn seed_004_complex_examples_say_why() {
        let d = decide_text("Add authentication system with security audit and docs", "");
        assert_eq!(d.complexity, Complexity::Complex);
        assert_eq!(
            d.reasons,
            [Reason::MultipleOwners {
                owners: vec!["security".into(), "docs".into()]
            }]
        );
        assert_eq!(d.owner, None);
        let d = decide_text(
            "Build new feature: design → implement → test → audit → document",
            "",
        );
        assert_eq!(
            d.reasons,
            [
                Reason::MultipleOwners {
                    owners: vec!["development".into(), "security".into(), "cicd".into()]
                },
                Reason::SequentialDependencies
            ]
        );
        assert_eq!(
            d.reasons[0].to_string(),
            "it spans 3 owners (development, security, cicd)"
        );
    }

    #[test]
    fn files_and_estimates_count() {
        let body = "Touch `src/a.rs`, `src/b.rs`, `Cargo.toml` and lib/c.rs.\n\n```\nx/y.rs z/w.rs\n```\nNot files: `req.query.id`, `a b.rs`, https://x.io/a.js\n";
        let d = decide_text("Tidy code", body);
        assert_eq!(d.reasons, [Reason::ManyFiles { count: 4 }]);
        let d = decide_text("Tidy code ~20-45m", "");
        assert_eq!(d.reasons, [Reason::LongEstimate { minutes: 45 }]);
        assert_eq!(d.reasons[0].to_string(), "it is estimated at 45 min");
        let d = decide_text("Tidy code ~30m", "");
        assert_eq!(d.complexity, Complexity::Simple);
    }

    #[test]
    fn an_explicit_plan_is_complex_and_a_template_is_not_evidence() {
        let body = include_str!("../../examples/auth-system.md");
        let templates = TemplateSet::builtin();
        let plan = parse_plan(body, None, "Auth", &templates)
            .expect("valid")
            .expect("plan");
        let d = decide(
            &ComplexityInput {
                title: "Add authentication",
                body,
                plan: Some(&plan),
                labels: &[],
            },
            &Config::default(),
        );
        assert_eq!(d.complexity, Complexity::Complex);
        assert_eq!(d.reasons[0], Reason::ExplicitPlan);
        assert!(
            d.reasons.contains(&Reason::ManyFiles { count: 7 }),
            "{:?}",
            d.reasons
        );
        assert!(d.reasons.contains(&Reason::SequentialDependencies));
        assert!(d.reasons.contains(&Reason::LongEstimate { minutes: 120 }));

        let template = parse_plan("Fix it", Some(TaskType::Bug), "Fix typo", &templates)
            .expect("valid")
            .expect("template");
        let d = decide(
            &ComplexityInput {
                title: "Fix typo",
                body: "Fix it",
                plan: Some(&template),
                labels: &[],
            },
            &Config::default(),
        );
        assert_eq!(d.complexity, Complexity::Simple);
    }

    #[test]
    fn owner_label_wins_and_first_owner_is_the_fallback() {
        let labels = vec!["owner:docs".to_owned()];
        let d = decide(
            &ComplexityInput {
                title: "Fix the bug",
                body: "",
                plan: None,
                labels: &labels,
            },
            &Config::default(),
        );
        assert_eq!(d.owner.as_deref(), Some("docs"));
        assert_eq!(
            decide_text("Something vague", "").owner.as_deref(),
            Some("development")
        );
    }
}
