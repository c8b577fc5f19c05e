//! An auction's state kept on GitHub as well as in the ledger: the
//! announcement comment carries its closing time and every accepted bid as
//! hidden lines, so runs that share no ledger (the Action's) see the same
//! auction, and a crash between the ledger and the comment loses no bid.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::core::assign::Bid;

const CLOSES: &str = "<!-- vayu:auction v=1 closes=";
const BID: &str = "<!-- vayu:bid v=1 ";

/// What the announcement says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuctionState {
    /// When bids stop.
    pub closes: DateTime<Utc>,
    /// Accepted bids, first per agent, in the order they came.
    pub bids: Vec<Bid>,
}

/// The hidden lines for `state`, to append to the announcement.
pub fn state_lines(state: &AuctionState) -> String {
    let mut out = format!(
        "{CLOSES}{} -->\n",
        state
            .closes
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for b in &state.bids {
        out.push_str(&format!(
            "{BID}login={} minutes={} order={} -->\n",
            b.login, b.minutes, b.order
        ));
    }
    out
}

/// Reads the state from an announcement's body; `None` without a closing time.
pub fn read_state(body: &str) -> Option<AuctionState> {
    let closes = body.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(CLOSES)?.strip_suffix("-->")?;
        DateTime::parse_from_rfc3339(rest.trim())
            .ok()
            .map(|d| d.with_timezone(&Utc))
    })?;
    let bids = body
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix(BID)?.strip_suffix("-->")?;
            let field = |name: &str| {
                rest.split_whitespace()
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            };
            let login = field("login")?;
            // Logins are GitHub's: letters, digits and dashes (a `[bot]`
            // suffix aside); anything else is not a line vayu wrote.
            let ok = login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '[' | ']'));
            Some(Bid {
                login: ok.then(|| login.to_owned())?,
                minutes: field("minutes")?.parse().ok()?,
                order: field("order")?.parse().ok()?,
            })
        })
        .collect();
    Some(AuctionState {
        closes,
        bids: first_per_agent(bids),
    })
}

/// Each agent's first bid (by order), in the order they came.
pub fn first_per_agent(mut bids: Vec<Bid>) -> Vec<Bid> {
    bids.sort_by_key(|b| b.order);
    let mut seen = BTreeSet::new();
    bids.retain(|b| seen.insert(b.login.to_ascii_lowercase()));
    bids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bid(login: &str, minutes: u32, order: u64) -> Bid {
        Bid {
            login: login.into(),
            minutes,
            order,
        }
    }

    #[test]
    fn the_state_reads_back_from_the_announcement() {
        let state = AuctionState {
            closes: DateTime::parse_from_rfc3339("2026-01-01T00:10:00Z")
                .map(|d| d.with_timezone(&Utc))
                .expect("time"),
            bids: vec![bid("bob", 40, 7), bid("carol", 45, 9)],
        };
        let body = format!(
            "<!-- vayu:note v=1 slot=auction -->\n### Auction\n\n{}",
            state_lines(&state)
        );
        assert_eq!(read_state(&body), Some(state));
        assert_eq!(read_state("### Auction without state"), None);
    }

    #[test]
    fn a_later_bid_by_the_same_agent_and_a_malformed_line_do_not_count() {
        let body = "<!-- vayu:auction v=1 closes=2026-01-01T00:10:00Z -->\n\
                    <!-- vayu:bid v=1 login=bob minutes=40 order=9 -->\n\
                    <!-- vayu:bid v=1 login=Bob minutes=5 order=12 -->\n\
                    <!-- vayu:bid v=1 login=bob\"><script> minutes=1 order=1 -->\n\
                    <!-- vayu:bid v=1 login=carol minutes=lots order=3 -->\n";
        let s = read_state(body).expect("state");
        assert_eq!(s.bids, vec![bid("bob", 40, 9)]);
    }
}
