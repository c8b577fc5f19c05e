//! A minimal GraphQL subset at `POST /graphql`: Projects v2 and issue creation.
//!
//! The sim does not parse GraphQL. It finds the operation by the name of the first root
//! field (`createIssue`, `organization`, …) and reads every argument from `variables`:
//! **inline literals are not supported** — pass `$input` / `$login` / `$number` variables.
//! Responses have a fixed shape per root field (a superset of what vayu selects).
//!
//! Root fields: `organization(login)` / `user(login)` → `projectV2(number)` with fields and
//! single-select options; `repository(owner, name)`; `node(id)`; mutations
//! `addProjectV2ItemById`, `updateProjectV2ItemFieldValue`, `createIssue`, `addSubIssue`.

use serde_json::{Value, json};

use super::graphql_doc::{root_fields, validate_mutation};
use super::routes_subissues::{check_new_child, link};
use super::world::{FieldKind, NewIssue, ProjectItem, World};
use super::{Ctx, Handled, Reply};

/// Whether the document is a query (reads do not count as writes).
pub(crate) fn is_query(body: &Value) -> bool {
    let q = body["query"].as_str().unwrap_or("").trim_start();
    !q.starts_with("mutation")
}

pub(crate) fn handle(w: &mut World, ctx: &Ctx) -> Handled {
    let query = ctx.body["query"].as_str().unwrap_or("");
    let vars = &ctx.body["variables"];
    let fields = match root_fields(query) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => return Ok(Reply::ok(errors("NOT_FOUND", "empty selection set", None))),
        Err(e) => return Ok(Reply::ok(errors("PARSE", &e, None))),
    };
    if !is_query(&ctx.body)
        && let Err(e) = validate_mutation(&fields, vars)
    {
        return Ok(Reply::ok(errors("INVALID", &e, None)));
    }
    let mut data = serde_json::Map::new();
    let mut errs = Vec::new();
    for f in &fields {
        // Each root field sees the document's variables with its own
        // arguments bound by name (`input: $i3` → `input`).
        let mut own = vars.clone();
        if let Some(obj) = own.as_object_mut() {
            for (arg, var) in &f.args {
                obj.insert(arg.clone(), vars[var.as_str()].clone());
            }
        }
        let vars = &own;
        let result = match f.name.as_str() {
            root @ ("organization" | "user") => project_query(w, root, vars),
            "repository" => repository(w, vars),
            "node" => node(w, query, vars),
            "nodes" => nodes(w, vars),
            "addProjectV2ItemById" => add_item(w, input(vars)),
            "updateProjectV2ItemFieldValue" => set_field(w, input(vars)),
            "createIssue" => create_issue(w, ctx, input(vars)),
            "addSubIssue" => add_sub_issue(w, input(vars)),
            other => Err(format!(
                "the GitHub sim does not implement the GraphQL field '{other}'"
            )),
        };
        match result {
            Ok(v) => {
                data.insert(f.key().to_owned(), v[f.name.as_str()].clone());
            }
            Err(message) => {
                data.insert(f.key().to_owned(), Value::Null);
                let (kind, message) = match message.strip_prefix("FORBIDDEN:") {
                    Some(m) => ("FORBIDDEN", m.to_owned()),
                    None => ("NOT_FOUND", message),
                };
                errs.push(json!({ "type": kind, "message": message, "path": [f.key()] }));
            }
        }
    }
    let mut body = json!({ "data": data });
    if !errs.is_empty() {
        body["errors"] = Value::Array(errs);
    }
    Ok(Reply::ok(body))
}

fn errors(kind: &str, message: &str, path: Option<&str>) -> Value {
    json!({ "data": null, "errors": [{ "type": kind, "message": message, "path": path }] })
}

fn input(vars: &Value) -> Result<&Value, String> {
    vars.get("input").filter(|v| v.is_object()).ok_or_else(|| {
        "the GitHub sim needs mutation arguments in `variables.input` (inline literals are not parsed)".into()
    })
}

fn str_var<'v>(vars: &'v Value, names: &[&str]) -> Result<&'v str, String> {
    names
        .iter()
        .find_map(|n| vars[*n].as_str())
        .ok_or_else(|| format!("the GitHub sim needs the variable ${}", names[0]))
}

fn project_query(w: &World, root: &str, vars: &Value) -> Result<Value, String> {
    let login = str_var(vars, &["login", "org", "owner", "user"])?;
    let number = vars["number"]
        .as_u64()
        .ok_or("the GitHub sim needs the variable $number")?;
    let p = w
        .projects
        .iter()
        .find(|p| p.owner == login && p.number == number)
        .ok_or_else(|| format!("Could not resolve to a ProjectV2 with the number {number}."))?;
    if p.forbidden {
        return Err(FORBIDDEN.into());
    }
    let fields: Vec<Value> = p
        .fields
        .iter()
        .map(|f| match &f.kind {
            FieldKind::SingleSelect(opts) => json!({
                "__typename": "ProjectV2SingleSelectField", "id": f.node_id, "name": f.name,
                "dataType": "SINGLE_SELECT",
                "options": opts.iter().map(|(id, name)| json!({ "id": id, "name": name })).collect::<Vec<_>>(),
            }),
            FieldKind::Number => json!({ "__typename": "ProjectV2Field", "id": f.node_id, "name": f.name, "dataType": "NUMBER" }),
            FieldKind::Text => json!({ "__typename": "ProjectV2Field", "id": f.node_id, "name": f.name, "dataType": "TEXT" }),
        })
        .collect();
    let project = json!({
        "id": p.node_id, "number": p.number, "title": p.title,
        "fields": { "nodes": fields, "totalCount": p.fields.len() },
    });
    Ok(json!({ root: { "login": login, "projectV2": project } }))
}

fn repository(w: &World, vars: &Value) -> Result<Value, String> {
    let owner = str_var(vars, &["owner"])?;
    let name = str_var(vars, &["name", "repo"])?;
    let r = w.repos.get(&format!("{owner}/{name}")).ok_or_else(|| {
        format!("Could not resolve to a Repository with the name '{owner}/{name}'.")
    })?;
    Ok(
        json!({ "repository": { "id": format!("R_sim{}", r.id), "databaseId": r.id, "name": r.name,
                               "nameWithOwner": r.full_name() } }),
    )
}

fn issue_node(w: &World, node_id: &str) -> Option<Value> {
    let i = w.issue_by_node_id(node_id)?;
    let (repo, _) = w.issue_index.get(&i.id)?;
    let labels: Vec<Value> = w
        .repos
        .get(repo)
        .map(|r| {
            i.labels
                .iter()
                .filter_map(|id| r.labels.values().find(|l| l.id == *id))
                .map(|l| json!({ "name": l.name }))
                .collect()
        })
        .unwrap_or_default();
    Some(json!({
        "__typename": "Issue", "id": i.node_id, "databaseId": i.id, "number": i.number,
        "title": i.title, "url": format!("{}/{repo}/issues/{}", w.base_url, i.number),
        "state": i.state.to_uppercase(), "body": i.body.clone().unwrap_or_default(),
        "stateReason": i.state_reason.as_ref().map(|r| r.to_uppercase()),
        "labels": { "nodes": labels },
        "assignees": { "nodes": i.assignees.iter().map(|a| json!({ "login": a })).collect::<Vec<_>>() },
        "author": { "login": i.user },
        "closedByPullRequestsReferences": { "nodes": linked_prs(w, &i.node_id) },
    }))
}

fn linked_prs(w: &World, node_id: &str) -> Vec<Value> {
    w.linked_prs
        .get(node_id)
        .into_iter()
        .flatten()
        .map(|p| {
            let rollup = p.checks.map(|c| json!({ "state": c }));
            json!({ "number": p.number, "state": p.state, "merged": p.state == "MERGED",
                    "headRefOid": p.head_oid(), "statusCheckRollup": rollup })
        })
        .collect()
}

fn node(w: &World, query: &str, vars: &Value) -> Result<Value, String> {
    let id = str_var(vars, &["id"])?;
    if w.linked_prs_forbidden && query.contains("closedByPullRequestsReferences") {
        return Err("FORBIDDEN:Resource not accessible by integration".into());
    }
    Ok(json!({ "node": issue_node(w, id) }))
}

/// Issues by node id, each with its items on every board and their values.
fn nodes(w: &World, vars: &Value) -> Result<Value, String> {
    let ids = vars["ids"]
        .as_array()
        .ok_or("the GitHub sim needs the variable $ids")?;
    let mut out = Vec::new();
    for id in ids.iter().filter_map(Value::as_str) {
        let Some(mut node) = issue_node(w, id) else {
            out.push(Value::Null);
            continue;
        };
        let mut items = Vec::new();
        for p in &w.projects {
            if p.forbidden {
                continue;
            }
            for item in p.items.iter().filter(|i| i.content_id == id) {
                let values: Vec<Value> = item
                    .values
                    .iter()
                    .filter_map(|(fid, v)| {
                        let f = p.fields.iter().find(|f| &f.node_id == fid)?;
                        let field = json!({ "id": f.node_id, "name": f.name });
                        Some(match &f.kind {
                            FieldKind::SingleSelect(opts) => json!({
                                "__typename": "ProjectV2ItemFieldSingleSelectValue",
                                "optionId": v, "field": field,
                                "name": opts.iter().find(|(o, _)| Some(o.as_str()) == v.as_str()).map(|(_, n)| n.clone()),
                            }),
                            FieldKind::Number => json!({
                                "__typename": "ProjectV2ItemFieldNumberValue", "number": v, "field": field,
                            }),
                            FieldKind::Text => json!({
                                "__typename": "ProjectV2ItemFieldTextValue", "text": v, "field": field,
                            }),
                        })
                    })
                    .collect();
                items.push(json!({
                    "id": item.node_id, "project": { "id": p.node_id },
                    "fieldValues": { "nodes": values },
                }));
            }
        }
        node["projectItems"] = json!({ "nodes": items });
        out.push(node);
    }
    Ok(json!({ "nodes": out }))
}

/// The error GitHub gives an App without the Projects permission.
const FORBIDDEN: &str = "FORBIDDEN:Resource not accessible by integration";

/// Idempotent: adding the same content twice returns the same item.
fn add_item(w: &mut World, input: Result<&Value, String>) -> Result<Value, String> {
    let input = input?;
    let project_id = input["projectId"].as_str().ok_or("projectId is required")?;
    let content_id = input["contentId"].as_str().ok_or("contentId is required")?;
    if w.issue_by_node_id(content_id).is_none() {
        return Err(format!(
            "Could not resolve to a node with the global id of '{content_id}'"
        ));
    }
    let id = w.next_id();
    let p = w
        .projects
        .iter_mut()
        .find(|p| p.node_id == project_id)
        .ok_or_else(|| {
            format!("Could not resolve to a node with the global id of '{project_id}'")
        })?;
    if p.forbidden {
        return Err(FORBIDDEN.into());
    }
    let item_id = match p.items.iter().find(|i| i.content_id == content_id) {
        Some(existing) => existing.node_id.clone(),
        None => {
            let node_id = format!("PVTI_sim{id}");
            p.items.push(ProjectItem {
                node_id: node_id.clone(),
                content_id: content_id.to_string(),
                values: Default::default(),
            });
            node_id
        }
    };
    Ok(json!({ "addProjectV2ItemById": { "item": { "id": item_id } } }))
}

fn set_field(w: &mut World, input: Result<&Value, String>) -> Result<Value, String> {
    let input = input?;
    let project_id = input["projectId"].as_str().ok_or("projectId is required")?;
    let item_id = input["itemId"].as_str().ok_or("itemId is required")?;
    let field_id = input["fieldId"].as_str().ok_or("fieldId is required")?;
    let value = &input["value"];
    let p = w
        .projects
        .iter_mut()
        .find(|p| p.node_id == project_id)
        .ok_or_else(|| {
            format!("Could not resolve to a node with the global id of '{project_id}'")
        })?;
    if p.forbidden {
        return Err(FORBIDDEN.into());
    }
    let field = p
        .fields
        .iter()
        .find(|f| f.node_id == field_id)
        .ok_or_else(|| format!("Could not resolve to a node with the global id of '{field_id}'"))?;
    let stored = match &field.kind {
        FieldKind::SingleSelect(opts) => {
            let opt = value["singleSelectOptionId"]
                .as_str()
                .ok_or("singleSelectOptionId is required for a single-select field")?;
            if !opts.iter().any(|(id, _)| id == opt) {
                return Err(format!(
                    "The single select option Id does not belong to the field: {opt}"
                ));
            }
            json!(opt)
        }
        FieldKind::Number => json!(
            value["number"]
                .as_f64()
                .ok_or("number is required for a number field")?
        ),
        FieldKind::Text => json!(
            value["text"]
                .as_str()
                .ok_or("text is required for a text field")?
        ),
    };
    let item = p
        .items
        .iter_mut()
        .find(|i| i.node_id == item_id)
        .ok_or_else(|| format!("Could not resolve to a node with the global id of '{item_id}'"))?;
    item.values.insert(field_id.to_string(), stored);
    Ok(json!({ "updateProjectV2ItemFieldValue": { "projectV2Item": { "id": item_id } } }))
}

fn create_issue(w: &mut World, ctx: &Ctx, input: Result<&Value, String>) -> Result<Value, String> {
    let input = input?;
    let repo_id = input["repositoryId"]
        .as_str()
        .ok_or("repositoryId is required")?;
    let repo = w
        .repos
        .values()
        .find(|r| format!("R_sim{}", r.id) == repo_id)
        .map(|r| r.full_name())
        .ok_or_else(|| format!("Could not resolve to a node with the global id of '{repo_id}'"))?;
    let parent =
        match input["parentIssueId"].as_str() {
            Some(p) => Some(w.issue_by_node_id(p).map(|i| i.id).ok_or_else(|| {
                format!("Could not resolve to a node with the global id of '{p}'")
            })?),
            None => None,
        };
    let mut labels = Vec::new();
    for id in input["labelIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let name = w.repos[&repo]
            .labels
            .values()
            .find(|l| format!("LA_sim{}", l.id) == id)
            .map(|l| l.name.clone())
            .ok_or_else(|| format!("Could not resolve to a node with the global id of '{id}'"))?;
        labels.push(name);
    }
    let new = NewIssue {
        title: input["title"].as_str().unwrap_or_default().to_string(),
        body: input["body"].as_str().map(str::to_string),
        labels,
        assignees: vec![],
        user: ctx.login.clone(),
    };
    if let Some(parent) = parent {
        check_new_child(w, parent).map_err(|e| message(&e))?;
    }
    let (_, id) = w.create_issue(&repo, new);
    if let Some(parent) = parent {
        link(w, parent, id, false).map_err(|e| {
            e.body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })?;
    }
    Ok(json!({ "createIssue": { "issue": issue_node(w, &format!("I_sim{id}")) } }))
}

fn add_sub_issue(w: &mut World, input: Result<&Value, String>) -> Result<Value, String> {
    let input = input?;
    let parent = input["issueId"]
        .as_str()
        .and_then(|p| w.issue_by_node_id(p))
        .map(|i| i.id)
        .ok_or("issueId does not resolve to an issue")?;
    let child = input["subIssueId"]
        .as_str()
        .and_then(|p| w.issue_by_node_id(p))
        .map(|i| i.id)
        .ok_or("subIssueId does not resolve to an issue")?;
    let replace = input["replaceParent"].as_bool().unwrap_or(false);
    link(w, parent, child, replace).map_err(|e| {
        e.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
    })?;
    Ok(json!({ "addSubIssue": {
        "issue": issue_node(w, &format!("I_sim{parent}")),
        "subIssue": issue_node(w, &format!("I_sim{child}")),
    } }))
}

fn message(e: &super::ApiError) -> String {
    e.body["errors"][0]["message"]
        .as_str()
        .unwrap_or("the link was refused")
        .to_string()
}
