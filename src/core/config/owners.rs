//! Owner domains (seed 004's masters) and the words that route a task to one.

use serde::{Deserialize, Serialize};

/// One owner domain and the words that point to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerConfig {
    /// Domain name, used in `owner:` labels and plans.
    pub name: String,
    /// Words in a title or body that point to this domain.
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl OwnerConfig {
    /// Seed 004's masters with keywords that route simple tasks.
    pub fn defaults() -> Vec<Self> {
        let o = |name: &str, kw: &[&str]| OwnerConfig {
            name: name.into(),
            keywords: kw.iter().map(|s| (*s).into()).collect(),
        };
        vec![
            o(
                "development",
                &[
                    "implement",
                    "code",
                    "bug",
                    "fix",
                    "refactor",
                    "feature",
                    "api",
                    "backend",
                    "frontend",
                    "test",
                    "tests",
                ],
            ),
            o(
                "security",
                &[
                    "security",
                    "vulnerability",
                    "audit",
                    "cve",
                    "auth",
                    "secret",
                    "permission",
                ],
            ),
            o(
                "inventory",
                &["inventory", "list", "repositories", "portfolio", "catalog"],
            ),
            o(
                "cicd",
                &[
                    "ci", "cd", "deploy", "pipeline", "workflow", "release", "build",
                ],
            ),
            o(
                "docs",
                &["docs", "documentation", "readme", "guide", "tutorial"],
            ),
        ]
    }
}
