//! The waiting room's rule: shoppers are admitted first come, first served, never faster than
//! the admission rate. Each arrival is given the moment it will be let in — the later of now and
//! one admission interval after the previous arrival's moment — so arrival order is admission
//! order, and the moments are spaced by at least 1/rate by the clock that hands them out.
//!
//! The moment is handed out once, and the shopper carries it: a signed ticket names the customer
//! and the moment, so the shopper's polls are answered from the ticket and the clock, without
//! asking the one object that hands moments out.

use serde::{Deserialize, Serialize};

use crate::order::CustomerId;
use crate::refusal::Refusal;
use crate::time::UnixMillis;
use crate::token::{self, Purpose, TokenError};

/// How long a ticket stays good after its admission moment: long enough to come back for a new
/// admission pass (which lasts 15 minutes) a few times, short enough that a ticket collected
/// before the festival is not a place in line for the next one.
pub const TICKET_TTL_MS: i64 = 60 * 60 * 1000;

/// Signs `customer`'s ticket for the admission moment `admit_at`. The ticket is a token of its
/// own purpose whose expiry is the moment plus [`TICKET_TTL_MS`]: the signature covers the
/// expiry, so it covers the moment.
pub fn issue_ticket(secret: &[u8], customer: &CustomerId, admit_at: UnixMillis) -> String {
    token::issue(
        secret,
        Purpose::Ticket,
        customer,
        admit_at.plus_millis(TICKET_TTL_MS),
    )
}

/// The admission moment of `ticket`, when it is a live ticket of `customer`'s signed with
/// `secret`; a forged one, or another customer's, is `TicketInvalid`, an old one
/// `TicketExpired`.
pub fn read_ticket(
    secret: &[u8],
    ticket: &str,
    customer: &CustomerId,
    now: UnixMillis,
) -> Result<UnixMillis, Refusal> {
    let owner = token::verify(secret, Purpose::Ticket, ticket, now).map_err(|e| match e {
        TokenError::Invalid => Refusal::TicketInvalid,
        TokenError::Expired => Refusal::TicketExpired,
    })?;
    if &owner != customer {
        return Err(Refusal::TicketInvalid);
    }
    // The token verified, so its third part is the expiry it was signed with.
    let expires_at = ticket
        .split('.')
        .nth(2)
        .and_then(|expiry| expiry.parse::<i64>().ok())
        .ok_or(Refusal::TicketInvalid)?;
    Ok(UnixMillis(expires_at).plus_millis(-TICKET_TTL_MS))
}

/// What a shopper whose moment is `admit_at` is told at `now`: admitted once the moment has
/// come, else waiting, with the position and the wait. `pass` signs the admission pass, and is
/// called only when admitted.
pub fn standing(
    admit_at: UnixMillis,
    now: UnixMillis,
    per_second: f64,
    pass: impl FnOnce() -> String,
) -> Place {
    if admit_at <= now {
        return Place::Admitted { pass: pass() };
    }
    Place::Waiting {
        position: position(admit_at, now, per_second),
        estimated_wait_ms: now.millis_until(admit_at),
        admit_at,
    }
}

/// Milliseconds between two admissions at `per_second`.
pub fn interval_ms(per_second: f64) -> i64 {
    (1000.0 / per_second).ceil() as i64
}

/// When a shopper arriving `now` is admitted, given when the previous arrival is admitted.
pub fn admission_time(
    previous: Option<UnixMillis>,
    now: UnixMillis,
    per_second: f64,
) -> UnixMillis {
    match previous {
        Some(previous) => now.max(previous.plus_millis(interval_ms(per_second))),
        None => now,
    }
}

/// Where a shopper admitted at `admit_at` stands at `now`, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Place {
    /// Let in: the admission pass is in the answer (and a cookie).
    Admitted {
        /// The signed admission pass.
        pass: String,
    },
    /// Waiting: how many go first, and about how long.
    Waiting {
        /// Shoppers admitted before this one, from now on (1 = next).
        position: u32,
        /// Milliseconds until admission, by the edge's clock.
        estimated_wait_ms: i64,
        /// The moment of admission, by the edge's clock.
        admit_at: UnixMillis,
    },
    /// Everything the shopper could buy is sold out: no need to wait.
    SoldOut,
}

/// The shopper's position at `now` when admitted at `admit_at` (1 = next in line).
pub fn position(admit_at: UnixMillis, now: UnixMillis, per_second: f64) -> u32 {
    let ahead = now.millis_until(admit_at).max(0);
    (ahead as f64 / interval_ms(per_second) as f64).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_spaced_by_the_rate_in_arrival_order() {
        // 50 shoppers arrive within 10 ms at 5 per second.
        let mut previous = None;
        let mut times = Vec::new();
        for i in 0..50 {
            let at = admission_time(previous, UnixMillis(1_000 + i / 5), 5.0);
            times.push(at);
            previous = Some(at);
        }
        assert_eq!(times[0], UnixMillis(1_000));
        assert!(times.windows(2).all(|w| w[1].0 - w[0].0 >= 200));
        assert_eq!(times[49], UnixMillis(1_000 + 49 * 200));
        assert_eq!(position(times[49], UnixMillis(1_000), 5.0), 49);
        assert_eq!(position(times[0], UnixMillis(1_000), 5.0), 0);
    }

    fn alice() -> CustomerId {
        CustomerId::new("alice").unwrap()
    }

    #[test]
    fn a_ticket_carries_its_moment_until_an_hour_past_it() {
        let ticket = issue_ticket(b"secret", &alice(), UnixMillis(5_000));
        let read = |now| read_ticket(b"secret", &ticket, &alice(), UnixMillis(now));
        assert_eq!(read(0), Ok(UnixMillis(5_000)));
        assert_eq!(read(5_000 + TICKET_TTL_MS - 1), Ok(UnixMillis(5_000)));
        assert_eq!(read(5_000 + TICKET_TTL_MS), Err(Refusal::TicketExpired));
    }

    #[test]
    fn forged_and_borrowed_tickets_are_invalid() {
        let ticket = issue_ticket(b"secret", &alice(), UnixMillis(5_000));
        let bob = CustomerId::new("bob").unwrap();
        let now = UnixMillis(0);
        assert_eq!(
            read_ticket(b"secret", &ticket, &bob, now),
            Err(Refusal::TicketInvalid)
        );
        assert_eq!(
            read_ticket(b"other", &ticket, &alice(), now),
            Err(Refusal::TicketInvalid)
        );
        // An earlier moment, written in by hand, breaks the signature.
        let earlier = ticket.replace(&(5_000 + TICKET_TTL_MS).to_string(), "3600001");
        assert_eq!(
            read_ticket(b"secret", &earlier, &alice(), now),
            Err(Refusal::TicketInvalid)
        );
        // A session or an admission pass is not a ticket.
        let session = token::issue(b"secret", Purpose::Session, &alice(), UnixMillis(9_999_999));
        assert_eq!(
            read_ticket(b"secret", &session, &alice(), now),
            Err(Refusal::TicketInvalid)
        );
    }

    #[test]
    fn a_poll_waits_until_the_moment_then_admits() {
        let pass = || "pass".to_owned();
        assert_eq!(
            standing(UnixMillis(1_000), UnixMillis(600), 5.0, pass),
            Place::Waiting {
                position: 2,
                estimated_wait_ms: 400,
                admit_at: UnixMillis(1_000)
            }
        );
        assert_eq!(
            standing(UnixMillis(1_000), UnixMillis(1_000), 5.0, pass),
            Place::Admitted {
                pass: "pass".into()
            }
        );
    }

    proptest::proptest! {
        /// Whatever is presented as a ticket, reading it never panics, and only a ticket signed
        /// for this customer answers a moment — the one it was signed with.
        #[test]
        fn only_a_signed_ticket_answers_its_moment(
            junk in ".{0,120}",
            admit_at in 0i64..4_000_000_000_000,
            now in 0i64..4_000_000_000_000,
        ) {
            proptest::prop_assert!(read_ticket(b"secret", &junk, &alice(), UnixMillis(now)).is_err());
            let ticket = issue_ticket(b"secret", &alice(), UnixMillis(admit_at));
            let read = read_ticket(b"secret", &ticket, &alice(), UnixMillis(now));
            if now < admit_at + TICKET_TTL_MS {
                proptest::prop_assert_eq!(read, Ok(UnixMillis(admit_at)));
            } else {
                proptest::prop_assert_eq!(read, Err(Refusal::TicketExpired));
            }
        }
    }

    #[test]
    fn below_the_rate_nobody_waits() {
        let first = admission_time(None, UnixMillis(0), 5.0);
        let second = admission_time(Some(first), UnixMillis(1_000), 5.0);
        assert_eq!(second, UnixMillis(1_000));
    }
}
