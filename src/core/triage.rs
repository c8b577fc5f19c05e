//! One decision for one issue: simple or complex, and for a complex task the
//! validated plan. The server, the Action and `vayu plan` all call this, so
//! they can never disagree about what an issue means.

use crate::core::complexity::{ComplexityInput, Decision, Reason, decide};
use crate::core::config::Config;
use crate::core::plan::{Plan, PlanError, PlanSource, TemplateSet, parse_plan, validate_with};
use crate::core::task::{Complexity, TaskType};

/// What vayu knows about an issue when it triages it.
#[derive(Debug, Clone, Copy)]
pub struct TriageInput<'a> {
    /// The issue title.
    pub title: &'a str,
    /// The issue body (Markdown).
    pub body: &'a str,
    /// The issue's label names.
    pub labels: &'a [String],
    /// The task type, from a `type:` label or the caller.
    pub task_type: Option<TaskType>,
    /// Decompose even when the task looks simple (`/vayu decompose`).
    pub force_decompose: bool,
}

/// The result of triage.
#[derive(Debug, Clone)]
pub enum Triage {
    /// Route to one owner; no sub-issues.
    Simple {
        /// The decision with the chosen owner.
        decision: Decision,
    },
    /// Decompose into this plan.
    Complex {
        /// The decision with every reason that fired.
        decision: Decision,
        /// The validated plan.
        plan: Plan,
    },
    /// Complex, but the issue gives no plan and its type has no template.
    NoPlan {
        /// The decision with every reason that fired.
        decision: Decision,
    },
    /// The written plan (or template) is invalid; every problem is named.
    Invalid {
        /// The decision, when the plan could be read far enough to make one.
        decision: Option<Decision>,
        /// What is wrong, with positions.
        error: PlanError,
        /// Where the plan came from, when it was read far enough to know
        /// (a template's problems are not the issue author's to fix).
        source: Option<PlanSource>,
    },
}

impl Triage {
    /// The decision, when one was made.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            Triage::Simple { decision }
            | Triage::Complex { decision, .. }
            | Triage::NoPlan { decision } => Some(decision),
            Triage::Invalid { decision, .. } => decision.as_ref(),
        }
    }
}

/// Reads the plan (block, checklist, then the type's template), decides
/// simple or complex, and validates the plan of a complex task.
///
/// A template only applies to a task already judged complex (or forced): a
/// `type:feature` label on a one-line fix must not spawn six sub-issues.
pub fn triage(input: &TriageInput<'_>, config: &Config, templates: &TemplateSet) -> Triage {
    let spec = match parse_plan(input.body, input.task_type, input.title, templates) {
        Ok(spec) => spec,
        Err(error) => {
            return Triage::Invalid {
                decision: None,
                error,
                source: None,
            };
        }
    };
    let mut decision = decide(
        &ComplexityInput {
            title: input.title,
            body: input.body,
            plan: spec.as_ref(),
            labels: input.labels,
        },
        config,
    );
    if decision.complexity == Complexity::Simple && !input.force_decompose {
        return Triage::Simple { decision };
    }
    if input.force_decompose && decision.complexity == Complexity::Simple {
        decision.complexity = Complexity::Complex;
        decision.owner = None;
        decision.reasons.push(Reason::Requested);
    }
    let Some(spec) = spec else {
        return Triage::NoPlan { decision };
    };
    match validate_with(&spec, config) {
        Ok(plan) => Triage::Complex { decision, plan },
        Err(error) => Triage::Invalid {
            decision: Some(decision),
            error,
            source: Some(spec.source),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::plan::PlanSource;

    fn run(body: &str, task_type: Option<TaskType>, force: bool) -> Triage {
        triage(
            &TriageInput {
                title: "Add CSV export",
                body,
                labels: &[],
                task_type,
                force_decompose: force,
            },
            &Config::default(),
            &TemplateSet::builtin(),
        )
    }

    #[test]
    fn a_plain_small_issue_is_simple_even_with_a_type_template() {
        let t = run(
            "Export the monthly report as CSV.",
            Some(TaskType::Feature),
            false,
        );
        assert!(matches!(t, Triage::Simple { .. }), "{t:?}");
    }

    #[test]
    fn forcing_uses_the_type_template() {
        let t = run(
            "Export the monthly report as CSV.",
            Some(TaskType::Feature),
            true,
        );
        let Triage::Complex { plan, decision } = t else {
            panic!("expected a plan, got {t:?}");
        };
        assert_eq!(decision.complexity, Complexity::Complex);
        assert_eq!(
            plan.source,
            PlanSource::Template {
                name: "feature".into()
            }
        );
        assert_eq!(plan.subtasks.len(), 6);
    }

    #[test]
    fn forcing_without_any_plan_says_so() {
        let t = run("Export the monthly report as CSV.", None, true);
        assert!(matches!(t, Triage::NoPlan { .. }), "{t:?}");
    }

    #[test]
    fn a_broken_plan_is_invalid_with_its_problems() {
        let body = "```vayu\nsubtasks:\n  - {key: a, title: A, owner: docs, needs: [zz]}\n  - {key: b, title: B, owner: docs}\n  - {key: c, title: C, owner: docs}\n```\n";
        let Triage::Invalid {
            error, decision, ..
        } = run(body, None, false)
        else {
            panic!("expected invalid");
        };
        assert!(decision.is_some());
        assert!(error.to_string().contains("`zz`"), "{error}");
    }
}
