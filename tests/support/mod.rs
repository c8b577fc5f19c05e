//! Shared test support. Each test binary uses a subset, hence the allow.
#![allow(dead_code, unused_imports)]

#[cfg(test)]
pub mod action;
pub mod sim;

pub use sim::{Fault, GitHubSim, Permission};
