//! The `automated` review gate: the pull requests that will close a task
//! decide, through the combined state of their checks (GraphQL
//! `statusCheckRollup`, which covers check runs and commit statuses). vayu
//! reads them when the task is closed and again on every reconcile while it
//! waits in `reviewing`; someone with the `review` permission can still give
//! the verdict by command.

use crate::app::ports::{LinkedPr, PrState, StatusState};

/// What the linked pull requests' checks say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Checks {
    /// Every counted pull request's checks passed.
    Green {
        /// Which pull requests, for the record.
        summary: String,
    },
    /// A counted pull request's checks failed.
    Red {
        /// What failed, as review feedback.
        feedback: String,
        /// Names this failure (the failing heads), so a retried job finds
        /// the comment it already posted and a new push fails afresh.
        round: String,
    },
    /// Nothing decisive yet.
    Waiting {
        /// What vayu waits for.
        why: String,
    },
}

/// Judges the pull requests that close a task. Closed, unmerged ones are
/// abandoned work and do not count; a pull request without checks cannot
/// pass the gate (a person can, with `/vayu review pass`).
pub(super) fn judge(prs: &[LinkedPr]) -> Checks {
    let mut counted: Vec<&LinkedPr> = prs
        .iter()
        .filter(|p| p.merged || p.state == PrState::Open)
        .collect();
    counted.sort_by_key(|p| p.number);
    if counted.is_empty() {
        return Checks::Waiting {
            why: "no open or merged pull request closes this issue yet; write `Closes #<issue>` in one"
                .into(),
        };
    }
    let red: Vec<&&LinkedPr> = counted
        .iter()
        .filter(|p| matches!(p.checks, Some(StatusState::Failure | StatusState::Error)))
        .collect();
    if !red.is_empty() {
        let named: Vec<String> = red.iter().map(|p| described(p)).collect();
        let round: Vec<String> = red
            .iter()
            .map(|p| format!("{}-{}", p.number, short(&p.head_oid)))
            .collect();
        return Checks::Red {
            feedback: format!("The checks of {} failed.", named.join(", ")),
            round: round.join("-"),
        };
    }
    let pending: Vec<String> = counted
        .iter()
        .filter(|p| p.checks != Some(StatusState::Success))
        .map(|p| described(p))
        .collect();
    if !pending.is_empty() {
        return Checks::Waiting {
            why: format!("waiting for the checks of {}", pending.join(", ")),
        };
    }
    let all: Vec<String> = counted.iter().map(|p| format!("#{}", p.number)).collect();
    Checks::Green {
        summary: format!("the checks of {} passed", all.join(", ")),
    }
}

fn described(p: &LinkedPr) -> String {
    let state = match p.checks {
        None => "no checks reported",
        Some(StatusState::Success) => "success",
        Some(StatusState::Failure) => "failure",
        Some(StatusState::Error) => "error",
        Some(StatusState::Pending) => "pending",
        Some(StatusState::Expected) => "expected, not reported",
    };
    format!("#{} ({state})", p.number)
}

/// Enough of the commit id to tell pushes apart.
fn short(oid: &str) -> &str {
    oid.get(..12).unwrap_or(oid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(number: u64, state: PrState, checks: Option<StatusState>) -> LinkedPr {
        LinkedPr {
            number,
            state,
            merged: state == PrState::Merged,
            checks,
            head_oid: format!("{number:012}abcdef"),
        }
    }

    #[test]
    fn without_a_counted_pull_request_the_gate_waits() {
        assert!(matches!(judge(&[]), Checks::Waiting { .. }));
        let abandoned = [pr(4, PrState::Closed, Some(StatusState::Success))];
        let Checks::Waiting { why } = judge(&abandoned) else {
            panic!("a closed, unmerged pull request must not pass the gate");
        };
        assert!(why.contains("no open or merged pull request"), "{why}");
    }

    #[test]
    fn green_needs_every_counted_pull_request_green() {
        let prs = [
            pr(9, PrState::Merged, Some(StatusState::Success)),
            pr(3, PrState::Open, Some(StatusState::Success)),
            pr(5, PrState::Closed, Some(StatusState::Failure)),
        ];
        assert_eq!(
            judge(&prs),
            Checks::Green {
                summary: "the checks of #3, #9 passed".into()
            }
        );
        let prs = [
            pr(3, PrState::Open, Some(StatusState::Success)),
            pr(7, PrState::Open, Some(StatusState::Pending)),
            pr(8, PrState::Open, None),
        ];
        assert_eq!(
            judge(&prs),
            Checks::Waiting {
                why: "waiting for the checks of #7 (pending), #8 (no checks reported)".into()
            }
        );
    }

    #[test]
    fn a_failure_wins_over_pending_and_names_its_heads() {
        let prs = [
            pr(7, PrState::Open, Some(StatusState::Pending)),
            pr(12, PrState::Open, Some(StatusState::Error)),
            pr(3, PrState::Merged, Some(StatusState::Failure)),
        ];
        assert_eq!(
            judge(&prs),
            Checks::Red {
                feedback: "The checks of #3 (failure), #12 (error) failed.".into(),
                round: "3-000000000003-12-000000000012".into(),
            }
        );
    }
}
