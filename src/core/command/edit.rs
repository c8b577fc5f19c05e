//! Edited comments: only the commands an edit added should run, so editing a
//! typo elsewhere in a comment never repeats a `/vayu retry`.

use std::collections::HashMap;

use super::{Parsed, parse_comment};

/// The commands of `new` that `old` did not already hold, in order.
///
/// Commands are compared by [`Parsed::key`] as a multiset: if `old` had one
/// `/vayu retry` and `new` has two, the second one is new. Errors count too,
/// so a newly added bad command still gets its reply.
pub fn new_commands(old: &str, new: &str) -> Vec<Parsed> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for parsed in parse_comment(old) {
        *seen.entry(parsed.key()).or_default() += 1;
    }
    parse_comment(new)
        .into_iter()
        .filter(|parsed| match seen.get_mut(&parsed.key()) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Command;
    use super::*;

    fn raws(old: &str, new: &str) -> Vec<(usize, String)> {
        new_commands(old, new)
            .into_iter()
            .map(|p| (p.line, p.raw))
            .collect()
    }

    #[test]
    fn unchanged_commands_do_not_run_again() {
        assert_eq!(raws("/vayu retry", "Typo fixed.\n\n/vayu retry"), []);
        assert_eq!(raws("/vayu  Retry", "/VAYU retry"), []);
    }

    #[test]
    fn added_commands_run_once_each() {
        assert_eq!(
            raws("/vayu retry", "/vayu retry\n/vayu retry\n/vayu status"),
            [(2, "/vayu retry".into()), (3, "/vayu status".into())]
        );
        assert_eq!(raws("", "/vayu bid 30"), [(1, "/vayu bid 30".into())]);
    }

    #[test]
    fn changed_arguments_make_a_new_command() {
        let got = new_commands("/vayu bid 30", "/vayu bid 20");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].result, Ok(Command::Bid { minutes: 20 }));
    }

    #[test]
    fn commands_moved_out_of_code_become_new() {
        assert_eq!(
            raws("```\n/vayu plan\n```", "/vayu plan"),
            [(1, "/vayu plan".into())]
        );
    }

    #[test]
    fn removed_commands_yield_nothing() {
        assert_eq!(raws("/vayu plan\n/vayu status", "/vayu status"), []);
    }
}
