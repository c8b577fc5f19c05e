//! The pure domain: plain data and decisions, no I/O, no async, no clock reads.

pub mod assign;
pub mod command;
pub mod complexity;
pub mod config;
pub mod ids;
pub mod lifecycle;
pub mod marker;
pub mod plan;
pub mod report;
pub mod schedule;
pub mod task;
pub mod triage;
