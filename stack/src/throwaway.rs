//! What every throw-away stack shares, the end-to-end tests' (`tests/src/stack.rs`) as much as
//! `rehearse`'s and `bench`'s: its secrets, rate limits that never bind, and shoppers minted
//! with its session secret.

use festival_domain::token::{self, Purpose};
use festival_domain::{CustomerId, UnixMillis};

/// The three secrets origin and the edge share.
pub struct Secrets<'a> {
    pub batch: &'a str,
    pub session: &'a str,
    pub marketer: &'a str,
}

/// The secrets of a throw-away stack on loopback: as long as production's must be, since its
/// origin runs with production's rules (only the edge is in development mode, for its
/// plain-HTTP origin).
pub const MARKETER_TOKEN: &str = "e2e-marketer-02eac21af802c468cede340b98e3a344";
pub const BATCH_SECRET: &str = "e2e-batch-49b8b2e6ea79b522a297a850eef24c0c";
pub const SESSION_SECRET: &str = "e2e-session-d64fb30dc52f881a2e27ccbe8b07b80e";

/// [`BATCH_SECRET`], [`SESSION_SECRET`] and [`MARKETER_TOKEN`] together.
pub fn secrets() -> Secrets<'static> {
    Secrets {
        batch: BATCH_SECRET,
        session: SESSION_SECRET,
        marketer: MARKETER_TOKEN,
    }
}

/// Rate limits high enough that a burst from this one client is limited only by stock: the
/// isolate's buckets raised ([`UNLIMITED_RATES`]), and the shared Rate Limiting bindings
/// skipped (`SHARED_LIMITS`, which the edge honours in development mode only).
pub const UNLIMITED: &[(&str, &str)] = &[
    ("SESSION_ORDERS_PER_S", "100000"),
    ("SESSION_ORDERS_BURST", "100000"),
    ("ADDRESS_ORDERS_PER_S", "100000"),
    ("ADDRESS_ORDERS_BURST", "100000"),
    ("ADDRESS_SESSIONS_PER_S", "100000"),
    ("ADDRESS_SESSIONS_BURST", "100000"),
    ("ADDRESS_JOINS_PER_S", "100000"),
    ("ADDRESS_JOINS_BURST", "100000"),
    ("SHARED_LIMITS", "off"),
];

/// [`UNLIMITED`]'s raised buckets alone, for a stack that decides `SHARED_LIMITS` itself (the
/// end-to-end tests turn the bindings on for the test of them).
pub const UNLIMITED_RATES: &[(&str, &str)] = UNLIMITED.split_at(UNLIMITED.len() - 1).0;

/// A session and a sale token for `customer`, signed with `session_secret` as the edge signs
/// them, lasting ten minutes: load that skips `POST /api/session` and `POST /api/sale-token`.
pub fn minted(session_secret: &str, customer: &str) -> (String, String) {
    minted_until(
        session_secret,
        customer,
        crate::local::now().plus_millis(600_000),
    )
}

/// As [`minted`], both expiring at `expires`.
pub fn minted_until(session_secret: &str, customer: &str, expires: UnixMillis) -> (String, String) {
    let customer = CustomerId::new(customer).expect("a valid customer id");
    let secret = session_secret.as_bytes();
    (
        token::issue(secret, Purpose::Session, &customer, expires),
        token::issue(secret, Purpose::Sale, &customer, expires),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rates_are_the_unlimited_settings_but_the_bindings_switch() {
        assert_eq!(UNLIMITED_RATES.len(), UNLIMITED.len() - 1);
        assert!(
            UNLIMITED_RATES
                .iter()
                .all(|(name, _)| *name != "SHARED_LIMITS")
        );
        assert_eq!(UNLIMITED.last(), Some(&("SHARED_LIMITS", "off")));
    }

    #[test]
    fn minted_tokens_name_their_customer() {
        let (session, sale) = minted(SESSION_SECRET, "shopper-1");
        let now = crate::local::now();
        let secret = SESSION_SECRET.as_bytes();
        let read = |purpose, token: &str| token::verify(secret, purpose, token, now);
        assert_eq!(
            read(Purpose::Session, &session).unwrap().as_str(),
            "shopper-1"
        );
        assert_eq!(read(Purpose::Sale, &sale).unwrap().as_str(), "shopper-1");
    }
}
