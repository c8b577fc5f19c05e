//! The orchestrator: events in, effects out, through ports.

pub mod event;
pub mod ports;
pub mod subtasks;
