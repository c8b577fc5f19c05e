//! Planning: parse a plan from an issue body or template, validate it as a
//! DAG, lay it out in stages and estimate it (DESIGN §4).

pub mod model;

pub use model::*;
pub mod condition;
pub mod error;
pub mod minutes;
mod position;
mod yaml;

pub use error::{PlanError, Problem, ProblemKind};
pub mod block;
pub mod checklist;
mod ours;
mod stages;
pub mod validate;

pub use block::parse_block;
pub use checklist::parse_checklist;
pub use validate::{validate, validate_with};
