//! Repeating work tied to a page's lifetime: catalog refreshes, order-status polling, the
//! countdown's tick.
//!
//! A loop of `step → wait` (rather than `setInterval`) never overlaps two requests when the
//! network is slower than the period, and it stops by itself when the component that started it
//! is gone, so a page left mid-poll leaves nothing running.

use std::future::Future;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Runs `step` now, then again `period_ms` after each run finishes, for as long as it answers
/// `true` and the reactive owner current at the call (a component or effect) is alive.
pub fn poll_every<F, Fut>(period_ms: u32, mut step: F)
where
    F: FnMut() -> Fut + 'static,
    Fut: Future<Output = bool> + 'static,
{
    // Disposed together with the owner: reading it tells whether anyone still cares.
    let alive = RwSignal::new(());
    let is_alive = move || alive.try_get_untracked().is_some();
    spawn_local(async move {
        while is_alive() && step().await {
            TimeoutFuture::new(period_ms).await;
        }
    });
}
