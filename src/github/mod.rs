//! The GitHub adapter: everything that knows GitHub's wire formats.

pub mod webhook;
