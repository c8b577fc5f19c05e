//! What is wrong with a config file, with where it is wrong.

use std::fmt;

/// One thing wrong with a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key path the problem is about (`planning.max_subtasks`, `owners[1].name`), when known.
    pub path: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem about `path`, position not yet known.
    pub fn at_path(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            line: None,
            column: None,
            path: Some(path.into()),
            message: message.into(),
        }
    }

    /// A problem at a known position.
    pub fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            column: Some(column),
            path: None,
            message: message.into(),
        }
    }

    /// A problem about the whole file.
    pub fn whole_file(message: impl Into<String>) -> Self {
        Self {
            line: None,
            column: None,
            path: None,
            message: message.into(),
        }
    }
}

/// Why a config file was refused: every problem found, in file order where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file name shown in front of each problem (`.github/vayu.yml`).
    pub file: String,
    /// The problems, at least one.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    /// One line per problem: `FILE:LINE:COLUMN: message`, or `FILE: message`
    /// when the position is not known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match (p.line, p.column) {
                (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, p.message)?,
                (Some(l), None) => write!(f, "{}:{l}: {}", self.file, p.message)?,
                _ => write!(f, "{}: {}", self.file, p.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_one_line_per_problem() {
        let e = ConfigError {
            file: ".github/vayu.yml".into(),
            problems: vec![
                Problem::at(3, 5, "first"),
                Problem::at_path("planning.max_stages", "second"),
            ],
        };
        assert_eq!(
            e.to_string(),
            ".github/vayu.yml:3:5: first\n.github/vayu.yml: second"
        );
    }
}
