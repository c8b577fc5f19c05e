//! Planning: parse a plan from an issue body or template, validate it as a
//! DAG, lay it out in stages and estimate it (DESIGN §4).

pub mod model;

pub use model::*;
