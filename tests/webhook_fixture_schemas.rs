//! The hand-built webhook fixtures (events GitHub's example set lacks) must
//! match GitHub's own webhook schemas from its OpenAPI description.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/github");

fn read_json(file: &str) -> Value {
    let bytes = fs::read(Path::new(FIXTURES).join(file)).expect("fixture");
    serde_json::from_slice(&bytes).expect("fixture json")
}

/// OpenAPI 3.0 marks nullable values with `nullable: true`, which JSON Schema
/// validators ignore: rewrite it as a `null` type (and enum value).
fn nullable_to_json_schema(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(nullable_to_json_schema),
        Value::Object(map) => {
            map.values_mut().for_each(nullable_to_json_schema);
            if map.remove("nullable") != Some(Value::Bool(true)) {
                return;
            }
            if let Some(Value::Array(values)) = map.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
            match map.get("type").cloned() {
                Some(Value::String(t)) => {
                    map.insert("type".into(), json!([t, "null"]));
                }
                Some(_) => {}
                None => {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([{"type": "null"}, inner]));
                }
            }
        }
        _ => {}
    }
}

/// The OpenAPI components with `nullable` rewritten for a JSON Schema validator.
fn components() -> Value {
    let doc = read_json("openapi/api.github.com.webhooks.subset.json");
    let mut components = doc["components"].clone();
    nullable_to_json_schema(&mut components);
    components
}

/// A validator for one webhook schema; `$ref`s resolve inside the wrapper document.
fn validator(name: &str, components: &Value) -> jsonschema::Validator {
    let schema = json!({
        "allOf": [{"$ref": format!("#/components/schemas/{name}")}],
        "components": components,
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

/// `issues.closed.completed.json` is checked against `webhook-issues-closed`.
fn schema_name(file: &str) -> String {
    let mut parts = file.split('.');
    let (event, action) = (parts.next().expect("event"), parts.next().expect("action"));
    format!("webhook-{event}-{action}").replace('_', "-")
}

#[test]
fn hand_built_fixtures_match_githubs_webhook_schemas() {
    let components = components();
    let mut files: Vec<String> = fs::read_dir(Path::new(FIXTURES).join("webhooks-handmade"))
        .expect("fixture folder")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8 name")
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 14);
    for file in &files {
        let name = schema_name(file);
        assert!(
            components["schemas"].get(&name).is_some(),
            "{file}: no schema `{name}`"
        );
        let instance = read_json(&format!("webhooks-handmade/{file}"));
        let errors: Vec<String> = validator(&name, &components)
            .iter_errors(&instance)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{file} does not match `{name}`:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_schema_check_rejects_a_broken_fixture() {
    let validator = validator("webhook-sub-issues-sub-issue-added", &components());
    let mut instance = read_json("webhooks-handmade/sub_issues.sub_issue_added.json");
    assert!(validator.is_valid(&instance));
    instance["sub_issue"]["number"] = json!("two");
    assert!(!validator.is_valid(&instance));
    instance["sub_issue"]["number"] = json!(2);
    instance
        .as_object_mut()
        .expect("object")
        .remove("parent_issue");
    assert!(!validator.is_valid(&instance), "parent_issue is required");
}
