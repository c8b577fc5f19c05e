//! Periodic work that does not wait for a webhook.

pub mod reconcile;
