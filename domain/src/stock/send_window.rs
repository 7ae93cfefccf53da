//! When a shard sends its new orders to the queue: a *send window* gathers them, so a message
//! carries many (issue 15: queue messages per accepted order; Cloudflare Queues take about 5,000
//! messages/s a queue).
//!
//! The first order written opens a window; the alarm sends the window's orders in one message
//! (up to `QUEUE_BATCH`) when it closes:
//! - not before [`Tuning::send_window_ms`] (1 s) after it opened, so a shard sends at most about
//!   once a second, as before windows could stretch;
//! - then as soon as no order has come for [`Tuning::send_quiet_ms`] (a shard's share of a burst
//!   goes in one message rather than one a second while it lasts),
//! - or [`Tuning::send_window_max_ms`] after it opened (orders reach origin that much later at
//!   most, however steady the flow),
//! - or at once when it holds a full message's orders.
//!
//! The window lives in the object's memory only: lost on a reset, the next alarm sends at once.

use crate::time::UnixMillis;

use super::outbox::QUEUE_BATCH;
use super::shard::Tuning;

/// The orders written since the last send, as the shard remembers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    opened: UnixMillis,
    last: UnixMillis,
    orders: usize,
}

impl SendWindow {
    /// `window` (none: a new one opens) with `orders` more written at `now`.
    pub fn with(window: Option<SendWindow>, now: UnixMillis, orders: usize) -> SendWindow {
        match window {
            Some(open) => SendWindow {
                last: now,
                orders: open.orders + orders,
                ..open
            },
            None => SendWindow {
                opened: now,
                last: now,
                orders,
            },
        }
    }

    /// When the window closes, as far as its orders so far say (later orders may move it later,
    /// until the longest wait, or to "now" when they fill a message).
    pub fn closes_at(&self, tuning: &Tuning) -> UnixMillis {
        if self.orders >= QUEUE_BATCH {
            return self.last;
        }
        let shortest = self.opened.0 + tuning.send_window_ms;
        let quiet = self.last.0 + tuning.send_quiet_ms;
        let longest = self.opened.0 + tuning.send_window_max_ms;
        UnixMillis(shortest.max(quiet.min(longest)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TUNING: Tuning = Tuning {
        resend_after_ms: 180_000,
        send_window_ms: 1_000,
        send_quiet_ms: 250,
        send_window_max_ms: 3_000,
        pending_page: 128,
    };

    fn window_of(arrivals: &[(i64, usize)]) -> SendWindow {
        arrivals
            .iter()
            .fold(None, |window, &(at, orders)| {
                Some(SendWindow::with(window, UnixMillis(at), orders))
            })
            .expect("at least one arrival")
    }

    #[test]
    fn a_lone_order_waits_the_shortest_window() {
        assert_eq!(window_of(&[(0, 1)]).closes_at(&TUNING), UnixMillis(1_000));
        assert_eq!(
            window_of(&[(0, 1), (600, 1)]).closes_at(&TUNING),
            UnixMillis(1_000)
        );
    }

    #[test]
    fn a_flow_keeps_the_window_open_until_it_pauses() {
        let flowing: Vec<(i64, usize)> = (0..12).map(|i| (i * 150, 2)).collect();
        assert_eq!(
            window_of(&flowing).closes_at(&TUNING),
            UnixMillis(11 * 150 + 250),
            "closes a quiet spell after the last order"
        );
    }

    #[test]
    fn a_steady_flow_is_sent_by_the_longest_wait() {
        let steady: Vec<(i64, usize)> = (0..40).map(|i| (i * 100, 1)).collect();
        assert_eq!(window_of(&steady).closes_at(&TUNING), UnixMillis(3_000));
    }

    #[test]
    fn a_full_message_goes_at_once() {
        let window = window_of(&[(0, QUEUE_BATCH - 1), (20, 1)]);
        assert_eq!(window.closes_at(&TUNING), UnixMillis(20));
    }
}
