//! The progress protocol: lines a step writes to `$VAYU_PROGRESS`.
//!
//! ```text
//! progress 40 compiling     percentage 0-100, optional step name
//! checkpoint schema migrated
//! artifact report https://example.com/report.html
//! log anything worth keeping
//! ```
//!
//! A malformed line is reported (as a warning annotation) and skipped; it
//! never stops the run.

use crate::core::task::Progress;

/// One understood line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressLine {
    /// `progress <0-100> [step]`
    Progress {
        /// The percentage.
        percent: Progress,
        /// The step, when given.
        step: Option<String>,
    },
    /// `checkpoint <text>`
    Checkpoint(String),
    /// `artifact <name> <url>`
    Artifact {
        /// What it is.
        name: String,
        /// Where it is (`http://` or `https://`).
        url: String,
    },
    /// `log <text>`
    Log(String),
}

/// Why a line was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The first word is not a verb of the protocol.
    #[error(
        "unknown progress verb `{0}`: expected `progress <0-100> [step]`, `checkpoint <text>`, `artifact <name> <url>` or `log <text>`"
    )]
    UnknownVerb(String),
    /// `progress` without a number in 0-100.
    #[error("`progress` takes a whole number from 0 to 100 first, got `{0}`")]
    BadPercent(String),
    /// A verb without the text it needs.
    #[error("`{0}` needs text after it")]
    Empty(&'static str),
    /// `artifact` without a name and an http(s) URL.
    #[error("`artifact` takes a name and an http(s) URL, got `{0}`")]
    BadArtifact(String),
}

/// Longest text kept from one line, so a runaway step cannot bloat the comment.
pub const MAX_TEXT: usize = 200;

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

/// Parses one line; blank lines and `#` comments are `Ok(None)`.
pub fn parse_line(line: &str) -> Result<Option<ProgressLine>, ProtocolError> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (verb, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(v, r)| (v, r.trim()));
    let need_text = |name: &'static str| {
        if rest.is_empty() {
            Err(ProtocolError::Empty(name))
        } else {
            Ok(clip(rest))
        }
    };
    let parsed = match verb {
        "progress" => {
            let (n, step) = rest
                .split_once(char::is_whitespace)
                .map_or((rest, ""), |(n, s)| (n, s.trim()));
            let percent = n
                .parse::<u32>()
                .ok()
                .and_then(|v| Progress::new(v).ok())
                .ok_or_else(|| ProtocolError::BadPercent(clip(n)))?;
            ProgressLine::Progress {
                percent,
                step: (!step.is_empty()).then(|| clip(step)),
            }
        }
        "checkpoint" => ProgressLine::Checkpoint(need_text("checkpoint")?),
        "log" => ProgressLine::Log(need_text("log")?),
        "artifact" => {
            let mut words = rest.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some(name), Some(url), None)
                    if url.starts_with("https://") || url.starts_with("http://") =>
                {
                    ProgressLine::Artifact {
                        name: clip(name),
                        url: clip(url),
                    }
                }
                _ => return Err(ProtocolError::BadArtifact(clip(rest))),
            }
        }
        other => return Err(ProtocolError::UnknownVerb(clip(other))),
    };
    Ok(Some(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(n: u32) -> Progress {
        Progress::new(n).expect("in range")
    }

    #[test]
    fn reads_every_verb() {
        assert_eq!(
            parse_line("progress 30 build"),
            Ok(Some(ProgressLine::Progress {
                percent: pct(30),
                step: Some("build".into())
            }))
        );
        assert_eq!(
            parse_line("  progress 100  "),
            Ok(Some(ProgressLine::Progress {
                percent: pct(100),
                step: None
            }))
        );
        assert_eq!(
            parse_line("checkpoint schema migrated"),
            Ok(Some(ProgressLine::Checkpoint("schema migrated".into())))
        );
        assert_eq!(
            parse_line("artifact report https://x.test/r"),
            Ok(Some(ProgressLine::Artifact {
                name: "report".into(),
                url: "https://x.test/r".into()
            }))
        );
        assert_eq!(
            parse_line("log hello"),
            Ok(Some(ProgressLine::Log("hello".into())))
        );
        assert_eq!(parse_line(""), Ok(None));
        assert_eq!(parse_line("# note"), Ok(None));
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(
            parse_line("progress 101"),
            Err(ProtocolError::BadPercent("101".into()))
        );
        assert_eq!(
            parse_line("progress x"),
            Err(ProtocolError::BadPercent("x".into()))
        );
        assert_eq!(parse_line("log"), Err(ProtocolError::Empty("log")));
        assert_eq!(
            parse_line("artifact r javascript:alert(1)"),
            Err(ProtocolError::BadArtifact("r javascript:alert(1)".into()))
        );
        let err = parse_line("rm -rf /").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "unknown progress verb `rm`: expected `progress <0-100> [step]`, `checkpoint <text>`, `artifact <name> <url>` or `log <text>`"
        );
    }

    #[test]
    fn long_text_is_clipped() {
        let long = "x".repeat(500);
        let Ok(Some(ProgressLine::Log(text))) = parse_line(&format!("log {long}")) else {
            panic!("a log line");
        };
        assert_eq!(text.len(), MAX_TEXT);
    }
}
