//! The verbs vayu understands, with the syntax and one-line help that
//! `/vayu help` and error messages show.

/// One verb's entry in `/vayu help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerbHelp {
    /// The verb, lowercase.
    pub verb: &'static str,
    /// Its argument syntax (empty when it takes none).
    pub args: &'static str,
    /// What it does, in one line.
    pub help: &'static str,
}

impl VerbHelp {
    /// The full command as a user would type it: `/vayu assign <@user|owner>`.
    pub fn usage(&self) -> String {
        if self.args.is_empty() {
            format!("/vayu {}", self.verb)
        } else {
            format!("/vayu {} {}", self.verb, self.args)
        }
    }
}

/// Every verb, in the order `/vayu help` lists them.
pub const VERBS: &[VerbHelp] = &[
    v(
        "plan",
        "",
        "Preview the decomposition plan; changes nothing",
    ),
    v(
        "decompose",
        "",
        "Apply the plan: create the sub-issues and their links",
    ),
    v(
        "status",
        "",
        "Show the task's status, progress and what blocks it",
    ),
    v("claim", "", "Take the task yourself"),
    v("unclaim", "", "Give the task back to the queue"),
    v(
        "assign",
        "<@user|owner>",
        "Assign the task to a user or an owner domain",
    ),
    v("start", "", "Start executing the task"),
    v("pause", "", "Pause the task"),
    v("resume", "", "Resume a paused task"),
    v("retry", "", "Run a failed task again"),
    v(
        "review",
        "pass|fail [reason...]",
        "Record a review verdict, with an optional reason",
    ),
    v("cancel", "", "Cancel the task and its pending subtasks"),
    v(
        "replan",
        "",
        "Compute a new plan from the current issue body",
    ),
    v("help", "", "List these commands"),
    v("away", "", "Mark yourself unavailable for new assignments"),
    v("back", "", "Mark yourself available again"),
    v(
        "bid",
        "<minutes>",
        "Bid for the task with your estimate in minutes",
    ),
];

const fn v(verb: &'static str, args: &'static str, help: &'static str) -> VerbHelp {
    VerbHelp { verb, args, help }
}

/// Every verb's name, in help order.
pub fn names() -> Vec<&'static str> {
    VERBS.iter().map(|v| v.verb).collect()
}

/// The usage line of `verb`, or `/vayu <verb>` for a verb not in the table.
pub(super) fn usage(verb: &str) -> String {
    VERBS
        .iter()
        .find(|v| v.verb == verb)
        .map_or_else(|| format!("/vayu {verb}"), VerbHelp::usage)
}

/// The known verb closest to `word`, when it is a plausible typo of it.
pub(super) fn suggest(word: &str) -> Option<&'static str> {
    let word: Vec<char> = word.chars().collect();
    // A long word is no typo of a short verb; this also bounds the work.
    if word.len() > 16 {
        return None;
    }
    VERBS
        .iter()
        .map(|v| (distance(&word, v.verb), v.verb))
        .filter(|&(d, verb)| d <= 2 && d < verb.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, verb)| verb)
}

/// Levenshtein distance between a word and an ASCII verb.
fn distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_lines() {
        assert_eq!(usage("assign"), "/vayu assign <@user|owner>");
        assert_eq!(usage("retry"), "/vayu retry");
        assert_eq!(VERBS[10].usage(), "/vayu review pass|fail [reason...]");
    }

    #[test]
    fn verbs_are_unique_and_lowercase() {
        let mut names = names();
        assert!(names.iter().all(|n| *n == n.to_ascii_lowercase()));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VERBS.len());
    }

    #[test]
    fn suggests_close_verbs_only() {
        assert_eq!(suggest("retyr"), Some("retry"));
        assert_eq!(suggest("stauts"), Some("status"));
        assert_eq!(suggest("asign"), Some("assign"));
        assert_eq!(suggest("deploy"), None);
        assert_eq!(suggest("x"), None);
    }
}
