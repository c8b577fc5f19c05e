//! Projects v2 over GraphQL: find a board and its fields, add an item, set a
//! field value.

use serde::Deserialize;
use serde_json::{Value, json};

use super::client::GitHubClient;
use crate::app::ports::{FieldValue, GhResult, Project, ProjectField, SelectOption};
use crate::core::ids::RepoName;

const FIND: &str = "query($owner: String!, $number: Int!) { repositoryOwner(login: $owner) { \
... on Organization { projectV2(number: $number) { ...P } } \
... on User { projectV2(number: $number) { ...P } } } } \
fragment P on ProjectV2 { id title fields(first: 100) { nodes { \
... on ProjectV2FieldCommon { id name dataType } \
... on ProjectV2SingleSelectField { options { id name } } } } }";

const ADD: &str = "mutation($projectId: ID!, $contentId: ID!) { \
addProjectV2ItemById(input: {projectId: $projectId, contentId: $contentId}) { item { id } } }";

const SET: &str = "mutation($projectId: ID!, $itemId: ID!, $fieldId: ID!, \
$value: ProjectV2FieldValue!) { updateProjectV2ItemFieldValue(input: {projectId: $projectId, \
itemId: $itemId, fieldId: $fieldId, value: $value}) { projectV2Item { id } } }";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FindData {
    repository_owner: Option<OwnerData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OwnerData {
    #[serde(default)]
    project_v2: Option<GqlProject>,
}

#[derive(Deserialize)]
struct GqlProject {
    id: String,
    #[serde(default)]
    title: String,
    fields: FieldNodes,
}

#[derive(Deserialize)]
struct FieldNodes {
    #[serde(default)]
    nodes: Vec<Option<GqlField>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlField {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    data_type: String,
    #[serde(default)]
    options: Vec<GqlOption>,
}

#[derive(Deserialize)]
struct GqlOption {
    id: String,
    name: String,
}

impl From<GqlProject> for Project {
    fn from(p: GqlProject) -> Self {
        let fields = p
            .fields
            .nodes
            .into_iter()
            .flatten()
            .filter_map(|f| {
                Some(ProjectField {
                    id: f.id?,
                    name: f.name,
                    data_type: f.data_type,
                    options: f
                        .options
                        .into_iter()
                        .map(|o| SelectOption {
                            id: o.id,
                            name: o.name,
                        })
                        .collect(),
                })
            })
            .collect();
        Project {
            id: p.id,
            title: p.title,
            fields,
        }
    }
}

/// The `ProjectV2FieldValue` input for a value.
fn value_input(v: &FieldValue) -> Value {
    match v {
        FieldValue::SingleSelect(id) => json!({ "singleSelectOptionId": id }),
        FieldValue::Number(n) => json!({ "number": n }),
        FieldValue::Text(t) => json!({ "text": t }),
    }
}

impl GitHubClient {
    pub(crate) async fn project_find(
        &self,
        repo: &RepoName,
        owner: &str,
        number: u64,
    ) -> GhResult<Option<Project>> {
        let data: FindData = self
            .graphql(repo, FIND, json!({ "owner": owner, "number": number }))
            .await?;
        Ok(data
            .repository_owner
            .and_then(|o| o.project_v2)
            .map(Project::from))
    }

    pub(crate) async fn project_add_item(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_id: &str,
    ) -> GhResult<String> {
        let vars = json!({ "projectId": project_id, "contentId": content_id });
        let data: Value = self.graphql(repo, ADD, vars).await?;
        data["addProjectV2ItemById"]["item"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| crate::app::ports::GitHubError::Other {
                message: "addProjectV2ItemById returned no item id".into(),
            })
    }

    pub(crate) async fn project_set_field(
        &self,
        repo: &RepoName,
        project_id: &str,
        item_id: &str,
        field_id: &str,
        value: &FieldValue,
    ) -> GhResult<()> {
        let vars = json!({
            "projectId": project_id,
            "itemId": item_id,
            "fieldId": field_id,
            "value": value_input(value),
        });
        let _: Value = self.graphql(repo, SET, vars).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_become_graphql_inputs() {
        assert_eq!(
            value_input(&FieldValue::SingleSelect("opt1".into())),
            json!({ "singleSelectOptionId": "opt1" })
        );
        assert_eq!(
            value_input(&FieldValue::Number(3.5)),
            json!({ "number": 3.5 })
        );
        assert_eq!(
            value_input(&FieldValue::Text("x".into())),
            json!({ "text": "x" })
        );
    }
}
