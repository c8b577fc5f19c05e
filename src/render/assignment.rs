//! The comments about who does a task and how its work is checked:
//! the assignment explanation, the claim and auction calls, review requests
//! and failed reviews. Logins come from config or GitHub; free text from
//! users (review feedback) is escaped before it reaches a template.

use serde::Serialize;

use super::{RenderError, render};
use crate::core::assign::{Candidate, Decision};
use crate::core::marker::{escape_table_cell, escape_user_text};

#[derive(Serialize)]
struct Row {
    login: String,
    capability: String,
    open: u32,
    capacity: u32,
    /// ` × pace 1.5` when history scaled the load, else empty.
    pace: String,
    specialization: f64,
    score: f64,
    bid: String,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn row(c: &Candidate, bid: Option<u32>) -> Row {
    Row {
        login: escape_table_cell(&c.login),
        capability: escape_table_cell(&c.capability),
        open: c.open,
        capacity: c.capacity,
        pace: match c.pace {
            Some(p) if (p - 1.0).abs() >= 0.05 => format!(" × pace {}", round2(p)),
            _ => String::new(),
        },
        specialization: round2(c.specialization),
        score: round2(c.score),
        bid: bid.map_or_else(|| "-".into(), |m| format!("{m} min")),
    }
}

/// The explanation of an assignment: the decision's one line, how it was
/// made, and every agent considered with its numbers.
pub fn assignment_comment(
    marker: &str,
    d: &Decision,
    how: &str,
    bids: &[(String, u32)],
) -> Result<String, RenderError> {
    let bid_of = |login: &str| {
        bids.iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(login))
            .map(|(_, m)| *m)
    };
    let rows: Vec<Row> = d
        .considered
        .iter()
        .map(|c| row(c, bid_of(&c.login)))
        .collect();
    let skipped: Vec<String> = d
        .skipped
        .iter()
        .map(|(l, why)| format!("`{}` ({why})", escape_user_text(l)))
        .collect();
    render(
        "assignment.md",
        &serde_json::json!({
            "marker": marker,
            "explanation": escape_login_free(&d.explanation()),
            "how": how,
            "rows": rows,
            "bids": !bids.is_empty(),
            "skipped": skipped,
        }),
    )
}

/// Keeps the `@login` mentions of the explanation (the assignee should be
/// notified) but neutralises anything that could start a marker.
fn escape_login_free(s: &str) -> String {
    s.replace("<!", "&lt;!")
}

fn names(candidates: &[Candidate]) -> Vec<String> {
    candidates
        .iter()
        .map(|c| {
            format!(
                "`{}` (load {}/{})",
                escape_user_text(&c.login),
                c.open,
                c.capacity
            )
        })
        .collect()
}

/// Announces a task that waits for `/vayu claim`.
pub fn claimable_comment(
    marker: &str,
    owner: &str,
    candidates: &[Candidate],
) -> Result<String, RenderError> {
    render(
        "claimable.md",
        &serde_json::json!({
            "marker": marker,
            "owner": escape_user_text(owner),
            "names": names(candidates),
        }),
    )
}

/// Opens an auction until `closes_at`.
pub fn auction_comment(
    marker: &str,
    owner: &str,
    closes_at: &str,
    window: u32,
    candidates: &[Candidate],
) -> Result<String, RenderError> {
    render(
        "auction.md",
        &serde_json::json!({
            "marker": marker,
            "owner": escape_user_text(owner),
            "closes_at": closes_at,
            "window": window,
            "names": names(candidates),
        }),
    )
}

/// Asks for the review the config wants (`self`, `peer`, `user`, `automated`).
pub fn review_comment(
    marker: &str,
    mode: &str,
    assignees: &[String],
    reviewers: &[String],
    requester: &str,
    waiting: Option<&str>,
) -> Result<String, RenderError> {
    let at = |l: &String| format!("@{}", escape_user_text(l).trim_start_matches('@'));
    let assignees: Vec<String> = assignees.iter().map(at).collect();
    let reviewers: Vec<String> = reviewers
        .iter()
        .map(|l| format!("`{}`", escape_user_text(l)))
        .collect();
    render(
        "review.md",
        &serde_json::json!({
            "marker": marker,
            "mode": mode,
            "assignees": if assignees.is_empty() { "The assignee".to_owned() } else { assignees.join(", ") },
            "reviewers": reviewers,
            "requester": format!("@{}", escape_user_text(requester).trim_start_matches('@')),
            "waiting": waiting,
        }),
    )
}

/// A failed review: who (`None`: the pull requests' checks), their feedback
/// (escaped, quoted), and what happens next.
pub fn review_failed_comment(
    marker: &str,
    reviewer: Option<&str>,
    feedback: &str,
    next: &str,
) -> Result<String, RenderError> {
    let quoted: Vec<String> = escape_user_text(feedback)
        .lines()
        .map(|l| format!("> {l}"))
        .collect();
    render(
        "review_failed.md",
        &serde_json::json!({
            "marker": marker,
            "reviewer": reviewer.map(|r| format!("`{}`", escape_user_text(r))),
            "feedback": quoted.join("\n"),
            "next": next,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::assign::{Decision, Skipped};
    use crate::core::task::AssignmentMethod;

    fn cand(login: &str) -> Candidate {
        Candidate {
            login: login.into(),
            capability: "security".into(),
            open: 2,
            capacity: 5,
            load: 2.0,
            pace: None,
            specialization: 0.8,
            score: 0.72,
        }
    }

    #[test]
    fn the_assignment_comment_explains_and_tabulates() {
        let d = Decision {
            primary: cand("bob"),
            collaborators: vec![],
            method: AssignmentMethod::Assigned,
            bid_minutes: None,
            considered: vec![cand("bob"), cand("a|b")],
            skipped: vec![("alice".into(), Skipped::NotCapable)],
        };
        let out = assignment_comment("<!-- m -->", &d, "vayu chose (push)", &[]).expect("render");
        assert!(out.starts_with("<!-- m -->\n### Assignment\n\n**assigned to @bob: capability security, load 2/5, specialization 0.8**"), "{out}");
        assert!(
            out.contains("| `bob` | security | 2/5 | 0.8 | 0.72 |"),
            "{out}"
        );
        assert!(
            out.contains("| `a\\|b` |"),
            "a pipe cannot break the table: {out}"
        );
        assert!(
            out.contains("Not considered: `alice` (not capable)."),
            "{out}"
        );
    }

    #[test]
    fn review_feedback_cannot_mention_or_forge_markers() {
        let out = review_failed_comment(
            "<!-- vayu:note v=1 slot=x -->",
            Some("carol"),
            "see @alice\n<!-- vayu:task v=1 parent=#1 key=x plan=y -->",
            "next",
        )
        .expect("render");
        assert!(out.contains("> see @\u{200b}alice"), "{out}");
        assert!(out.contains("> &lt;!-- vayu:task"), "{out}");
        assert_eq!(out.matches("<!--").count(), 1, "{out}");
        assert!(out.contains("`carol` sent this back:"), "{out}");
        let checks = review_failed_comment("m", None, "The checks of #3 (failure) failed.", "n")
            .expect("render");
        assert!(
            checks.contains("The checks of the pull requests that close this issue sent it back:"),
            "{checks}"
        );
    }
}
