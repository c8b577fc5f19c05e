//! The state the Action keeps in a sub-issue's one progress comment, finding
//! it again (only among comments by the account vayu runs as, so nobody can
//! plant a fake heartbeat or retry count), and tailing `$VAYU_PROGRESS`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::protocol::ProgressLine;
use crate::app::ports::{Comment, GhResult, GitHub};
use crate::core::ids::{CommentId, IssueNumber, RepoName, TaskKey};
use crate::core::marker::{Marker, find_all};
use crate::core::task::{Artifact, Progress, Status};
use crate::render::{ProgressCommentInput, RenderError, progress_comment};

/// How many log lines the comment keeps.
pub const KEPT_LOG_LINES: usize = 10;

/// The progress comment's content, as the Action tracks it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressDoc {
    /// The subtask.
    pub key: TaskKey,
    /// The comment on GitHub, once it exists.
    pub comment: Option<CommentId>,
    /// The status shown.
    pub status: Status,
    /// 0-100.
    pub progress: Progress,
    /// The step being worked on.
    pub step: Option<String>,
    /// Our sentence about the outcome.
    pub note: Option<String>,
    /// Milestones.
    pub checkpoints: Vec<String>,
    /// Outputs.
    pub artifacts: Vec<Artifact>,
    /// The last log lines.
    pub logs: Vec<String>,
    /// The last heartbeat written, when one was.
    pub heartbeat: Option<DateTime<Utc>>,
    /// Retries spent.
    pub retries: u32,
}

impl ProgressDoc {
    /// A fresh document for `key`.
    pub fn new(key: TaskKey) -> Self {
        Self {
            key,
            comment: None,
            status: Status::Queued,
            progress: Progress::ZERO,
            step: None,
            note: None,
            checkpoints: Vec::new(),
            artifacts: Vec::new(),
            logs: Vec::new(),
            heartbeat: None,
            retries: 0,
        }
    }

    /// Reads the markers of an existing comment (the visible text is rebuilt
    /// on each edit, so only the markers matter).
    pub fn from_comment(key: TaskKey, c: &Comment) -> Self {
        let mut doc = Self::new(key);
        doc.comment = Some(c.id);
        for m in find_all(&c.body) {
            match m {
                Marker::Heartbeat { at } => doc.heartbeat = Some(at),
                Marker::Retries { count } => doc.retries = count,
                _ => {}
            }
        }
        doc
    }

    /// Applies one protocol line.
    pub fn apply(&mut self, line: ProgressLine) {
        match line {
            ProgressLine::Progress { percent, step } => {
                self.progress = percent;
                if step.is_some() {
                    self.step = step;
                }
            }
            ProgressLine::Checkpoint(text) => self.checkpoints.push(text),
            ProgressLine::Artifact { name, url } => self.artifacts.push(Artifact { name, url }),
            ProgressLine::Log(text) => {
                self.logs.push(text);
                let extra = self.logs.len().saturating_sub(KEPT_LOG_LINES);
                self.logs.drain(..extra);
            }
        }
    }

    /// The comment body, with a heartbeat at `now`.
    pub fn render(
        &self,
        now: DateTime<Utc>,
        run_url: Option<&str>,
        max_retries: u32,
    ) -> Result<String, RenderError> {
        progress_comment(&ProgressCommentInput {
            key: &self.key,
            status: self.status,
            progress: self.progress,
            step: self.step.as_deref(),
            note: self.note.as_deref(),
            checkpoints: &self.checkpoints,
            artifacts: &self.artifacts,
            logs: &self.logs,
            run_url,
            heartbeat: now,
            retries: self.retries,
            max_retries,
        })
    }
}

/// The progress comment for `key` on issue `n`, among `bot`'s comments only.
pub async fn find_progress_comment<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    n: IssueNumber,
    key: &TaskKey,
    bot: &str,
) -> GhResult<Option<Comment>> {
    let want = Marker::Progress { key: key.clone() };
    Ok(gh
        .list_comments(repo, n)
        .await?
        .into_iter()
        .find(|c| c.user.as_str() == bot && find_all(&c.body).contains(&want)))
}

/// The first comment by `bot` on issue `n` holding `marker`.
pub async fn find_own_comment<G: GitHub>(
    gh: &G,
    repo: &RepoName,
    n: IssueNumber,
    marker: &Marker,
    bot: &str,
) -> GhResult<Option<Comment>> {
    Ok(gh
        .list_comments(repo, n)
        .await?
        .into_iter()
        .find(|c| c.user.as_str() == bot && find_all(&c.body).contains(marker)))
}

/// Reads the complete lines appended to a file since the last call.
#[derive(Debug)]
pub struct Tail {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl Tail {
    /// Tails `path` from its start.
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            offset: 0,
            partial: Vec::new(),
        }
    }

    /// The lines completed since the last call; with `at_end`, a last
    /// unterminated line too. A missing file has no lines yet.
    pub fn poll(&mut self, at_end: bool) -> std::io::Result<Vec<String>> {
        let mut f = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let len = f.metadata()?.len();
        if len < self.offset {
            // Truncated by the step: start again.
            self.offset = 0;
            self.partial.clear();
        }
        f.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)?;
        self.offset += buf.len() as u64;
        self.partial.extend_from_slice(&buf);
        let mut lines = Vec::new();
        while let Some(pos) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=pos).collect();
            lines.push(String::from_utf8_lossy(&line[..pos]).into_owned());
        }
        if at_end && !self.partial.is_empty() {
            lines.push(String::from_utf8_lossy(&self.partial).into_owned());
            self.partial.clear();
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::core::ids::Login;

    #[test]
    fn tail_returns_complete_lines_once() {
        let dir = std::env::temp_dir().join(format!("vayu-tail-{}", std::process::id()));
        let mut f = File::create(&dir).expect("create");
        let mut tail = Tail::new(&dir);
        write!(f, "progress 30 build\nprog").expect("write");
        assert_eq!(tail.poll(false).expect("poll"), ["progress 30 build"]);
        write!(f, "ress 100 done").expect("write");
        assert!(tail.poll(false).expect("poll").is_empty());
        assert_eq!(tail.poll(true).expect("poll"), ["progress 100 done"]);
        assert!(tail.poll(true).expect("poll").is_empty());
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn markers_are_read_back_from_the_comment() {
        let key = TaskKey::new("build").expect("key");
        let mut doc = ProgressDoc::new(key.clone());
        doc.retries = 2;
        let at: DateTime<Utc> = "2025-01-31T12:00:05Z".parse().expect("time");
        let body = doc.render(at, None, 3).expect("render");
        let back = ProgressDoc::from_comment(
            key,
            &Comment {
                id: CommentId(9),
                body,
                user: Login("github-actions[bot]".into()),
            },
        );
        assert_eq!(back.retries, 2);
        assert_eq!(back.heartbeat, Some(at));
        assert_eq!(back.comment, Some(CommentId(9)));
    }

    #[test]
    fn logs_keep_the_last_lines() {
        let mut doc = ProgressDoc::new(TaskKey::new("k").expect("key"));
        for i in 0..15 {
            doc.apply(ProgressLine::Log(format!("line {i}")));
        }
        assert_eq!(doc.logs.len(), KEPT_LOG_LINES);
        assert_eq!(doc.logs[0], "line 5");
    }
}
