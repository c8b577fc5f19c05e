//! The GitHub adapter: everything that knows GitHub's wire formats —
//! webhook payloads, and octocrab for transport and auth, our own lenient
//! request/response structs for every endpoint, bounded retries, rate-limit
//! handling and mutation pacing.
//!
//! Why our own response structs: octocrab's models require every field GitHub
//! documents (an `Issue` needs ~25, each `Author` ~18 URLs), so one field a
//! GitHub Enterprise Server version or the simulator leaves out fails the whole
//! call. We decode only what we read.

pub mod auth;
pub mod breaker;
pub mod client;
mod client_comments;
mod client_issues;
mod client_labels;
mod client_repo;
mod client_subissues;
mod graphql;
mod linked_prs;
pub mod pacing;
mod port;
mod projects;
mod projects_batch;
pub mod retry;
mod transport;
pub mod webhook;
mod wire;

pub use breaker::BreakerConfig;
pub use client::{ClientConfig, GitHubClient};
pub use transport::{NowFn, system_now};
