//! The orchestrator: events in, effects out, through ports.

pub mod ports;
