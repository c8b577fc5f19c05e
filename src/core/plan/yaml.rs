//! The YAML shape of a plan, shared by ```` ```vayu ```` blocks and templates,
//! and its conversion to [`SubtaskSpec`]s with positions.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, SeqAccess, Visitor};
use serde_saphyr::{MessageFormatter, Spanned, UserMessageFormatter};

use super::model::{Condition, Minutes, Mode, Span, SubtaskSpec};
use crate::core::ids::TaskKey;

/// A ```` ```vayu ```` block: an optional mode and the subtasks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanDoc {
    #[serde(default)]
    pub mode: Option<Mode>,
    pub subtasks: Vec<Spanned<SubtaskDoc>>,
}

/// A template file: a block plus its name and what it is for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateDoc {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub mode: Option<Mode>,
    pub subtasks: Vec<Spanned<SubtaskDoc>>,
}

/// One subtask as written in YAML.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubtaskDoc {
    #[serde(default)]
    key: Option<TaskKey>,
    title: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    needs: Vec<TaskKey>,
    #[serde(default, deserialize_with = "condition")]
    when: Option<Condition>,
    #[serde(default, deserialize_with = "one_or_many")]
    resources: Vec<String>,
    #[serde(default, deserialize_with = "estimate")]
    estimate: Option<Minutes>,
    #[serde(default, deserialize_with = "one_or_many")]
    files: Vec<String>,
    #[serde(default)]
    success: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Why YAML text could not be read.
#[derive(Debug)]
pub(crate) struct YamlError {
    /// 1-based (line, column) within the YAML text, when known.
    pub at: Option<(usize, usize)>,
    /// The parser's explanation, without position.
    pub message: String,
}

/// Parses YAML text into `T`.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str::<T>(text).map_err(|err| {
        let at = err
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| (to_usize(l.line()), to_usize(l.column())));
        YamlError {
            at,
            message: UserMessageFormatter.format_message(&err).into_owned(),
        }
    })
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Converts parsed subtasks to specs; `place` maps a (line, column) within the
/// YAML text to a position in the whole source. A missing key becomes the
/// slug of the title.
pub(crate) fn into_specs(
    docs: Vec<Spanned<SubtaskDoc>>,
    place: &dyn Fn(usize, usize) -> Span,
) -> Vec<SubtaskSpec> {
    docs.into_iter()
        .enumerate()
        .map(|(i, spanned)| {
            let loc = spanned.referenced;
            let span =
                (loc.line() > 0).then(|| place(to_usize(loc.line()), to_usize(loc.column())));
            let doc = spanned.value;
            SubtaskSpec {
                key: doc
                    .key
                    .unwrap_or_else(|| TaskKey::slug(&doc.title, &format!("subtask-{}", i + 1))),
                title: doc.title.trim().to_owned(),
                owner: doc
                    .owner
                    .map(|o| o.trim().trim_start_matches('@').to_owned()),
                needs: doc.needs,
                when: doc.when,
                resources: doc.resources,
                estimate: doc.estimate,
                files: doc.files,
                success: doc.success,
                description: doc.description,
                span,
            }
        })
        .collect()
}

/// Accepts one string or a list of them (`needs: design` or `needs: [design]`),
/// each read as a `T`, so errors keep the item's own message.
fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct OneOrMany<T>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            T::deserialize(de::value::StrDeserializer::<E>::new(s)).map(|x| vec![x])
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(x) = seq.next_element()? {
                out.push(x);
            }
            Ok(out)
        }
    }

    d.deserialize_any(OneOrMany(std::marker::PhantomData))
}

fn condition<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Condition>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|s| s.parse().map_err(de::Error::custom))
        .transpose()
}

/// Accepts a number of minutes (`15`) or an estimate string (`10-15m`, `1h`).
fn estimate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Minutes>, D::Error> {
    struct EstimateVisitor;

    impl<'de> Visitor<'de> for EstimateVisitor {
        type Value = Option<Minutes>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an estimate like 15, `15m`, `10-15m` or `1h`")
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            u32::try_from(n)
                .map(|n| Some(Minutes::exactly(n)))
                .map_err(|_| E::custom(format!("{n} minutes is too long for an estimate")))
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            u64::try_from(n)
                .map_err(|_| {
                    E::custom(format!("`{n}` is not an estimate: it must not be negative"))
                })
                .and_then(|n| self.visit_u64(n))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            s.parse().map(Some).map_err(E::custom)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
        }
    }

    d.deserialize_any(EstimateVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(yaml: &str) -> Result<Vec<SubtaskSpec>, YamlError> {
        let doc: PlanDoc = parse(yaml)?;
        Ok(into_specs(doc.subtasks, &|line, column| Span {
            line,
            column,
        }))
    }

    #[test]
    fn reads_every_field_in_both_spellings() {
        let s = specs(
            "subtasks:\n\
             - key: a\n  title: ' Design '\n  owner: '@development'\n  estimate: 15\n  files: x.md\n\
             - title: Build the API\n  owner: development\n  needs: a\n  when: a succeeded\n  resources: [db]\n  estimate: 10-15m\n",
        )
        .expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].key.as_str(), "a");
        assert_eq!(s[0].title, "Design");
        assert_eq!(s[0].owner.as_deref(), Some("development"));
        assert_eq!(s[0].estimate, Some(Minutes::exactly(15)));
        assert_eq!(s[0].files, vec!["x.md".to_owned()]);
        assert_eq!(s[0].span, Some(Span { line: 2, column: 3 }));
        assert_eq!(s[1].key.as_str(), "build-the-api");
        assert_eq!(s[1].needs, vec![TaskKey::new("a").expect("key")]);
        assert_eq!(s[1].when.as_ref().map(|c| c.key.as_str()), Some("a"));
        assert_eq!(s[1].resources, vec!["db".to_owned()]);
        assert_eq!(s[1].estimate, Some(Minutes { min: 10, max: 15 }));
        assert_eq!(s[1].span, Some(Span { line: 7, column: 3 }));
    }

    #[test]
    fn bad_values_are_refused_with_their_position() {
        let YamlError { at, message: msg } =
            specs("subtasks:\n- title: x\n  estimate: soon\n").expect_err("bad estimate");
        assert_eq!(at, Some((3, 13)));
        assert!(msg.contains("`soon` is not an estimate"), "{msg}");
        let YamlError { at, message: msg } =
            specs("subtasks:\n- title: x\n  when: x maybe\n").expect_err("bad when");
        assert_eq!(at, Some((3, 9)));
        assert!(msg.contains("`x maybe` is not a condition"), "{msg}");
        let YamlError { at, message: msg } =
            specs("subtasks:\n- title: x\n  estimate: -3\n").expect_err("negative");
        assert_eq!(at, Some((3, 13)));
        assert!(msg.contains("must not be negative"), "{msg}");
    }
}
