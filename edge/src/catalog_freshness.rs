//! How fresh the edge's copies of the schedule are kept, and which copy a request gets: plain
//! rules with no `worker` types, unit-tested natively. `CatalogStore` (the durable copy) is
//! refreshed from origin by its own alarm, never while a shopper waits; the isolate copy
//! (`catalog.rs`) is refreshed from `CatalogStore` and kept when that fails.

use festival_domain::UnixMillis;

/// How often `CatalogStore`'s alarm refreshes its copy from origin and reads the shards' stock
/// while isolates ask for it: a marketer's change, and the stock shoppers see, are at most
/// about this old (plus a second in the data centre's cache and a second in the isolate).
pub const REFRESH_EVERY_MS: i64 = 1_000;
/// `CatalogStore` stops refreshing after this long without a request, so an idle festival
/// costs no alarm every second forever; the next request arms the alarm again.
pub const IDLE_AFTER_MS: i64 = 60_000;
/// A refresh from origin gives up after this long, so a hung origin holds up no alarm.
pub const ORIGIN_TIMEOUT_MS: u64 = 5_000;
/// An alarm this overdue did not run (the runtime drops an alarm that failed a few times): the
/// next request arms it again. Longer than a refresh may take, so a slow one is not mistaken.
pub const ALARM_LOST_AFTER_MS: i64 = 3 * ORIGIN_TIMEOUT_MS as i64;
/// How long an isolate serves its copy before asking `CatalogStore` again.
pub const ISOLATE_TTL_MS: i64 = 1_000;

/// When `CatalogStore`'s alarm, running at `now`, should run next: in [`REFRESH_EVERY_MS`] while
/// a request came within [`IDLE_AFTER_MS`], else never (`None`) until a request arms it.
/// `last_request` is `None` when no request reached this instance of the object.
pub fn next_refresh(now: UnixMillis, last_request: Option<UnixMillis>) -> Option<UnixMillis> {
    let in_use = last_request.is_some_and(|at| at.millis_until(now) < IDLE_AFTER_MS);
    in_use.then(|| now.plus_millis(REFRESH_EVERY_MS))
}

/// Whether a request at `now` must arm `CatalogStore`'s alarm: none is armed (the object just
/// started, or the alarm stopped when idle), or the armed one is long overdue (dropped).
pub fn must_arm(armed_for: Option<UnixMillis>, now: UnixMillis) -> bool {
    armed_for.is_none_or(|at| at.millis_until(now) > ALARM_LOST_AFTER_MS)
}

/// An isolate's copy of the schedule: the last good one, and when it was last asked for anew.
#[derive(Debug)]
pub struct IsolateCopy<T> {
    last_good: Option<T>,
    asked_at: Option<UnixMillis>,
}

/// What a refresh of an [`IsolateCopy`] came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Refreshed<E> {
    /// The copy is the one just fetched.
    Updated,
    /// The fetch failed; the last good copy is served (the caller logs why).
    KeptLastGood(E),
    /// The fetch failed and there was never a copy: the request cannot be answered.
    NeverLoaded(E),
}

impl<T> IsolateCopy<T> {
    /// No copy yet.
    pub const fn new() -> Self {
        IsolateCopy {
            last_good: None,
            asked_at: None,
        }
    }

    /// Whether the request at `now` should fetch the copy anew. It is due when never fetched or
    /// older than [`ISOLATE_TTL_MS`]; the request that takes it on marks it asked, so the
    /// requests arriving meanwhile serve the last good copy instead of fetching too. With no
    /// copy at all every request must fetch.
    pub fn take_refresh(&mut self, now: UnixMillis) -> bool {
        let due = self
            .asked_at
            .is_none_or(|at| at.millis_until(now) >= ISOLATE_TTL_MS);
        if due && self.last_good.is_some() {
            self.asked_at = Some(now);
        }
        due || self.last_good.is_none()
    }

    /// Takes what the refresh started at `asked_at` found: a new copy replaces the last good
    /// one; a failure keeps it, to be asked for again in [`ISOLATE_TTL_MS`] (a failing
    /// `CatalogStore` then costs each isolate one call a second, not one per request).
    pub fn record<E>(&mut self, asked_at: UnixMillis, found: Result<T, E>) -> Refreshed<E> {
        match found {
            Ok(copy) => {
                self.last_good = Some(copy);
                self.asked_at = Some(asked_at);
                Refreshed::Updated
            }
            Err(error) if self.last_good.is_some() => {
                self.asked_at = Some(asked_at);
                Refreshed::KeptLastGood(error)
            }
            Err(error) => Refreshed::NeverLoaded(error),
        }
    }

    /// The copy to serve, if there ever was one.
    pub fn last_good(&self) -> Option<&T> {
        self.last_good.as_ref()
    }
}

impl<T> Default for IsolateCopy<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixMillis = UnixMillis(1_000_000);

    fn at(millis: i64) -> UnixMillis {
        T0.plus_millis(millis)
    }

    #[test]
    fn the_alarm_refreshes_every_two_seconds_while_shoppers_ask() {
        assert_eq!(next_refresh(at(0), Some(at(0))), Some(at(REFRESH_EVERY_MS)));
        assert_eq!(
            next_refresh(at(59_999), Some(at(0))),
            Some(at(59_999 + REFRESH_EVERY_MS))
        );
    }

    #[test]
    fn the_alarm_stops_when_nobody_asked_for_a_minute() {
        assert_eq!(next_refresh(at(IDLE_AFTER_MS), Some(at(0))), None);
        // An object started by its alarm has seen no request: it refreshes once and rests.
        assert_eq!(next_refresh(at(0), None), None);
    }

    #[test]
    fn a_request_arms_a_missing_or_lost_alarm_only() {
        assert!(must_arm(None, at(0)), "a new object, or one that rested");
        assert!(!must_arm(Some(at(REFRESH_EVERY_MS)), at(0)), "armed");
        assert!(
            !must_arm(Some(at(0)), at(ALARM_LOST_AFTER_MS)),
            "late, not lost"
        );
        assert!(must_arm(Some(at(0)), at(ALARM_LOST_AFTER_MS + 1)), "lost");
    }

    #[test]
    fn an_isolate_refreshes_once_a_second_and_one_request_at_a_time() {
        let mut copy = IsolateCopy::new();
        assert!(copy.take_refresh(at(0)), "no copy: fetch");
        assert!(
            copy.take_refresh(at(0)),
            "still none: the next request fetches too"
        );
        assert_eq!(copy.record::<&str>(at(0), Ok("v1")), Refreshed::Updated);
        assert!(!copy.take_refresh(at(ISOLATE_TTL_MS - 1)), "fresh");
        assert!(copy.take_refresh(at(ISOLATE_TTL_MS)), "due");
        assert!(
            !copy.take_refresh(at(ISOLATE_TTL_MS + 5)),
            "another request serves the copy while the first refreshes"
        );
        assert_eq!(copy.last_good(), Some(&"v1"));
    }

    #[test]
    fn a_failed_refresh_keeps_the_last_good_copy() {
        let mut copy = IsolateCopy::new();
        assert_eq!(
            copy.record(at(0), Err("store down")),
            Refreshed::NeverLoaded("store down")
        );
        assert_eq!(copy.last_good(), None);

        copy.record::<&str>(at(0), Ok("v1"));
        assert!(copy.take_refresh(at(ISOLATE_TTL_MS)));
        assert_eq!(
            copy.record(at(ISOLATE_TTL_MS), Err("store down")),
            Refreshed::KeptLastGood("store down")
        );
        assert_eq!(copy.last_good(), Some(&"v1"));
        assert!(
            !copy.take_refresh(at(ISOLATE_TTL_MS + 10)),
            "a failing store is asked again in a second, not on every request"
        );
        assert!(copy.take_refresh(at(2 * ISOLATE_TTL_MS)));
        assert_eq!(
            copy.record::<&str>(at(2 * ISOLATE_TTL_MS), Ok("v2")),
            Refreshed::Updated
        );
        assert_eq!(copy.last_good(), Some(&"v2"));
    }
}
