//! Repeating work tied to a page's lifetime: catalog refreshes, order-status polling, the
//! countdown's tick.
//!
//! A loop of `step → wait` (rather than `setInterval`) never overlaps two requests when the
//! network is slower than the period, and it stops by itself when the component that started it
//! is gone, so a page left mid-poll leaves nothing running. A hidden tab polls nothing: the loop
//! waits for the page to be shown again and then steps at once (within a second), so a shopper coming back sees
//! fresh stock without the shop having paid for every background tab.

use std::future::Future;
use std::pin::Pin;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::retry::backoff_ms;

/// What a step asks of the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Done: stop polling.
    Stop,
    /// All went well: again after the period.
    Again,
    /// No good answer: again after a growing wait, at least the shop's `Retry-After` seconds.
    Trouble(Option<u32>),
}

impl From<bool> for Next {
    fn from(again: bool) -> Next {
        if again { Next::Again } else { Next::Stop }
    }
}

/// Runs `step` now, then again `period_ms` after each run finishes (longer after failures, see
/// [`backoff_ms`]), while the page is visible, for as long as it does not answer
/// [`Next::Stop`] and the reactive owner current at the call (a component or effect) is alive.
pub fn poll_every<F, Fut>(period_ms: u32, mut step: F)
where
    F: FnMut() -> Fut + 'static,
    Fut: Future + 'static,
    Fut::Output: Into<Next>,
{
    // One loop for every caller, behind a box: each caller's copy of it would cost the
    // shopper's download more than the allocation per step costs the page.
    run(
        period_ms,
        Box::new(move || {
            let ran = step();
            Box::pin(async move { ran.await.into() })
        }),
    );
}

/// A step of a polling loop, boxed.
type Step = Box<dyn FnMut() -> Pin<Box<dyn Future<Output = Next>>>>;

/// [`poll_every`]'s loop.
fn run(period_ms: u32, mut step: Step) {
    // Disposed together with the owner: reading it tells whether anyone still cares.
    let alive = RwSignal::new(());
    let is_alive = move || alive.try_get_untracked().is_some();
    spawn_local(async move {
        let mut failures = 0;
        while is_alive() {
            let wait = match step().await {
                Next::Stop => return,
                Next::Again => {
                    failures = 0;
                    period_ms
                }
                Next::Trouble(retry_after_s) => {
                    failures += 1;
                    backoff_ms(period_ms, failures, retry_after_s)
                }
            };
            TimeoutFuture::new(wait).await;
            shown().await;
        }
    });
}

/// Resolves at once when the page is visible, else soon after it is shown again: it looks every
/// quarter second (a background tab's timers run at most once a second anyway), which costs the
/// shopper's download less than a `visibilitychange` listener's glue.
pub async fn shown() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    while document.hidden() {
        TimeoutFuture::new(LOOK_AGAIN_MS).await;
    }
}

/// How often a hidden page looks whether it is shown again.
const LOOK_AGAIN_MS: u32 = 250;
