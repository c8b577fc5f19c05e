//! What handling an event did, for logs, job results and tests.

/// The result of [`super::handlers::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to do, and why.
    Ignored {
        /// Why the event was ignored.
        why: String,
    },
    /// The same input was handled before (ledger fast path): nothing read or written.
    AlreadyDone,
    /// A simple task was routed to one owner.
    Routed {
        /// The owner domain.
        owner: String,
        /// GitHub writes made.
        writes: usize,
    },
    /// A plan was applied (created, re-planned, progressed or completed).
    Planned {
        /// Subtasks in the plan.
        subtasks: usize,
        /// GitHub writes made.
        writes: usize,
        /// Whether the parent is now closed.
        completed: bool,
    },
    /// The user's input was wrong; a comment says what to fix.
    Rejected {
        /// The problems.
        reason: String,
        /// GitHub writes made.
        writes: usize,
    },
    /// Slash commands were run.
    Commands {
        /// How many commands ran (new ones only).
        ran: usize,
    },
    /// A finished task was sent to review instead of counting as done.
    Reviewing {
        /// GitHub writes made.
        writes: usize,
    },
    /// The checks of a finished task's pull requests gave the review verdict.
    Reviewed {
        /// Whether the review passed (else the task went back to work).
        passed: bool,
        /// GitHub writes made.
        writes: usize,
    },
    /// Repositories were added to (or removed from) an installation.
    Installation {
        /// How many.
        repos: usize,
        /// Whether they were removed.
        removed: bool,
    },
    /// A repository was reconciled.
    Reconciled {
        /// Parents looked at.
        parents: usize,
        /// GitHub writes made to repair drift.
        writes: usize,
    },
}

impl Outcome {
    /// GitHub writes this outcome reports.
    pub fn writes(&self) -> usize {
        match self {
            Outcome::Routed { writes, .. }
            | Outcome::Planned { writes, .. }
            | Outcome::Rejected { writes, .. }
            | Outcome::Reconciled { writes, .. }
            | Outcome::Reviewing { writes }
            | Outcome::Reviewed { writes, .. } => *writes,
            _ => 0,
        }
    }
}
