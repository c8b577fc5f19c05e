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

use super::routes_subissues::{check_new_child, link};
use super::world::{FieldKind, NewIssue, ProjectItem, World};
use super::{Ctx, Handled, Reply};

/// Whether the document is a query (reads do not count as writes).
pub(crate) fn is_query(body: &Value) -> bool {
    let q = body["query"].as_str().unwrap_or("").trim_start();
    !q.starts_with("mutation")
}

/// The name of the first field inside the outermost selection set.
fn root_field(query: &str) -> Option<String> {
    let start = query.find('{')? + 1;
    let name: String = query[start..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

pub(crate) fn handle(w: &mut World, ctx: &Ctx) -> Handled {
    let query = ctx.body["query"].as_str().unwrap_or("");
    let vars = &ctx.body["variables"];
    let result = match root_field(query).as_deref() {
        Some(f @ ("organization" | "user")) => project_query(w, f, vars),
        Some("repository") => repository(w, vars),
        Some("node") => node(w, vars),
        Some("addProjectV2ItemById") => add_item(w, input(vars)),
        Some("updateProjectV2ItemFieldValue") => set_field(w, input(vars)),
        Some("createIssue") => create_issue(w, ctx, input(vars)),
        Some("addSubIssue") => add_sub_issue(w, input(vars)),
        Some(other) => Err(format!(
            "the GitHub sim does not implement the GraphQL field '{other}'"
        )),
        None => Err("the GraphQL document has no selection set".into()),
    };
    Ok(Reply::ok(match result {
        Ok(data) => json!({ "data": data }),
        Err(message) => {
            json!({ "data": null, "errors": [{ "type": "NOT_FOUND", "message": message }] })
        }
    }))
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
    Some(json!({
        "__typename": "Issue", "id": i.node_id, "databaseId": i.id, "number": i.number,
        "title": i.title, "url": format!("{}/{repo}/issues/{}", w.base_url, i.number),
        "state": i.state.to_uppercase(),
    }))
}

fn node(w: &World, vars: &Value) -> Result<Value, String> {
    let id = str_var(vars, &["id"])?;
    Ok(json!({ "node": issue_node(w, id) }))
}

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
