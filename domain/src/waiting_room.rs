//! The waiting room's rule: shoppers are admitted first come, first served, never faster than
//! the admission rate. Each arrival is given the moment it will be let in — the later of now and
//! one admission interval after the previous arrival's moment — so arrival order is admission
//! order, and the moments are spaced by at least 1/rate by the clock that hands them out.

use serde::{Deserialize, Serialize};

use crate::time::UnixMillis;

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

    #[test]
    fn below_the_rate_nobody_waits() {
        let first = admission_time(None, UnixMillis(0), 5.0);
        let second = admission_time(Some(first), UnixMillis(1_000), 5.0);
        assert_eq!(second, UnixMillis(1_000));
    }
}
