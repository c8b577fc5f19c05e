//! Reading `.github/vayu.yml`: size and alias limits, then serde, then the
//! rules of `validate`, with every problem tied to a line and column.

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Error as YamlError, MessageFormatter, UserMessageFormatter};

use super::Config;
use super::error::{ConfigError, Problem};
use super::keys::{KeyIndex, parent};
use super::validate;

/// Largest config file vayu reads; a config is a few KiB, so this only stops abuse.
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// Most alias (`*name`) uses a config may contain; stops "billion laughs" expansion.
pub const MAX_ALIASES: usize = 64;

/// Parses and validates `text`, naming `file` in every problem.
pub(crate) fn load(file: &str, text: &str) -> Result<Config, ConfigError> {
    let fail = |problems| {
        Err(ConfigError {
            file: file.to_owned(),
            problems,
        })
    };
    if text.len() > MAX_CONFIG_BYTES {
        return fail(vec![Problem::whole_file(format!(
            "the file is {} bytes, over the limit of {MAX_CONFIG_BYTES} bytes (256 KiB); \
             a vayu config should be a few KiB",
            text.len()
        ))]);
    }
    // The index pass does not expand aliases, so counting them here refuses a
    // bomb before the deserializer replays anything.
    let index = KeyIndex::build(text);
    if let Some(&(line, column)) = index.aliases.get(MAX_ALIASES) {
        return fail(vec![Problem::at(line, column, alias_message())]);
    }
    let config: Config = match serde_saphyr::from_str_with_options(text, options()) {
        Ok(config) => config,
        Err(e) => return fail(vec![yaml_problem(&e, &index)]),
    };
    let mut problems = validate::problems(&config);
    if problems.is_empty() {
        return Ok(config);
    }
    for p in &mut problems {
        if let Some((line, column)) = p.path.as_deref().and_then(|path| index.locate(path)) {
            p.line = Some(line);
            p.column = Some(column);
        }
    }
    // File order; problems without a position last, in rule order.
    problems.sort_by_key(|p| (p.line.is_none(), p.line, p.column));
    fail(problems)
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_CONFIG_BYTES),
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ALIASES,
            max_depth: 32,
            max_documents: 1,
            max_nodes: 50_000,
            max_events: 200_000,
            max_total_scalar_bytes: MAX_CONFIG_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
            max_replay_stack_depth: 16,
            max_alias_expansions_per_anchor: MAX_ALIASES,
        },
    }
}

fn alias_message() -> String {
    format!(
        "too many YAML aliases: a config may use `*name` at most {MAX_ALIASES} times; \
         write the values out instead"
    )
}

/// Turns a deserializer error into a problem that names the key involved.
fn yaml_problem(err: &YamlError, index: &KeyIndex) -> Problem {
    let err = err.without_snippet();
    let pos = err
        .location()
        .map(|l| (to_usize(l.line()), to_usize(l.column())))
        .filter(|(line, _)| *line > 0);
    let value_path = pos
        .and_then(|(l, c)| index.value_at(l, c))
        .filter(|p| !p.is_empty());
    let message = match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let key_path = pos.and_then(|(l, c)| index.key_at(l, c));
            unknown_key_message(field, key_path.map(parent), expected)
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let what = value_path.map_or(String::new(), |p| format!(" for `{p}`"));
            format!(
                "unknown value `{variant}`{what}: expected one of {}",
                expected.join(", ")
            )
        }
        YamlError::DuplicateMappingKey { .. } => match pos.and_then(|(l, c)| index.key_at(l, c)) {
            Some(path) => format!("`{path}` is written twice: keep one"),
            None => "a key is written twice in the same mapping: keep one".to_owned(),
        },
        YamlError::SerdeMissingField { field, .. } => match value_path {
            Some(p) => format!("`{p}` is missing the required key `{field}`"),
            None => format!("the required key `{field}` is missing"),
        },
        YamlError::Budget { breach, .. } => budget_message(breach),
        YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. } => alias_message(),
        YamlError::MultipleDocuments { .. } => multiple_documents_message(),
        YamlError::InvalidScalar { ty, .. } => with_path(value_path, &expected_scalar(ty)),
        YamlError::Unexpected { expected, .. } => with_path(
            value_path,
            &format!("expected {}", describe_expected(expected)),
        ),
        other => with_path(value_path, &UserMessageFormatter.format_message(other)),
    };
    match pos {
        Some((line, column)) => Problem {
            path: value_path.map(str::to_owned),
            ..Problem::at(line, column, message)
        },
        None => Problem::whole_file(message),
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn with_path(path: Option<&str>, message: &str) -> String {
    match path {
        Some(p) => format!("`{p}`: {message}"),
        None => message.to_owned(),
    }
}

/// `section` is `None` when the key's position is unknown, `Some(None)` at the top level.
fn unknown_key_message(key: &str, section: Option<Option<&str>>, valid: &[&str]) -> String {
    let (word, plural) = if section == Some(Some("permissions")) {
        ("verb", "verbs")
    } else {
        ("key", "keys")
    };
    let place = match section {
        Some(Some(s)) => format!(" in `{s}`"),
        Some(None) => " at the top level".to_owned(),
        None => String::new(),
    };
    let hint = closest(key, valid).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
    format!(
        "unknown {word} `{key}`{place}{hint}; valid {plural} are: {}",
        valid.join(", ")
    )
}

/// The valid word within two edits of `word`, if one is.
fn closest<'a>(word: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid
        .iter()
        .map(|v| (edit_distance(word, v), *v))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

fn budget_message(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. } => alias_message(),
        BudgetBreach::Documents { .. } => multiple_documents_message(),
        BudgetBreach::Depth { depth } => {
            format!("the document nests {depth} levels deep; a vayu config needs far fewer")
        }
        other => format!(
            "the document is too large or complex to be a vayu config ({other:?}); \
             keep it to the documented sections"
        ),
    }
}

fn multiple_documents_message() -> String {
    "the file holds more than one YAML document: remove the second `---` and what follows"
        .to_owned()
}

fn expected_scalar(ty: &str) -> String {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "usize" => "expected a whole number, 0 or more".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "expected a whole number".to_owned(),
        "f32" | "f64" | "floating point" => "expected a number".to_owned(),
        "bool" | "boolean" => "expected true or false".to_owned(),
        other => format!("expected a value of type {other}"),
    }
}

fn describe_expected(expected: &str) -> &str {
    match expected {
        "mapping start" => "a mapping (`key: value` lines)",
        "sequence start" => "a list (`- item` lines or `[a, b]`)",
        "string scalar" => "a text value",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let valid = ["min_subtasks", "max_subtasks", "mode"];
        assert_eq!(closest("max_subtask", &valid), Some("max_subtasks"));
        assert_eq!(closest("mod", &valid), Some("mode"));
        assert_eq!(closest("colour", &valid), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
