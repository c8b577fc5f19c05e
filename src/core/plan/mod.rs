//! Planning: parse a plan from an issue body or template, validate it as a
//! DAG, lay it out in stages and estimate it (DESIGN §4).

pub mod block;
pub mod checklist;
pub mod condition;
pub mod error;
pub mod minutes;
pub mod model;
mod ours;
mod position;
pub mod source;
mod stages;
pub mod template;
pub mod validate;
mod yaml;

#[cfg(test)]
mod examples_tests;
#[cfg(test)]
mod proptests;

pub use block::parse_block;
pub use checklist::parse_checklist;
pub use error::{PlanError, Problem, ProblemKind};
pub use model::*;
pub use source::parse_plan;
pub use template::{Template, TemplateSet};
pub use validate::{validate, validate_with};
