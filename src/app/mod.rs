//! The orchestrator: events in, effects out, through ports.

pub mod assess;
pub mod assignment;
pub mod auction_state;
pub mod board;
pub mod config_load;
pub mod converge;
pub mod convert;
pub mod ctx;
pub mod desired;
pub mod effects;
pub mod error;
pub mod event;
pub mod handlers;
pub mod history;
pub mod labels;
mod ledger;
pub mod observe;
pub mod outcome;
pub mod ports;
pub mod schedules;
pub mod subtasks;

pub use ctx::{Clock, CrashHook, Ctx};
pub use error::{AppError, UserError};
pub use handlers::{handle, recheck_family, reconcile};
pub use outcome::Outcome;
