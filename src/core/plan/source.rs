//! Where a plan comes from (DESIGN §4), first found wins: a ```` ```vayu ````
//! block, then a task list, then the template for the task's type.

use super::block::parse_block;
use super::checklist::parse_checklist;
use super::error::PlanError;
use super::model::PlanSpec;
use super::template::TemplateSet;
use crate::core::task::TaskType;

/// The written plan of an issue, or `Ok(None)` when the body has none and no
/// template fits its type. A malformed block or checklist is an error, not a
/// reason to fall through to the next source.
pub fn parse_plan(
    body: &str,
    task_type: Option<TaskType>,
    title: &str,
    templates: &TemplateSet,
) -> Result<Option<PlanSpec>, PlanError> {
    if let Some(spec) = parse_block(body)? {
        return Ok(Some(spec));
    }
    if let Some(spec) = parse_checklist(body)? {
        return Ok(Some(spec));
    }
    Ok(task_type.and_then(|t| templates.plan(t, title)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::plan::model::PlanSource;

    fn source(body: &str, task_type: Option<TaskType>) -> Option<PlanSource> {
        parse_plan(body, task_type, "T", &TemplateSet::builtin())
            .expect("valid")
            .map(|s| s.source)
    }

    #[test]
    fn first_found_wins() {
        let block = "```vayu\nsubtasks:\n  - {key: a, title: A}\n```\n";
        let list = "- [ ] A @docs\n";
        let both = format!("{list}\n{block}");
        assert_eq!(source(&both, Some(TaskType::Bug)), Some(PlanSource::Block));
        assert_eq!(
            source(list, Some(TaskType::Bug)),
            Some(PlanSource::Checklist)
        );
        assert_eq!(
            source("Nothing here", Some(TaskType::Bug)),
            Some(PlanSource::Template { name: "bug".into() })
        );
        assert_eq!(source("Nothing here", None), None);
        assert_eq!(source("Nothing here", Some(TaskType::Scheduled)), None);
    }

    #[test]
    fn a_broken_block_is_an_error_not_a_fallthrough() {
        let body = "```vayu\nsubtasks: {\n```\n- [ ] A @docs\n";
        assert!(parse_plan(body, Some(TaskType::Bug), "T", &TemplateSet::builtin()).is_err());
    }
}
