//! vayu turns GitHub issues into managed tasks: it decides whether a task is
//! simple or complex, decomposes complex ones into a DAG of sub-issues, and
//! tracks them through their lifecycle.

pub mod action;
pub mod app;
pub mod cli;
pub mod core;
pub mod github;
pub mod render;
pub mod store;
