//! Whole-comment behaviour: recognition rules, errors, several commands, and
//! properties over arbitrary input.

use proptest::prelude::*;

use super::*;
use crate::core::ids::Login;

fn results(text: &str) -> Vec<Result<Command, ParseError>> {
    parse_comment(text).into_iter().map(|p| p.result).collect()
}

/// One valid example per verb, in `VERBS` order.
fn examples() -> Vec<(&'static str, Command)> {
    vec![
        ("/vayu plan", Command::Plan),
        ("/vayu decompose", Command::Decompose),
        ("/vayu status", Command::Status),
        ("/vayu claim", Command::Claim),
        ("/vayu unclaim", Command::Unclaim),
        (
            "/vayu assign @alice",
            Command::Assign(AssignTarget::User(Login("alice".into()))),
        ),
        ("/vayu start", Command::Start),
        ("/vayu pause", Command::Pause),
        ("/vayu resume", Command::Resume),
        ("/vayu retry", Command::Retry),
        (
            "/vayu review fail needs tests",
            Command::Review {
                verdict: Verdict::Fail,
                reason: Some("needs tests".into()),
            },
        ),
        ("/vayu cancel", Command::Cancel),
        ("/vayu replan", Command::Replan),
        ("/vayu help", Command::Help),
        ("/vayu away", Command::Away),
        ("/vayu back", Command::Back),
        ("/vayu bid 30", Command::Bid { minutes: 30 }),
    ]
}

#[test]
fn every_listed_verb_parses_and_names_itself() {
    let examples = examples();
    assert_eq!(examples.len(), VERBS.len());
    for ((text, want), help) in examples.into_iter().zip(VERBS) {
        assert_eq!(results(text), [Ok(want.clone())], "{text}");
        assert_eq!(want.verb(), help.verb);
        assert_eq!(want.to_string(), text, "display round-trips");
    }
}

#[test]
fn only_plan_status_and_help_are_read_only() {
    let read_only: Vec<&str> = examples()
        .into_iter()
        .filter(|(_, c)| !c.is_mutating())
        .map(|(_, c)| c.verb())
        .collect();
    assert_eq!(read_only, ["plan", "status", "help"]);
}

#[test]
fn unknown_verb_lists_valid_ones_and_points_to_help() {
    let got = parse_comment("Thanks!\n/vayu retyr");
    assert_eq!(got[0].raw, "/vayu retyr");
    let err = got[0].result.clone().expect_err("unknown");
    assert_eq!((err.line, err.column), (2, 7));
    assert_eq!(
        err.to_string(),
        "line 2, column 7: unknown command `/vayu retyr` (did you mean `retry`?): valid verbs \
         are plan, decompose, status, claim, unclaim, assign, start, pause, resume, retry, \
         review, cancel, replan, help, away, back, bid; write `/vayu help` for their syntax"
    );
    let err = results("/vayu deploy").remove(0).expect_err("unknown");
    assert!(
        matches!(&err.kind, ParseErrorKind::UnknownVerb { verb, suggestion: None, .. } if verb == "deploy"),
        "{err:?}"
    );
}

#[test]
fn prefix_alone_is_a_missing_verb() {
    let err = results("  /vayu  ").remove(0).expect_err("no verb");
    assert_eq!((err.line, err.column), (1, 3));
    assert_eq!(
        err.to_string(),
        "line 1, column 3: `/vayu` needs a verb, like `/vayu status`; write `/vayu help` to list them"
    );
}

#[test]
fn commands_in_code_quotes_and_html_are_ignored() {
    let text = "\
Some context.

```
/vayu plan
```

~~~text
/vayu decompose
~~~

    /vayu cancel

Please run `/vayu retry` later; inline
`/vayu pause` too.

> /vayu start
> quoted
/vayu resume

<!-- vayu:begin
/vayu claim
-->

<details>
/vayu away
</details>

/vayux plan
/vayu-plan
/vayu status
";
    assert_eq!(results(text), [Ok(Command::Status)]);
}

#[test]
fn several_commands_in_order_with_their_lines() {
    let text = "I'll take this.\n/vayu claim\n/vayu bid 20\n\n/vayu frobnicate\n\n   /vayu status";
    let got: Vec<(usize, usize, bool)> = parse_comment(text)
        .iter()
        .map(|p| (p.line, p.column, p.result.is_ok()))
        .collect();
    assert_eq!(
        got,
        [(2, 1, true), (3, 1, true), (5, 1, false), (7, 4, true)]
    );
}

#[test]
fn crlf_and_lone_cr_line_endings() {
    assert_eq!(
        results("Hi\r\n/vayu review fail broken build\r\n/vayu retry\r\n"),
        [
            Ok(Command::Review {
                verdict: Verdict::Fail,
                reason: Some("broken build".into())
            }),
            Ok(Command::Retry)
        ]
    );
    assert_eq!(
        results("/vayu plan\r/vayu retry"),
        [Ok(Command::Plan), Ok(Command::Retry)]
    );
}

#[test]
fn the_command_ends_at_its_line() {
    assert_eq!(
        results("/vayu review pass\nlooks good to me"),
        [Ok(Command::Review {
            verdict: Verdict::Pass,
            reason: None
        })]
    );
}

#[test]
fn prefix_and_verb_are_case_insensitive() {
    assert_eq!(results("/Vayu Status"), [Ok(Command::Status)]);
}

#[test]
fn no_commands_in_plain_text() {
    assert_eq!(parse_comment(""), []);
    assert_eq!(parse_comment("just talking about vayu /vayu plan"), []);
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse_comment(&text);
        let _ = new_commands(&text, &text);
    }

    #[test]
    fn never_panics_on_command_like_fragments(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("/vayu"), Just("/VAYU"), Just("`"), Just("```"), Just("~~~"),
                Just("\n"), Just("\r\n"), Just("\r"), Just(">"), Just(" "), Just("    "),
                Just("\t"), Just("<!--"), Just("-->"), Just("review"), Just("fail"),
                Just("pass"), Just("bid"), Just("assign"), Just("@"), Just("[bot]"),
                Just("0"), Just("42"), Just("4294967296"), Just("m"), Just("é"), Just("\u{200B}"),
            ],
            0..40,
        )
    ) {
        let text: String = parts.concat();
        let parsed = parse_comment(&text);
        for p in &parsed {
            prop_assert!(p.raw.to_ascii_lowercase().starts_with("/vayu"));
            if let Err(e) = &p.result {
                prop_assert_eq!(e.line, p.line);
                prop_assert!(e.column >= p.column);
            }
        }
        // Nothing is new when the text did not change.
        prop_assert!(new_commands(&text, &text).is_empty());
    }

    #[test]
    fn display_parses_back(minutes in 1u32..=100_000, reason in "[a-z]{1,8}( [a-z]{1,8}){0,3}") {
        for command in [
            Command::Bid { minutes },
            Command::Review { verdict: Verdict::Fail, reason: Some(reason.clone()) },
        ] {
            prop_assert_eq!(results(&command.to_string()), vec![Ok(command.clone())]);
        }
    }
}
