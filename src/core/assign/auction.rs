//! Auctions: a ready task is announced, capable agents answer with
//! `/vayu bid <minutes>`, and when the window closes the best
//! capability-weighted bid wins: minutes ÷ specialization, lowest first.

use std::collections::BTreeMap;

use super::rank::{Candidate, evaluate};
use super::strategy::{ClaimRefused, claim, find, nobody, push};
use super::{Decision, NoAgent, States, TaskNeed};
use crate::core::config::AssignmentConfig;
use crate::core::task::AssignmentMethod;

/// Specialization below this counts as this, so a zero does not divide by zero.
const MIN_WEIGHT: f64 = 0.05;

/// One bid, as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bid {
    /// Who bid.
    pub login: String,
    /// Their estimate in minutes.
    pub minutes: u32,
    /// When it came, as a monotonic number (comment id): earlier wins a tie.
    pub order: u64,
}

/// Why a bid is refused when it is made: the same rules as a claim.
pub type BidRefused = ClaimRefused;

/// Whether `login` may bid on the task now.
pub fn check_bid(
    cfg: &AssignmentConfig,
    need: &TaskNeed,
    states: &States,
    login: &str,
) -> Result<(), BidRefused> {
    claim(cfg, need, states, login).map(|_| ())
}

/// The winner among `bids` from agents still capable and available when the
/// window closes (an agent's first bid counts). Without a valid bid the task
/// is pushed as usual, and the decision says no bid was made.
pub fn auction(
    cfg: &AssignmentConfig,
    need: &TaskNeed,
    states: &States,
    bids: &[Bid],
) -> Result<Decision, NoAgent> {
    let ev = evaluate(cfg, need, states);
    let mut first: BTreeMap<String, &Bid> = BTreeMap::new();
    for b in bids {
        let key = b.login.to_ascii_lowercase();
        match first.get(&key) {
            Some(kept) if kept.order <= b.order => {}
            _ => {
                first.insert(key, b);
            }
        }
    }
    let mut valid: Vec<(f64, &Bid, &Candidate)> = first
        .values()
        .filter_map(|b| find(&ev.ranked, &b.login).map(|c| (weighted(b, c), *b, c)))
        .collect();
    valid.sort_by(|(wa, ba, ca), (wb, bb, cb)| {
        wa.total_cmp(wb)
            .then(ca.open.cmp(&cb.open))
            .then(ba.order.cmp(&bb.order))
            .then_with(|| {
                ca.login
                    .to_ascii_lowercase()
                    .cmp(&cb.login.to_ascii_lowercase())
            })
    });
    let Some((_, bid, winner)) = valid.first() else {
        if ev.ranked.is_empty() {
            return Err(nobody(need, ev.any_capable(), ev.skipped));
        }
        return push(cfg, need, states);
    };
    Ok(Decision {
        primary: (*winner).clone(),
        collaborators: Vec::new(),
        method: AssignmentMethod::Volunteered,
        bid_minutes: Some(bid.minutes),
        considered: valid.iter().map(|(_, _, c)| (*c).clone()).collect(),
        skipped: ev.skipped,
    })
}

/// Minutes divided by how well the bidder fits the domain.
pub fn weighted(bid: &Bid, c: &Candidate) -> f64 {
    f64::from(bid.minutes) / c.specialization.max(MIN_WEIGHT)
}
