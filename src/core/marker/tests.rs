//! Marker rendering and reading.

use chrono::TimeZone;
use proptest::prelude::*;

use super::*;

fn task(parent: u64, key: &str, plan: &str) -> Marker {
    Marker::Task(TaskMarker {
        parent: IssueNumber(parent),
        key: TaskKey::new(key).expect("valid key"),
        plan: plan.into(),
    })
}

#[test]
fn renders_the_documented_shapes() {
    let at = Utc
        .with_ymd_and_hms(2025, 1, 31, 12, 0, 5)
        .single()
        .expect("valid time");
    let cases = [
        (
            task(12, "backend", "9f3a"),
            "<!-- vayu:task v=1 parent=#12 key=backend plan=9f3a -->",
        ),
        (
            Marker::Plan {
                hash: "9f3a".into(),
            },
            "<!-- vayu:plan v=1 hash=9f3a -->",
        ),
        (
            Marker::Progress {
                key: TaskKey::new("docs").expect("valid key"),
            },
            "<!-- vayu:progress v=1 key=docs -->",
        ),
        (
            Marker::Heartbeat { at },
            "<!-- vayu:heartbeat v=1 at=2025-01-31T12:00:05Z -->",
        ),
        (
            Marker::Retries { count: 2 },
            "<!-- vayu:retries v=1 count=2 -->",
        ),
        (Marker::Report, "<!-- vayu:report v=1 -->"),
    ];
    for (marker, text) in cases {
        assert_eq!(render(&marker), text);
        assert_eq!(text.parse::<Marker>(), Ok(marker.clone()));
        assert_eq!(find_all(&format!("before\n{text}\nafter")), [marker]);
    }
}

#[test]
fn reading_is_lenient_about_shape() {
    let want = task(12, "backend", "abc");
    for text in [
        "<!-- vayu:task key=backend plan=abc parent=#12 v=1 -->",
        "<!--vayu:task v=1 parent=#12 key=backend plan=abc-->",
        "<!--\n  vayu:task v=2 parent=#12 key=backend plan=abc color=blue flag -->",
        "<!-- vayu:task parent=#12 key=backend plan=abc parent=#99 -->",
    ] {
        assert_eq!(
            find_task(text).map(Marker::Task),
            Some(want.clone()),
            "{text}"
        );
    }
}

#[test]
fn reading_is_strict_about_values() {
    let cases = [
        (
            "<!-- vayu:task v=1 parent=#12 key=-bad plan=abc -->",
            MarkerError::BadValue {
                attr: "key",
                value: "-bad".into(),
                expected: "a subtask key: letters, digits, `-`, `_` or `.`",
            },
        ),
        (
            "<!-- vayu:task v=1 parent=12 key=a plan=abc -->",
            MarkerError::BadValue {
                attr: "parent",
                value: "12".into(),
                expected: "an issue number such as `#12`",
            },
        ),
        (
            "<!-- vayu:task v=1 parent=#0 key=a plan=abc -->",
            MarkerError::BadValue {
                attr: "parent",
                value: "#0".into(),
                expected: "an issue number such as `#12`",
            },
        ),
        (
            "<!-- vayu:task v=x parent=#1 key=a plan=abc -->",
            MarkerError::BadValue {
                attr: "v",
                value: "x".into(),
                expected: "a version number such as `1`",
            },
        ),
        (
            "<!-- vayu:task v=1 key=a plan=abc -->",
            MarkerError::Missing {
                kind: "task",
                attr: "parent",
            },
        ),
        (
            "<!-- vayu:plan v=1 hash=%zz -->",
            MarkerError::BadValue {
                attr: "hash",
                value: "%zz".into(),
                expected: "a plan hash of 1 to 256 characters",
            },
        ),
        (
            "<!-- vayu:heartbeat v=1 at=yesterday -->",
            MarkerError::BadValue {
                attr: "at",
                value: "yesterday".into(),
                expected: "an RFC 3339 time such as `2025-01-31T12:00:00Z`",
            },
        ),
        (
            "<!-- vayu:launch v=1 -->",
            MarkerError::UnknownKind("launch".into()),
        ),
        ("<!-- not ours -->", MarkerError::NotAMarker),
    ];
    for (text, err) in cases {
        assert_eq!(text.parse::<Marker>(), Err(err), "{text}");
        assert_eq!(find_all(text), [], "{text}");
    }
    // Parsing one marker wants exactly one; finding them takes any text.
    let text = "<!-- vayu:plan hash=a --> trailing";
    assert_eq!(text.parse::<Marker>(), Err(MarkerError::NotAMarker));
    assert_eq!(find_all(text), [Marker::Plan { hash: "a".into() }]);
    assert_eq!(
        MarkerError::Missing {
            kind: "task",
            attr: "parent"
        }
        .to_string(),
        "the `vayu:task` marker has no `parent=` attribute"
    );
}

#[test]
fn finds_markers_in_order_and_skips_bad_ones() {
    let text = "<!-- vayu:begin -->\n<!-- vayu:plan v=1 hash=h1 -->\n- [ ] x\n\
                <!-- vayu:task parent=#1 key=a plan=h1 -->\n<!-- vayu:task parent=#1 key= plan=h1 -->\n\
                <!-- vayu:progress key=a -->\n<!-- vayu:end -->";
    assert_eq!(
        find_all(text),
        [
            Marker::Plan { hash: "h1".into() },
            task(1, "a", "h1"),
            Marker::Progress {
                key: TaskKey::new("a").expect("valid key")
            },
        ]
    );
    assert_eq!(find_task("no markers here"), None);
}

#[test]
fn a_marker_inside_another_comment_is_not_a_marker() {
    assert_eq!(find_all("<!-- note: <!-- vayu:plan hash=a --> -->"), []);
}

#[test]
fn odd_hashes_are_encoded_and_cannot_break_out() {
    let marker = Marker::Plan {
        hash: "a b-->c%".into(),
    };
    let text = render(&marker);
    assert_eq!(text, "<!-- vayu:plan v=1 hash=a%20b--%3Ec%25 -->");
    assert_eq!(find_all(&text), [marker]);
}

proptest! {
    #[test]
    fn every_marker_round_trips(
        parent in 1u64..1_000_000,
        key in "[a-z0-9][a-z0-9._-]{0,20}",
        plan in any::<String>().prop_filter("non-empty, short", |s| !s.is_empty() && s.len() <= 80),
        secs in 0i64..4_000_000_000,
    ) {
        let at = Utc.timestamp_opt(secs, 0).single().expect("in range");
        let key = TaskKey::new(key).expect("valid key");
        let markers = vec![
            Marker::Task(TaskMarker { parent: IssueNumber(parent), key: key.clone(), plan: plan.clone() }),
            Marker::Plan { hash: plan },
            Marker::Progress { key },
            Marker::Heartbeat { at },
        ];
        let text: String = markers.iter().map(render).collect::<Vec<_>>().join("\n");
        prop_assert_eq!(find_all(&text), markers);
    }

    #[test]
    fn reading_never_panics(text in any::<String>()) {
        let _ = find_all(&text);
        let _ = text.parse::<Marker>();
    }
}
