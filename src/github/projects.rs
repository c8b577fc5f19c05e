//! Projects v2 over GraphQL: find a board and its fields, add an item, set a
//! field value.

use serde::Deserialize;
use serde_json::{Value, json};

use super::client::GitHubClient;
use crate::app::ports::{FieldValue, GhResult, GitHubError, Project, ProjectField, SelectOption};
use crate::core::ids::RepoName;

/// `organization(login:)` or `user(login:)`: a board belongs to one or the other.
fn find_query(root: &str) -> String {
    format!(
        "query($owner: String!, $number: Int!) {{ {root}(login: $owner) {{ \
projectV2(number: $number) {{ id title fields(first: 100) {{ nodes {{ \
... on ProjectV2FieldCommon {{ id name dataType }} \
... on ProjectV2SingleSelectField {{ options {{ id name }} }} }} }} }} }} }}"
    )
}

const ADD: &str = "mutation($input: AddProjectV2ItemByIdInput!) { \
addProjectV2ItemById(input: $input) { item { id } } }";

const SET: &str = "mutation($input: UpdateProjectV2ItemFieldValueInput!) { \
updateProjectV2ItemFieldValue(input: $input) { projectV2Item { id } } }";

#[derive(Deserialize)]
struct FindData {
    #[serde(alias = "organization", alias = "user")]
    owner: Option<OwnerData>,
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
        let vars = json!({ "owner": owner, "number": number });
        for root in ["organization", "user"] {
            match self
                .graphql::<FindData>(repo, &find_query(root), vars.clone())
                .await
            {
                Ok(FindData { owner: Some(o) }) => return Ok(o.project_v2.map(Project::from)),
                Ok(FindData { owner: None }) => {}
                // Not an organization (or no such board there): try the user.
                Err(GitHubError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    pub(crate) async fn project_add_item(
        &self,
        repo: &RepoName,
        project_id: &str,
        content_id: &str,
    ) -> GhResult<String> {
        let vars = json!({ "input": { "projectId": project_id, "contentId": content_id } });
        let data: Value = self.graphql(repo, ADD, vars).await?;
        data["addProjectV2ItemById"]["item"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GitHubError::Other {
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
        let vars = json!({ "input": {
            "projectId": project_id,
            "itemId": item_id,
            "fieldId": field_id,
            "value": value_input(value),
        }});
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
