//! Repeating work tied to a component's lifetime: the dashboard's refresh.
//!
//! A loop of `step → wait` (rather than `setInterval`) never overlaps two requests when the
//! network is slower than the period, and it stops by itself when the component that started it
//! is gone.

use std::future::Future;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Runs `step` now, then again `period_ms` after each run finishes, for as long as it answers
/// `true` and the reactive owner current at the call is alive.
pub fn poll_every<F, Fut>(period_ms: u32, mut step: F)
where
    F: FnMut() -> Fut + 'static,
    Fut: Future<Output = bool> + 'static,
{
    let alive = RwSignal::new(());
    let is_alive = move || alive.try_get_untracked().is_some();
    spawn_local(async move {
        while is_alive() && step().await {
            TimeoutFuture::new(period_ms).await;
        }
    });
}
