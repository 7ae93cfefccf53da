//! The shop's clock, read in the browser.
//!
//! Countdowns and "not open yet" labels run on server time (DESIGN invariant 8): a shopper's
//! device may be minutes off, and a countdown that says "go" before the edge does only earns a
//! refusal. The offset comes from `festival_domain::catalog::clock_offset_ms`, measured on each
//! catalog load.

use festival_domain::UnixMillis;
use leptos::prelude::*;

use crate::poll::poll_every;

/// How often the displayed time is refreshed. More often than once a second, so a late timer
/// never makes a countdown skip a second.
const TICK_MS: u32 = 250;

/// Server time as a reactive value that ticks while its page is open.
#[derive(Debug, Clone, Copy)]
pub struct ServerClock {
    /// Milliseconds to add to the device clock to read the server's.
    offset_ms: RwSignal<f64>,
    /// The server's time at the last tick.
    now: RwSignal<UnixMillis>,
}

impl ServerClock {
    /// Starts a clock with no correction yet; it stops when the calling component is gone.
    pub fn start() -> Self {
        let offset_ms = RwSignal::new(0.0);
        let now = RwSignal::new(read_device(0.0));
        poll_every(TICK_MS, move || {
            let ticking = offset_ms
                .try_get_untracked()
                .map(|offset| now.set(read_device(offset)))
                .is_some();
            async move { ticking }
        });
        ServerClock { offset_ms, now }
    }

    /// Adopts a new estimate of the offset (from a catalog load) and shows it at once.
    pub fn correct(&self, offset_ms: f64) {
        self.offset_ms.set(offset_ms);
        self.now.set(read_device(offset_ms));
    }

    /// Server time now; reading it inside a view or memo re-runs that on every tick.
    pub fn now(&self) -> UnixMillis {
        self.now.get()
    }
}

/// The device clock, shifted by `offset_ms`, in whole milliseconds.
fn read_device(offset_ms: f64) -> UnixMillis {
    UnixMillis((js_sys::Date::now() + offset_ms).round() as i64)
}

/// Time left as a shopper reads it: `01:59`, `02:03:04` from an hour on, `2d 03:04:05` from a
/// day on (`days` is the language's unit with its space: `"d "`, `"일 "`, `"天 "`). Rounds up,
/// so `00:00` is never shown while the moment is still ahead.
pub fn format_countdown(millis_left: i64, days_unit: &str) -> String {
    let secs = (millis_left.max(0) + 999) / 1000;
    let (days, hours) = (secs / 86_400, secs % 86_400 / 3_600);
    let (mins, secs) = (secs % 3_600 / 60, secs % 60);
    if days > 0 {
        format!("{days}{days_unit}{hours:02}:{mins:02}:{secs:02}")
    } else if hours > 0 {
        format!("{hours:02}:{mins:02}:{secs:02}")
    } else {
        format!("{mins:02}:{secs:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::format_countdown;

    #[test]
    fn countdown_rounds_up_and_grows_units() {
        assert_eq!(format_countdown(119_000, "d "), "01:59");
        assert_eq!(format_countdown(118_001, "d "), "01:59");
        assert_eq!(format_countdown(1, "d "), "00:01");
        assert_eq!(format_countdown(-5, "d "), "00:00");
        assert_eq!(format_countdown(3_723_000, "d "), "01:02:03");
        let two_days = 2 * 86_400_000 + 3_723_000;
        assert_eq!(format_countdown(two_days, "d "), "2d 01:02:03");
        assert_eq!(format_countdown(two_days, "天 "), "2天 01:02:03");
    }
}
