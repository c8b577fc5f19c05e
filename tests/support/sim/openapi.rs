//! Conformance: routes and request bodies checked against GitHub's OpenAPI subset.
//!
//! The spec is the router: a request matches an operation's method and path template or
//! it is a violation. Request bodies are validated with one lazily built, cached JSON Schema
//! validator per operation (`#/components/...` refs resolve inside a synthetic root).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use axum::http::Method;
use serde_json::{Value, json};

const SPEC_TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/github/openapi/api.github.com.subset.json"
));

/// Operations the sim serves that the REST subset does not describe (bodies unchecked).
const EXTRAS: &[(&str, &str, &str)] = &[
    ("POST", "/graphql", "graphql"),
    ("GET", "/repos/{owner}/{repo}", "repos/get"),
];

struct Template {
    method: Method,
    segments: Vec<Seg>,
    op: &'static str,
}

enum Seg {
    Lit(String),
    Param(String),
    /// A trailing parameter that spans slashes (`contents/{path}`).
    Rest(String),
}

struct Spec {
    doc: Value,
    templates: Vec<Template>,
    validators: Mutex<HashMap<&'static str, Option<Arc<jsonschema::Validator>>>>,
}

static SPEC: LazyLock<Spec> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(SPEC_TEXT).expect("the OpenAPI subset is JSON");
    let mut templates = Vec::new();
    let mut add = |method: &str, path: &str, op: String| {
        let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
            return;
        };
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let last = parts.len() - 1;
        let segments = parts
            .iter()
            .enumerate()
            .map(
                |(i, s)| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some("path") if i == last => Seg::Rest("path".into()),
                    Some(p) => Seg::Param(p.to_string()),
                    None => Seg::Lit(s.to_string()),
                },
            )
            .collect();
        let op: &'static str = Box::leak(op.into_boxed_str());
        templates.push(Template {
            method,
            segments,
            op,
        });
    };
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (m, op) in ops.as_object().into_iter().flatten() {
                if let Some(id) = op["operationId"].as_str() {
                    add(m, path, id.to_string());
                }
            }
        }
    }
    for (m, p, op) in EXTRAS {
        add(m, p, op.to_string());
    }
    Spec {
        doc,
        templates,
        validators: Mutex::new(HashMap::new()),
    }
});

/// The operation a request maps to, with its decoded path parameters.
#[derive(Debug)]
pub struct Matched {
    pub op: &'static str,
    pub params: HashMap<String, String>,
    /// A POST that only matches a PATCH operation: GitHub accepts POST for PATCH, but the
    /// description does not, so the sim serves it and reports a violation.
    pub post_for_patch: bool,
}

/// Finds the operation for `method` + `path`; literal segments win over parameters.
pub fn match_route(method: &Method, path: &str) -> Option<Matched> {
    match_exact(method, path).or_else(|| {
        if *method != Method::POST {
            return None;
        }
        let mut m = match_exact(&Method::PATCH, path)?;
        m.post_for_patch = true;
        Some(m)
    })
}

fn match_exact(method: &Method, path: &str) -> Option<Matched> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut best: Option<(usize, Matched)> = None;
    for t in SPEC.templates.iter().filter(|t| t.method == *method) {
        let mut params = HashMap::new();
        let mut literals = 0;
        let mut ok = true;
        let mut i = 0;
        for seg in &t.segments {
            match seg {
                Seg::Rest(name) => {
                    if i >= segs.len() || segs[i].is_empty() {
                        ok = false;
                        break;
                    }
                    params.insert(name.clone(), decode(&segs[i..].join("/")));
                    i = segs.len();
                }
                _ if i >= segs.len() => {
                    ok = false;
                    break;
                }
                Seg::Lit(l) if l == segs[i] => {
                    literals += 1;
                    i += 1;
                }
                Seg::Lit(_) => {
                    ok = false;
                    break;
                }
                Seg::Param(p) => {
                    if segs[i].is_empty() {
                        ok = false;
                        break;
                    }
                    params.insert(p.clone(), decode(segs[i]));
                    i += 1;
                }
            }
        }
        if ok && i == segs.len() && best.as_ref().is_none_or(|(n, _)| literals > *n) {
            best = Some((
                literals,
                Matched {
                    op: t.op,
                    params,
                    post_for_patch: false,
                },
            ));
        }
    }
    best.map(|(_, m)| m)
}

/// Percent-decodes a path segment or query component.
pub fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Checks `body` against the operation's `requestBody` schema; `Err` names what is wrong.
pub fn validate_body(op: &'static str, body: &Value) -> Result<(), String> {
    let Some(op_doc) = find_operation(op) else {
        return Ok(());
    };
    let rb = &op_doc["requestBody"];
    if rb.is_null() {
        return Ok(());
    }
    if body.is_null() {
        return if rb["required"] == json!(true) {
            Err(format!("{op} requires a JSON request body"))
        } else {
            Ok(())
        };
    }
    let Some(validator) = validator(op, rb) else {
        return Ok(());
    };
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at '{}'", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{op} request body does not match its schema: {}",
            errors.join("; ")
        ))
    }
}

fn find_operation(op: &str) -> Option<&'static Value> {
    SPEC.doc["paths"]
        .as_object()?
        .values()
        .flat_map(|ops| ops.as_object().into_iter().flat_map(|o| o.values()))
        .find(|o| o["operationId"] == op)
}

fn validator(op: &'static str, rb: &Value) -> Option<Arc<jsonschema::Validator>> {
    let mut cache = SPEC.validators.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = cache.get(op) {
        return v.clone();
    }
    let built = rb["content"]["application/json"]["schema"]
        .as_object()
        .map(|_| {
            let schema = openapi_to_json_schema(&rb["content"]["application/json"]["schema"]);
            let components = openapi_to_json_schema(&SPEC.doc["components"]);
            let root = json!({ "allOf": [schema], "components": components });
            Arc::new(
                jsonschema::draft4::options()
                    .build(&root)
                    .unwrap_or_else(|e| panic!("schema of {op} does not compile: {e}")),
            )
        });
    cache.insert(op, built.clone());
    built
}

/// Translates OpenAPI 3.0 `nullable: true` into JSON Schema (adds `null` to `type` and `enum`).
fn openapi_to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out: serde_json::Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), openapi_to_json_schema(v)))
                .collect();
            if out.get("nullable") == Some(&Value::Bool(true)) {
                out.remove("nullable");
                match out.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        out.insert("type".into(), json!([t, "null"]));
                    }
                    Some(Value::Array(ts)) if !ts.contains(&json!("null")) => {
                        ts.push(json!("null"))
                    }
                    _ => {}
                }
                if let Some(Value::Array(e)) = out.get_mut("enum")
                    && !e.contains(&Value::Null)
                {
                    e.push(Value::Null);
                }
                if let Some(Value::Array(alts)) = out.get("oneOf").or(out.get("anyOf")).cloned() {
                    let key = if out.contains_key("oneOf") {
                        "oneOf"
                    } else {
                        "anyOf"
                    };
                    let mut alts = alts;
                    alts.push(json!({ "type": "null" }));
                    out.insert(key.into(), Value::Array(alts));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(openapi_to_json_schema).collect()),
        other => other.clone(),
    }
}
