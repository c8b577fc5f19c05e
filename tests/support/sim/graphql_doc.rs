//! Just enough GraphQL for the sim: the root fields of a document (alias,
//! name, `arg: $var` arguments), and a check of mutation inputs against the
//! input types copied from GitHub's schema.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

/// One selection of the operation's root selection set.
#[derive(Debug, Clone, PartialEq)]
pub struct RootField {
    pub alias: Option<String>,
    pub name: String,
    /// Argument name → variable name (`input: $i0`); literals are not supported.
    pub args: Vec<(String, String)>,
}

impl RootField {
    /// The key the field's data is returned under.
    pub fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

fn ident(s: &[u8], i: &mut usize) -> String {
    let start = *i;
    while *i < s.len() && (s[*i].is_ascii_alphanumeric() || s[*i] == b'_') {
        *i += 1;
    }
    String::from_utf8_lossy(&s[start..*i]).into_owned()
}

fn skip_ws(s: &[u8], i: &mut usize) {
    while *i < s.len() && (s[*i].is_ascii_whitespace() || s[*i] == b',') {
        *i += 1;
    }
}

/// Skips from an opening `open` to just past its matching close.
fn skip_group(s: &[u8], i: &mut usize, open: u8, close: u8) -> Result<(), String> {
    let mut depth = 0;
    let mut in_str = false;
    while *i < s.len() {
        let c = s[*i];
        *i += 1;
        match c {
            b'"' => in_str = !in_str,
            _ if in_str => {}
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
            _ => {}
        }
    }
    Err("unbalanced GraphQL document".into())
}

/// The root fields of the first operation in `query`.
pub fn root_fields(query: &str) -> Result<Vec<RootField>, String> {
    let s = query.as_bytes();
    let mut i = query
        .find('{')
        .ok_or("the GraphQL document has no selection set")?
        + 1;
    let mut out = Vec::new();
    loop {
        skip_ws(s, &mut i);
        match s.get(i) {
            None => return Err("unbalanced GraphQL document".into()),
            Some(b'}') => return Ok(out),
            Some(_) => {}
        }
        let first = ident(s, &mut i);
        if first.is_empty() {
            return Err(format!(
                "the GitHub sim cannot parse the GraphQL document near byte {i}"
            ));
        }
        skip_ws(s, &mut i);
        let (alias, name) = if s.get(i) == Some(&b':') {
            i += 1;
            skip_ws(s, &mut i);
            (Some(first), ident(s, &mut i))
        } else {
            (None, first)
        };
        skip_ws(s, &mut i);
        let mut args = Vec::new();
        if s.get(i) == Some(&b'(') {
            let start = i + 1;
            skip_group(s, &mut i, b'(', b')')?;
            let inner = &query[start..i - 1];
            for part in inner.split(',') {
                let Some((arg, value)) = part.split_once(':') else {
                    continue;
                };
                let value = value.trim();
                let var = value.strip_prefix('$').ok_or_else(|| {
                    format!(
                        "the GitHub sim needs arguments as variables; `{}` is a literal",
                        value
                    )
                })?;
                args.push((arg.trim().to_owned(), var.to_owned()));
            }
            skip_ws(s, &mut i);
        }
        if s.get(i) == Some(&b'{') {
            skip_group(s, &mut i, b'{', b'}')?;
        }
        out.push(RootField { alias, name, args });
    }
}

/// Input object type name → (field name → (type name, non-null)).
type InputTypes = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn input_types() -> &'static InputTypes {
    static TYPES: OnceLock<InputTypes> = OnceLock::new();
    TYPES.get_or_init(|| {
        let sdl = include_str!("../../fixtures/github/graphql/mutations.subset.graphql");
        let mut types = InputTypes::new();
        let mut current: Option<String> = None;
        let mut in_doc = false;
        for line in sdl.lines() {
            let t = line.trim();
            if t.starts_with("\"\"\"") {
                // A one-line description opens and closes on the same line.
                if !(t.len() > 3 && t.ends_with("\"\"\"")) {
                    in_doc = !in_doc;
                }
                continue;
            }
            if in_doc || t.starts_with('#') {
                continue;
            }
            if let Some(rest) = t.strip_prefix("input ") {
                let name = rest.trim_end_matches('{').trim().to_owned();
                types.insert(name.clone(), BTreeMap::new());
                current = Some(name);
            } else if t == "}" {
                current = None;
            } else if let (Some(c), Some((field, ty))) = (&current, t.split_once(':')) {
                let ty = ty.split('@').next().unwrap_or("").trim();
                let non_null = ty.ends_with('!');
                let base = ty
                    .trim_matches(|c| c == '[' || c == ']' || c == '!')
                    .to_owned();
                if let Some(fields) = types.get_mut(c) {
                    fields.insert(field.trim().to_owned(), (base, non_null));
                }
            }
        }
        types
    })
}

/// Checks `value` against input type `ty`; the first problem found.
fn check_input(ty: &str, value: &Value, at: &str) -> Result<(), String> {
    let types = input_types();
    let Some(fields) = types.get(ty) else {
        return Ok(()); // a scalar (ID, String, Float, …)
    };
    let Some(obj) = value.as_object() else {
        return Err(format!("{at}: {ty} must be an object"));
    };
    for (k, v) in obj {
        let Some((fty, _)) = fields.get(k) else {
            return Err(format!("{at}: {ty} has no field `{k}`"));
        };
        if !v.is_null() {
            check_input(fty, v, &format!("{at}.{k}"))?;
        }
    }
    for (k, (_, non_null)) in fields {
        if *non_null && obj.get(k).is_none_or(Value::is_null) {
            return Err(format!("{at}: {ty}.{k} is required"));
        }
    }
    Ok(())
}

/// Checks every mutation root field's `input` against GitHub's schema.
pub fn validate_mutation(fields: &[RootField], vars: &Value) -> Result<(), String> {
    for f in fields {
        let mut name = f.name.clone();
        if let Some(c) = name.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        let ty = format!("{name}Input");
        if !input_types().contains_key(&ty) {
            return Err(format!(
                "mutation `{}` is not in the schema subset the sim knows",
                f.name
            ));
        }
        let var = f
            .args
            .iter()
            .find(|(a, _)| a == "input")
            .map(|(_, v)| v.as_str())
            .unwrap_or("input");
        check_input(&ty, &vars[var], &format!("{}(input: ${var})", f.key()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aliases_and_arguments_are_read() {
        let q = "mutation($i0: T!, $i1: T!) { a0: addProjectV2ItemById(input: $i0) { item { id } } \
                 a1: addProjectV2ItemById(input: $i1) { item { id } } }";
        let f = root_fields(q).expect("parses");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].key(), "a1");
        assert_eq!(f[1].args, [("input".to_string(), "i1".to_string())]);
        let q = "query($owner: String!) { organization(login: $owner) { projectV2(number: 1) { id } } }";
        assert_eq!(root_fields(q).expect("parses")[0].name, "organization");
    }

    #[test]
    fn inputs_are_checked_against_the_schema() {
        let f = root_fields("mutation($input: X!) { updateProjectV2ItemFieldValue(input: $input) { clientMutationId } }").expect("parses");
        let ok = json!({ "input": { "projectId": "P", "itemId": "I", "fieldId": "F",
                                    "value": { "singleSelectOptionId": "o" } } });
        assert_eq!(validate_mutation(&f, &ok), Ok(()));
        let bad = json!({ "input": { "projectId": "P", "itemId": "I", "fieldId": "F",
                                     "value": { "option": "o" } } });
        assert_eq!(
            validate_mutation(&f, &bad),
            Err("updateProjectV2ItemFieldValue(input: $input).value: ProjectV2FieldValue has no field `option`".into())
        );
        let missing = json!({ "input": { "projectId": "P", "itemId": "I", "value": {} } });
        assert!(
            validate_mutation(&f, &missing)
                .expect_err("invalid")
                .contains("fieldId is required")
        );
    }
}
