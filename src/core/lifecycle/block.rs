//! Why a `blocked` task is blocked, kept in its `status_reason` text so the
//! task model needs no extra field and the reason reads well on GitHub.

use std::fmt;

use crate::core::ids::TaskRef;
use crate::core::task::{Status, Task};

const WAITING_PREFIX: &str = "waiting on ";
const FAILED_PREFIX: &str = "failed ";
const FAILED_INFIX: &str = " times: ";

/// The two ways a task gets blocked; each is lifted by a different event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockReason {
    /// It waits for other tasks; lifted by `dependencies_met`.
    Dependencies {
        /// The tasks still being waited for (may be unknown, hence empty).
        waiting_on: Vec<TaskRef>,
    },
    /// Retries are exhausted and a human was asked; lifted only by `retry`.
    Escalated {
        /// How many times it failed.
        failures: u32,
        /// The last failure.
        reason: String,
    },
}

impl BlockReason {
    /// Reads the reason back from a `status_reason` this module wrote.
    ///
    /// Text that is not an escalation counts as waiting on dependencies, so a
    /// hand-edited reason can never make a task unreachable.
    pub fn parse(text: &str) -> Self {
        let escalated = text.strip_prefix(FAILED_PREFIX).and_then(|rest| {
            let (count, reason) = rest.split_once(FAILED_INFIX)?;
            let failures = count.parse().ok()?;
            Some(BlockReason::Escalated {
                failures,
                reason: reason.to_owned(),
            })
        });
        escalated.unwrap_or_else(|| BlockReason::Dependencies {
            waiting_on: text
                .strip_prefix(WAITING_PREFIX)
                .map(|list| list.split(", ").filter_map(|r| r.parse().ok()).collect())
                .unwrap_or_default(),
        })
    }

    /// The reason a task is blocked, or `None` when it is not blocked.
    pub fn of(task: &Task) -> Option<Self> {
        (task.status == Status::Blocked)
            .then(|| Self::parse(task.status_reason.as_deref().unwrap_or_default()))
    }
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockReason::Dependencies { waiting_on } if waiting_on.is_empty() => {
                write!(f, "{WAITING_PREFIX}dependencies")
            }
            BlockReason::Dependencies { waiting_on } => {
                f.write_str(WAITING_PREFIX)?;
                f.write_str(&join_refs(waiting_on))
            }
            BlockReason::Escalated { failures, reason } => {
                write!(f, "{FAILED_PREFIX}{failures}{FAILED_INFIX}{reason}")
            }
        }
    }
}

/// `o/r#1, o/r#2`, the list form used in reasons and messages.
pub(super) fn join_refs(refs: &[TaskRef]) -> String {
    refs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_through_text() {
        let deps = BlockReason::Dependencies {
            waiting_on: vec!["o/r#1".parse().expect("ref"), "o/r#2".parse().expect("ref")],
        };
        assert_eq!(deps.to_string(), "waiting on o/r#1, o/r#2");
        assert_eq!(BlockReason::parse(&deps.to_string()), deps);

        let esc = BlockReason::Escalated {
            failures: 4,
            reason: "exit 1: failed 2 times: nested".into(),
        };
        assert_eq!(
            esc.to_string(),
            "failed 4 times: exit 1: failed 2 times: nested"
        );
        assert_eq!(BlockReason::parse(&esc.to_string()), esc);
    }

    #[test]
    fn unknown_text_counts_as_waiting_on_dependencies() {
        let none = BlockReason::Dependencies { waiting_on: vec![] };
        assert_eq!(BlockReason::parse(""), none);
        assert_eq!(BlockReason::parse("failed many times: x"), none);
        assert_eq!(none.to_string(), "waiting on dependencies");
        assert_eq!(BlockReason::parse("waiting on dependencies"), none);
    }
}
