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
