//! `vayu inspect-event` run as a process, the way a user debugging a delivery runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn vayu(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vayu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vayu");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("wait for vayu")
}

const LABELED: &str = "tests/fixtures/github/webhooks/issues.labeled.1.json";

#[test]
fn prints_the_normalized_event_as_json() {
    let out = vayu(&["inspect-event", "--event", "issues", LABELED], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["kind"], "issue_labeled");
    assert_eq!(json["origin"]["repo"], "Codertocat/Hello-World");
    assert_eq!(json["issue"]["number"], 1);
}

#[test]
fn reads_standard_input_and_says_why_an_event_is_ignored() {
    let body = std::fs::read(LABELED).expect("fixture");
    let out = vayu(&["inspect-event", "--event", "star", "-"], Some(&body));
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ignored: unknown event `star`"
    );
}

#[test]
fn a_body_that_does_not_match_the_event_fails_with_the_path() {
    let out = vayu(&["inspect-event", "--event", "issues", "-"], Some(b"{}"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing field `action`"), "{err}");
    assert!(err.contains("X-GitHub-Event"), "{err}");
}
