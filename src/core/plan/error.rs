//! What can be wrong with a plan: every problem is collected, each with where
//! it was written, so one reply can list them all.

use std::fmt;

use super::model::Span;
use crate::core::ids::TaskKey;

/// Every problem found in a plan, in the order they were found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", lines(.problems))]
pub struct PlanError {
    /// The problems; never empty.
    pub problems: Vec<Problem>,
}

impl PlanError {
    /// A plan error with a single problem.
    pub fn one(span: Option<Span>, kind: ProblemKind) -> Self {
        Self {
            problems: vec![Problem { span, kind }],
        }
    }

    /// The problems' kinds, for matching in callers and tests.
    pub fn kinds(&self) -> impl Iterator<Item = &ProblemKind> {
        self.problems.iter().map(|p| &p.kind)
    }
}

/// One thing wrong with a plan and where it was written, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Position in the issue body (or template file) the problem points at.
    pub span: Option<Span>,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(span) => write!(f, "{span}: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

/// The kinds of problems a plan can have; each message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    /// The ```` ```vayu ```` block is not YAML of the plan's shape.
    #[error("the ```vayu block is not a valid plan: {message}")]
    Yaml {
        /// The YAML parser's explanation.
        message: String,
    },
    /// The ```` ```vayu ```` block has nothing in it.
    #[error("the ```vayu block is empty: list the work under `subtasks:`")]
    EmptyBlock,
    /// A checklist item could not be read.
    #[error("checklist item `{title}`: {message}")]
    Checklist {
        /// The item's title as written.
        title: String,
        /// What is wrong with it.
        message: String,
    },
    /// A plan template could not be read.
    #[error("plan template `{name}`: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// Fewer or more subtasks than `planning.min_subtasks`..`planning.max_subtasks`.
    #[error(
        "a plan needs {min}–{max} subtasks (planning.min_subtasks–planning.max_subtasks); this one has {count}: {}",
        if .count < .min { "add the missing steps or handle the task without a plan" } else { "merge small steps or split the issue into several issues" }
    )]
    SubtaskCount {
        /// How many were written.
        count: usize,
        /// The configured lower bound.
        min: usize,
        /// The configured upper bound.
        max: usize,
    },
    /// A subtask with an empty title.
    #[error("subtask `{key}` has no title: give it one, it becomes the sub-issue's title")]
    EmptyTitle {
        /// The subtask.
        key: TaskKey,
    },
    /// A subtask without an owner.
    #[error("subtask `{key}` has no owner: give it exactly one of {valid}")]
    MissingOwner {
        /// The subtask.
        key: TaskKey,
        /// The configured owners, comma separated.
        valid: String,
    },
    /// A subtask whose owner is not configured.
    #[error(
        "subtask `{key}` is owned by `{owner}`, which is not a configured owner: use one of {valid}"
    )]
    UnknownOwner {
        /// The subtask.
        key: TaskKey,
        /// The owner as written.
        owner: String,
        /// The configured owners, comma separated.
        valid: String,
    },
    /// Two subtasks with the same key.
    #[error(
        "key `{key}` is used by two subtasks (at {} and at {}): give each subtask its own key",
        at(.first), at(.second)
    )]
    DuplicateKey {
        /// The key.
        key: TaskKey,
        /// Where the first one was written.
        first: Option<Span>,
        /// Where the second one was written.
        second: Option<Span>,
    },
    /// A `needs` entry naming no subtask.
    #[error("subtask `{key}` needs `{need}`, but no subtask has that key: use one of {valid}")]
    UnknownNeed {
        /// The subtask.
        key: TaskKey,
        /// The missing key.
        need: TaskKey,
        /// Some existing keys, comma separated.
        valid: String,
    },
    /// A `when` naming no subtask.
    #[error(
        "subtask `{key}` has `when: {need} …`, but no subtask has that key: use one of {valid}"
    )]
    UnknownCondition {
        /// The subtask.
        key: TaskKey,
        /// The missing key.
        need: TaskKey,
        /// Some existing keys, comma separated.
        valid: String,
    },
    /// A subtask that needs itself.
    #[error("subtask `{key}` needs itself: remove `{key}` from its needs")]
    SelfDependency {
        /// The subtask.
        key: TaskKey,
    },
    /// Needs that go round in a circle; `keys` starts and ends with the same key.
    #[error("dependency cycle {}: remove one of these needs so the work has an order", arrows(.keys))]
    Cycle {
        /// The cycle in dependency order, first key repeated at the end.
        keys: Vec<TaskKey>,
    },
    /// More stages than `planning.max_stages`.
    #[error(
        "a plan may have at most {max} stages (planning.max_stages); this one has {count}: run more subtasks in parallel or split the issue"
    )]
    TooManyStages {
        /// How many stages the needs produce.
        count: usize,
        /// The configured bound.
        max: usize,
    },
}

fn lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn at(span: &Option<Span>) -> String {
    span.map_or_else(|| "an unknown position".to_owned(), |s| s.to_string())
}

fn arrows(keys: &[TaskKey]) -> String {
    keys.iter()
        .map(TaskKey::as_str)
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Lists at most ten names, comma separated, with `…` when there are more.
pub(crate) fn some_of<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let mut out = names
        .iter()
        .take(10)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 10 {
        out.push_str(", …");
    }
    if out.is_empty() {
        out.push_str("(none)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> TaskKey {
        TaskKey::new(s).expect("valid key")
    }

    #[test]
    fn lists_each_problem_on_its_own_line_with_its_position() {
        let err = PlanError {
            problems: vec![
                Problem {
                    span: Some(Span { line: 7, column: 5 }),
                    kind: ProblemKind::SelfDependency { key: key("docs") },
                },
                Problem {
                    span: None,
                    kind: ProblemKind::Cycle {
                        keys: vec![key("design"), key("tests"), key("design")],
                    },
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "line 7, column 5: subtask `docs` needs itself: remove `docs` from its needs\n\
             dependency cycle design → tests → design: remove one of these needs so the work has an order"
        );
    }

    #[test]
    fn count_message_names_the_bound_and_the_fix() {
        let k = ProblemKind::SubtaskCount {
            count: 11,
            min: 3,
            max: 10,
        };
        assert_eq!(
            k.to_string(),
            "a plan needs 3–10 subtasks (planning.min_subtasks–planning.max_subtasks); this one has 11: merge small steps or split the issue into several issues"
        );
    }

    #[test]
    fn some_of_caps_long_lists() {
        assert_eq!(some_of(["a", "b"]), "`a`, `b`");
        assert_eq!(some_of([]), "(none)");
        let many: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        assert!(some_of(many.iter().map(String::as_str)).ends_with("`9`, …"));
    }
}
