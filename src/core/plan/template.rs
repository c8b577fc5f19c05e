//! Plan source 3: a decomposition template per task type, in
//! `templates/plans/<type>.yml` (built in) or a repository's own
//! `.github/vayu/plans/<type>.yml` (overlaid by the caller, who reads files).
//! A template is a ```` ```vayu ```` block plus `name` and `description`;
//! `{{title}}` in titles, descriptions and success criteria becomes the issue title.

use std::collections::BTreeMap;

use super::error::{PlanError, ProblemKind};
use super::model::{Mode, PlanSource, PlanSpec, Span, SubtaskSpec};
use super::yaml::{self, TemplateDoc};
use crate::core::task::TaskType;

/// The built-in templates: (name, YAML text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "feature",
        include_str!("../../../templates/plans/feature.yml"),
    ),
    ("bug", include_str!("../../../templates/plans/bug.yml")),
    (
        "research",
        include_str!("../../../templates/plans/research.yml"),
    ),
    (
        "learning",
        include_str!("../../../templates/plans/learning.yml"),
    ),
    (
        "maintenance",
        include_str!("../../../templates/plans/maintenance.yml"),
    ),
    (
        "security",
        include_str!("../../../templates/plans/security.yml"),
    ),
    (
        "release",
        include_str!("../../../templates/plans/release.yml"),
    ),
];

/// One parsed template; positions in its subtasks refer to the template file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The name, equal to the file stem and to a task type (`feature`).
    pub name: String,
    /// What the template is for.
    pub description: Option<String>,
    /// Release policy, when the template says.
    pub mode: Option<Mode>,
    /// Subtasks with `{{title}}` placeholders.
    pub subtasks: Vec<SubtaskSpec>,
}

impl Template {
    /// Parses a template file; `file_name` may be `feature`, `feature.yml` or
    /// `feature.yaml` and must agree with the `name:` inside.
    pub fn parse(file_name: &str, text: &str) -> Result<Self, PlanError> {
        let stem = file_name
            .rsplit('/')
            .next()
            .unwrap_or(file_name)
            .trim_end_matches(".yml")
            .trim_end_matches(".yaml");
        let problem = |span: Option<Span>, message: String| {
            PlanError::one(
                span,
                ProblemKind::Template {
                    name: stem.to_owned(),
                    message,
                },
            )
        };
        let doc: TemplateDoc = yaml::parse(text)
            .map_err(|e| problem(e.at.map(|(line, column)| Span { line, column }), e.message))?;
        if doc.name != stem {
            return Err(problem(
                Some(Span { line: 1, column: 1 }),
                format!(
                    "the file is named `{stem}` but declares `name: {}`: make them the same",
                    doc.name
                ),
            ));
        }
        Ok(Self {
            name: doc.name,
            description: doc.description,
            mode: doc.mode,
            subtasks: yaml::into_specs(doc.subtasks, &|line, column| Span { line, column }),
        })
    }

    /// The plan this template gives for an issue titled `title`.
    pub fn instantiate(&self, title: &str) -> PlanSpec {
        let fill = |s: &str| s.replace("{{title}}", title).replace("{{ title }}", title);
        PlanSpec {
            mode: self.mode,
            subtasks: self
                .subtasks
                .iter()
                .map(|s| SubtaskSpec {
                    title: fill(&s.title),
                    description: s.description.as_deref().map(fill),
                    success: s.success.as_deref().map(fill),
                    ..s.clone()
                })
                .collect(),
            source: PlanSource::Template {
                name: self.name.clone(),
            },
        }
    }
}

/// Templates by name: the built-ins, possibly overlaid by a repository's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateSet {
    templates: BTreeMap<String, Template>,
}

impl TemplateSet {
    /// The built-in templates. Each is checked by a test, so none is dropped in practice;
    /// one that failed to parse would be left out rather than stop planning.
    pub fn builtin() -> Self {
        let templates = BUILTIN
            .iter()
            .filter_map(|(name, text)| Template::parse(name, text).ok())
            .map(|t| (t.name.clone(), t))
            .collect();
        Self { templates }
    }

    /// Adds or replaces a template from a repository file (`feature.yml`, text).
    pub fn overlay(&mut self, file_name: &str, text: &str) -> Result<(), PlanError> {
        let template = Template::parse(file_name, text)?;
        self.templates.insert(template.name.clone(), template);
        Ok(())
    }

    /// The same set without the template `name`.
    pub fn without(&self, name: &str) -> Self {
        let mut templates = self.templates.clone();
        templates.remove(name);
        Self { templates }
    }

    /// The template with this name.
    pub fn get(&self, name: &str) -> Option<&Template> {
        self.templates.get(name)
    }

    /// Template names in alphabetical order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    /// The plan for a task of this type titled `title`, when a template exists for it.
    pub fn plan(&self, task_type: TaskType, title: &str) -> Option<PlanSpec> {
        self.get(task_type.as_str()).map(|t| t.instantiate(title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::{OwnerConfig, PlanningConfig};
    use crate::core::plan::validate;

    #[test]
    fn every_builtin_template_parses_and_validates() {
        let set = TemplateSet::builtin();
        assert_eq!(
            set.names().collect::<Vec<_>>(),
            [
                "bug",
                "feature",
                "learning",
                "maintenance",
                "release",
                "research",
                "security"
            ]
        );
        for (name, text) in BUILTIN {
            let template = Template::parse(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let spec = template.instantiate("Add login");
            let plan = validate(&spec, &PlanningConfig::default(), &OwnerConfig::defaults())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                plan.subtasks.iter().all(|s| s.title.contains("Add login")),
                "{name}"
            );
            assert!(plan.subtasks.iter().all(|s| s.success.is_some()), "{name}");
        }
    }

    #[test]
    fn feature_is_seed_004s_decomposition() {
        let spec = TemplateSet::builtin()
            .plan(TaskType::Feature, "Add authentication")
            .expect("feature template");
        assert_eq!(
            spec.source,
            PlanSource::Template {
                name: "feature".into()
            }
        );
        assert_eq!(spec.subtasks[0].title, "Design: Add authentication");
        assert_eq!(
            spec.subtasks[0].description.as_deref(),
            Some("Write down how Add authentication will work before anyone builds it.")
        );
        let plan =
            validate(&spec, &PlanningConfig::default(), &OwnerConfig::defaults()).expect("valid");
        let stages: Vec<Vec<&str>> = plan
            .stages
            .iter()
            .map(|s| s.iter().map(|k| k.as_str()).collect())
            .collect();
        assert_eq!(
            stages,
            [
                vec!["design"],
                vec!["backend", "frontend"],
                vec!["tests"],
                vec!["security"],
                vec!["docs"]
            ]
        );
    }

    #[test]
    fn release_keeps_build_and_publish_apart_and_scheduled_has_none() {
        let set = TemplateSet::builtin();
        assert_eq!(set.plan(TaskType::Scheduled, "x"), None);
        let spec = set.plan(TaskType::Release, "v1.2").expect("release");
        assert!(
            spec.subtasks
                .iter()
                .any(|s| s.resources == ["release-pipeline"])
        );
    }

    #[test]
    fn a_repository_template_replaces_the_builtin() {
        let mut set = TemplateSet::builtin();
        set.overlay(
            ".github/vayu/plans/bug.yml",
            "name: bug\nsubtasks:\n  - {key: a, title: 'Look at {{ title }}', owner: development}\n",
        )
        .expect("valid");
        let spec = set.plan(TaskType::Bug, "crash").expect("bug");
        assert_eq!(spec.subtasks.len(), 1);
        assert_eq!(spec.subtasks[0].title, "Look at crash");
    }

    #[test]
    fn a_bad_repository_template_is_refused_with_its_position() {
        let mut set = TemplateSet::builtin();
        let err = set
            .overlay(
                "bug.yml",
                "name: bug\nsubtasks:\n  - title: x\n    color: red\n",
            )
            .expect_err("unknown field");
        assert_eq!(err.problems[0].span, Some(Span { line: 4, column: 5 }));
        assert!(
            err.to_string()
                .contains("plan template `bug`: unknown field `color`"),
            "{err}"
        );
        let err = set
            .overlay("bugs.yaml", "name: bug\nsubtasks: []\n")
            .expect_err("name mismatch");
        assert_eq!(
            err.to_string(),
            "line 1, column 1: plan template `bugs`: the file is named `bugs` but declares `name: bug`: make them the same"
        );
        assert_eq!(set, TemplateSet::builtin());
    }
}
