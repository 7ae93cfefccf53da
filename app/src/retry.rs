//! When to try again: the pure rules behind polling and purchases on a bad network, kept apart
//! from the browser so they are unit-tested natively.
//!
//! Backing off matters most when the shop is struggling: thousands of storefronts that all
//! retry every second would keep it down. A `Retry-After` from the shop always wins over our own
//! schedule, since the shop knows when it expects to have room.

/// The longest we wait between two tries of our own accord.
pub const MAX_BACKOFF_MS: u32 = 30_000;

/// The longest `Retry-After` we honour: a broken header must not silence a page for hours.
const MAX_RETRY_AFTER_S: u32 = 300;

/// How long any one request may take before it counts as unanswered.
pub const REQUEST_TIMEOUT_MS: u32 = 8_000;

/// How many times a purchase is sent (with the same key) before the shopper is asked to retry.
pub const PURCHASE_TRIES: u32 = 6;

/// The wait before the next try of something done every `period_ms`, after `failures` failed
/// tries in a row (0: all is well), when the shop asked for `retry_after_s`: the period doubled
/// per failure up to [`MAX_BACKOFF_MS`] (never below the period itself), or the shop's wait if
/// longer.
pub fn backoff_ms(period_ms: u32, failures: u32, retry_after_s: Option<u32>) -> u32 {
    let doubled = period_ms.saturating_mul(1 << failures.min(16));
    let ours = doubled.min(MAX_BACKOFF_MS.max(period_ms));
    let theirs = retry_after_s.map_or(0, |s| s.min(MAX_RETRY_AFTER_S) * 1_000);
    ours.max(theirs)
}

/// The wait before a purchase's try number `tries + 1`, after `tries` unanswered ones: 0.5, 1,
/// 2, 4, 8, 16 s (or the shop's `Retry-After`); `None` once [`PURCHASE_TRIES`] are spent (the shopper is then asked to press again,
/// which resends the same key).
pub fn purchase_wait_ms(tries: u32, retry_after_s: Option<u32>) -> Option<u32> {
    (tries < PURCHASE_TRIES).then(|| backoff_ms(500, tries, retry_after_s))
}

/// A purchase's idempotency key, as kept in `sessionStorage` while its outcome is unknown:
/// `key quantity`. A reload then resends the same key for the same quantity, which the edge
/// answers with the same order.
pub fn kept_purchase(key: &str, quantity: u32) -> String {
    format!("{key} {quantity}")
}

/// Reads [`kept_purchase`]'s text back; anything else (damaged, from an older version) is
/// ignored, so the worst case is a fresh key. (A damaged key or quantity that still reads is
/// refused by the edge, `invalid_idempotency_key` or `invalid_quantity`, and then forgotten like
/// any refusal.)
pub fn read_kept_purchase(kept: &str) -> Option<(String, u32)> {
    let (key, quantity) = kept.split_once(' ')?;
    Some((key.to_owned(), quantity.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_well_polls_at_the_period() {
        assert_eq!(backoff_ms(3_000, 0, None), 3_000);
    }

    #[test]
    fn failures_double_the_wait_up_to_the_cap() {
        let waits: Vec<u32> = (0..7).map(|f| backoff_ms(3_000, f, None)).collect();
        assert_eq!(
            waits,
            [3_000, 6_000, 12_000, 24_000, 30_000, 30_000, 30_000]
        );
        assert_eq!(backoff_ms(3_000, u32::MAX, None), MAX_BACKOFF_MS);
        // A period longer than the cap is never shortened by it.
        assert_eq!(backoff_ms(60_000, 3, None), 60_000);
    }

    #[test]
    fn retry_after_wins_when_longer_and_is_capped() {
        assert_eq!(backoff_ms(3_000, 0, Some(10)), 10_000);
        assert_eq!(backoff_ms(3_000, 4, Some(1)), 30_000);
        assert_eq!(backoff_ms(1_000, 0, Some(u32::MAX)), 300_000);
    }

    #[test]
    fn a_purchase_tries_six_times_with_growing_waits() {
        let waits: Vec<Option<u32>> = (0..7).map(|t| purchase_wait_ms(t, None)).collect();
        let expected = [500, 1_000, 2_000, 4_000, 8_000, 16_000].map(Some);
        assert_eq!(waits[..6], expected);
        assert_eq!(waits[6], None);
        assert_eq!(purchase_wait_ms(1, Some(5)), Some(5_000));
    }

    #[test]
    fn a_kept_purchase_reads_back_and_damage_reads_as_none() {
        let kept = kept_purchase("0b8e0c1e-8a4f-4d3c-9f7e-2f6f5b1c9a10", 3);
        let read = read_kept_purchase(&kept);
        assert_eq!(
            read,
            Some(("0b8e0c1e-8a4f-4d3c-9f7e-2f6f5b1c9a10".into(), 3))
        );
        // An empty entry is a forgotten one.
        for bad in [
            "",
            "abc",
            "0b8e0c1e-8a4f x",
            "0b8e0c1e-8a4f -1",
            "0b8e0c1e-8a4f 1 2",
        ] {
            assert_eq!(read_kept_purchase(bad), None, "{bad:?}");
        }
    }
}
