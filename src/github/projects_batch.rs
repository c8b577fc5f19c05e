//! Projects v2 in batches: read the items of many issues in one query, add
//! many items in one mutation, set many field values in one mutation (one
//! aliased root field per change), so a board sync costs a few requests
//! however many sub-issues a plan has.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::client::GitHubClient;
use crate::app::ports::{FieldUpdate, FieldValue, GhResult, GitHubError, ProjectItemState};
use crate::core::ids::RepoName;

/// Root fields per mutation document; GitHub caps a request's complexity,
/// and 50 small updates stay far below it.
const PER_REQUEST: usize = 50;

const FIELD_ID: &str = "field { ... on ProjectV2FieldCommon { id } }";

fn items_query() -> String {
    format!(
        "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Issue {{ id projectItems(first: 50) {{ \
nodes {{ id project {{ id }} fieldValues(first: 50) {{ nodes {{ \
... on ProjectV2ItemFieldSingleSelectValue {{ optionId {FIELD_ID} }} \
... on ProjectV2ItemFieldNumberValue {{ number {FIELD_ID} }} \
... on ProjectV2ItemFieldTextValue {{ text {FIELD_ID} }} }} }} }} }} }} }} }}"
    )
}

/// `mutation($i0: T!, $i1: T!) { a0: field(input: $i0) { sel } a1: … }` and its variables.
fn batched(input_type: &str, field: &str, selection: &str, inputs: Vec<Value>) -> (String, Value) {
    let mut params = Vec::with_capacity(inputs.len());
    let mut body = Vec::with_capacity(inputs.len());
    let mut vars = Map::new();
    for (i, input) in inputs.into_iter().enumerate() {
        params.push(format!("$i{i}: {input_type}!"));
        body.push(format!("a{i}: {field}(input: $i{i}) {{ {selection} }}"));
        vars.insert(format!("i{i}"), input);
    }
    (
        format!("mutation({}) {{ {} }}", params.join(", "), body.join(" ")),
        Value::Object(vars),
    )
}

#[derive(Deserialize)]
struct NodesData {
    #[serde(default)]
    nodes: Vec<Option<IssueNode>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IssueNode {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    project_items: Option<Nodes<ItemNode>>,
}

#[derive(Deserialize)]
struct Nodes<T> {
    #[serde(default = "Vec::new")]
    nodes: Vec<Option<T>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemNode {
    id: String,
    project: IdOnly,
    #[serde(default)]
    field_values: Option<Nodes<ValueNode>>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValueNode {
    #[serde(default)]
    option_id: Option<String>,
    #[serde(default)]
    number: Option<f64>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    field: Option<IdOnly>,
}

impl ValueNode {
    fn into_value(self) -> Option<(String, FieldValue)> {
        let field = self.field?.id?;
        let value = match (self.option_id, self.number, self.text) {
            (Some(o), _, _) => FieldValue::SingleSelect(o),
            (_, Some(n), _) => FieldValue::Number(n),
            (_, _, Some(t)) => FieldValue::Text(t),
            _ => return None,
        };
        Some((field, value))
    }
}

fn value_input(v: &FieldValue) -> Value {
    match v {
        FieldValue::SingleSelect(id) => json!({ "singleSelectOptionId": id }),
        FieldValue::Number(n) => json!({ "number": n }),
        FieldValue::Text(t) => json!({ "text": t }),
    }
}

impl GitHubClient {
    pub(crate) async fn project_items_of(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_ids: &[String],
    ) -> GhResult<Vec<ProjectItemState>> {
        if content_ids.is_empty() {
            return Ok(Vec::new());
        }
        let data: NodesData = self
            .graphql(repo, &items_query(), json!({ "ids": content_ids }))
            .await?;
        let mut out = Vec::new();
        for issue in data.nodes.into_iter().flatten() {
            let Some(content_id) = issue.id else { continue };
            let items = issue.project_items.map(|n| n.nodes).unwrap_or_default();
            for item in items.into_iter().flatten() {
                if item.project.id.as_deref() != Some(project_id) {
                    continue;
                }
                let values = item
                    .field_values
                    .map(|n| n.nodes)
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .filter_map(ValueNode::into_value)
                    .collect();
                out.push(ProjectItemState {
                    content_id: content_id.clone(),
                    item_id: item.id,
                    values,
                });
            }
        }
        Ok(out)
    }

    pub(crate) async fn project_add_items(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_ids: &[String],
    ) -> GhResult<Vec<String>> {
        let mut ids = Vec::with_capacity(content_ids.len());
        for chunk in content_ids.chunks(PER_REQUEST) {
            let inputs = chunk
                .iter()
                .map(|c| json!({ "projectId": project_id, "contentId": c }))
                .collect();
            let (query, vars) = batched(
                "AddProjectV2ItemByIdInput",
                "addProjectV2ItemById",
                "item { id }",
                inputs,
            );
            let data: Value = self.graphql(repo, &query, vars).await?;
            for i in 0..chunk.len() {
                let id = data[format!("a{i}")]["item"]["id"]
                    .as_str()
                    .ok_or_else(|| GitHubError::Other {
                        message: "addProjectV2ItemById returned no item id".into(),
                    })?;
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }

    pub(crate) async fn project_set_fields(
        &self,
        repo: &RepoName,
        project_id: &str,
        updates: &[FieldUpdate],
    ) -> GhResult<()> {
        for chunk in updates.chunks(PER_REQUEST) {
            let inputs = chunk
                .iter()
                .map(|u| {
                    json!({
                        "projectId": project_id,
                        "itemId": u.item_id,
                        "fieldId": u.field_id,
                        "value": value_input(&u.value),
                    })
                })
                .collect();
            let (query, vars) = batched(
                "UpdateProjectV2ItemFieldValueInput",
                "updateProjectV2ItemFieldValue",
                "projectV2Item { id }",
                inputs,
            );
            let _: Value = self.graphql(repo, &query, vars).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_alias_one_root_field_per_input() {
        let (q, v) = batched(
            "AddProjectV2ItemByIdInput",
            "addProjectV2ItemById",
            "item { id }",
            vec![json!({"a": 1}), json!({"a": 2})],
        );
        assert_eq!(
            q,
            "mutation($i0: AddProjectV2ItemByIdInput!, $i1: AddProjectV2ItemByIdInput!) { \
             a0: addProjectV2ItemById(input: $i0) { item { id } } \
             a1: addProjectV2ItemById(input: $i1) { item { id } } }"
        );
        assert_eq!(v, json!({ "i0": {"a": 1}, "i1": {"a": 2} }));
    }
}
