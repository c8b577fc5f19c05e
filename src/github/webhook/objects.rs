//! The GitHub objects webhook bodies embed (issue, comment, user, repository…),
//! read leniently: unknown fields are ignored, anything GitHub may omit or send
//! as `null` is optional, and state words stay strings so new ones still parse.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// Reads a list that may be absent, `null`, or hold `null` items, keeping the items.
pub(crate) fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items: Option<Vec<Option<T>>> = Option::deserialize(d)?;
    Ok(items.unwrap_or_default().into_iter().flatten().collect())
}

/// A user, bot or organization account.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    /// The login (`octocat`, `vayu[bot]`).
    pub login: String,
    /// The database id.
    pub id: u64,
    /// `User`, `Bot`, `Organization`, `Mannequin`…
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// A label; REST bodies may list labels as bare names, webhooks as objects.
#[derive(Debug, Clone)]
pub struct Label {
    /// The label's name.
    pub name: String,
}

/// By hand rather than `#[serde(untagged)]`: an untagged enum first copies
/// every label object, all of its fields, into serde's buffer and then tries
/// each shape, on every label of every delivery.
impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LabelVisitor;

        impl<'de> Visitor<'de> for LabelVisitor {
            type Value = Label;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a label name or an object with a `name`")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Label, E> {
                Ok(Label {
                    name: name.to_owned(),
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Label, A::Error> {
                let mut name = None;
                while let Some(key) = map.next_key::<LabelField>()? {
                    match key {
                        LabelField::Name => name = Some(map.next_value::<String>()?),
                        LabelField::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                name.map(|name| Label { name })
                    .ok_or_else(|| de::Error::missing_field("name"))
            }
        }

        d.deserialize_any(LabelVisitor)
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum LabelField {
    Name,
    #[serde(other)]
    Other,
}

/// An organisation's issue type (`Task`, `Bug`).
#[derive(Debug, Clone, Deserialize)]
pub struct IssueType {
    /// The type's name.
    pub name: String,
}

/// An issue (or a pull request seen through the issues API).
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    /// The number users see.
    pub number: u64,
    /// The database id.
    pub id: u64,
    /// The GraphQL node id.
    #[serde(default)]
    pub node_id: String,
    /// The title.
    pub title: String,
    /// The body; `None` when GitHub sent `null`.
    #[serde(default)]
    pub body: Option<String>,
    /// `open`, `closed`; `null` in some payloads.
    #[serde(default)]
    pub state: Option<String>,
    /// `completed`, `not_planned`, `duplicate`, `reopened`, or `null`.
    #[serde(default)]
    pub state_reason: Option<String>,
    /// The labels.
    #[serde(default, deserialize_with = "lenient_list")]
    pub labels: Vec<Label>,
    /// The author.
    #[serde(default)]
    pub user: Option<User>,
    /// The assignees.
    #[serde(default, deserialize_with = "lenient_list")]
    pub assignees: Vec<User>,
    /// `OWNER`, `MEMBER`, `CONTRIBUTOR`, `NONE`…
    #[serde(default)]
    pub author_association: Option<String>,
    /// Present only when the issue is a pull request.
    #[serde(default)]
    pub pull_request: Option<IgnoredAny>,
    /// The issue type, when the organisation uses them.
    #[serde(rename = "type", default)]
    pub issue_type: Option<IssueType>,
    /// `https://api.github.com/repos/{owner}/{repo}`: says which repository holds the issue.
    #[serde(default)]
    pub repository_url: Option<String>,
    /// `https://api.github.com/repos/{owner}/{repo}/issues/{number}` of the
    /// parent, when the issue is a sub-issue.
    #[serde(default)]
    pub parent_issue_url: Option<String>,
}

impl Issue {
    /// The parent's `owner/name` and number, read from `parent_issue_url`.
    pub fn parent_issue(&self) -> Option<(&str, u64)> {
        let url = self.parent_issue_url.as_deref()?;
        let (_, rest) = url.split_once("/repos/")?;
        let (repo, number) = rest.trim_end_matches('/').rsplit_once("/issues/")?;
        Some((repo, number.parse().ok()?))
    }

    /// The `owner/name` of the repository holding the issue, read from `repository_url`.
    pub fn repo_full_name(&self) -> Option<&str> {
        let url = self.repository_url.as_deref()?;
        let (_, rest) = url.split_once("/repos/")?;
        Some(rest.trim_end_matches('/'))
    }
}

/// A comment on an issue or pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    /// The comment's id.
    pub id: u64,
    /// The text; `None` when GitHub sent `null`.
    #[serde(default)]
    pub body: Option<String>,
    /// The author.
    #[serde(default)]
    pub user: Option<User>,
    /// `OWNER`, `MEMBER`, `CONTRIBUTOR`, `NONE`…
    #[serde(default)]
    pub author_association: Option<String>,
}

/// A repository as webhooks describe it.
#[derive(Debug, Clone, Deserialize)]
pub struct Repository {
    /// The database id.
    pub id: u64,
    /// The repository's own name.
    pub name: String,
    /// `owner/name`.
    pub full_name: String,
    /// The owning account.
    #[serde(default)]
    pub owner: Option<User>,
    /// The default branch (`main`).
    #[serde(default)]
    pub default_branch: Option<String>,
}

/// A repository as installation events list it.
#[derive(Debug, Clone, Deserialize)]
pub struct RepositoryRef {
    /// The database id.
    pub id: u64,
    /// The repository's own name.
    pub name: String,
    /// `owner/name`.
    pub full_name: String,
}

/// The installation a delivery was sent for.
#[derive(Debug, Clone, Deserialize)]
pub struct InstallationRef {
    /// The installation id.
    pub id: u64,
}

/// An installation in full, as installation events send it.
#[derive(Debug, Clone, Deserialize)]
pub struct Installation {
    /// The installation id.
    pub id: u64,
    /// The account the app is installed on.
    #[serde(default)]
    pub account: Option<User>,
    /// The app's id.
    #[serde(default)]
    pub app_id: Option<u64>,
}

/// The previous value of an edited field.
#[derive(Debug, Clone, Deserialize)]
pub struct ChangedFrom {
    /// The value before the edit.
    #[serde(default)]
    pub from: Option<String>,
}

/// What an `edited` action changed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Changes {
    /// The previous body, when the body changed.
    #[serde(default)]
    pub body: Option<ChangedFrom>,
    /// The previous title, when the title changed.
    #[serde(default)]
    pub title: Option<ChangedFrom>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(json: &str) -> Result<Vec<String>, serde_json::Error> {
        let labels: Vec<Label> = serde_json::from_str(json)?;
        Ok(labels.into_iter().map(|l| l.name).collect())
    }

    #[test]
    fn labels_read_as_names_or_as_objects() {
        assert_eq!(
            names(r#"["bug", {"id": 1, "name": "vayu:task", "color": "d73a4a", "default": true}, "a\"b"]"#)
                .expect("labels"),
            ["bug", "vayu:task", "a\"b"]
        );
    }

    #[test]
    fn a_label_object_without_a_name_is_an_error_that_says_so() {
        let e = names(r#"[{"id": 1}]"#).expect_err("no name");
        assert!(e.to_string().contains("missing field `name`"), "{e}");
        let e = names("[7]").expect_err("a number is no label");
        assert!(e.to_string().contains("a label name or an object"), "{e}");
    }
}
