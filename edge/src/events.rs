//! One structured JSON line per order outcome and per delivery round. On Cloudflare, Workers
//! Logs (`[observability]` in `wrangler.toml`) index their fields, so refusals chart by code,
//! and batch sizes and time spent by deal; locally they are lines in the runtime's log, which
//! the end-to-end tests read and `cargo xtask rehearse` counts an order's costs from.

use festival_domain::{DealId, UnixMillis};
use serde::Serialize;
use worker::console_log;

use crate::bindings;

/// What one order request came to.
#[derive(Debug, Serialize)]
pub struct OrderEvent<'a> {
    pub event: &'static str,
    /// `accepted`, `replayed`, a refusal's code, or `unavailable`.
    pub code: &'a str,
    pub status: u16,
    pub deal: Option<&'a str>,
    pub shard: Option<u32>,
    /// Orders that shared the shard's request (see `coalesce`).
    pub batch: Option<usize>,
    /// Milliseconds from arrival to answer (the Workers clock moves on I/O only).
    pub ms: i64,
}

/// What an order request learnt on its way, for its [`OrderEvent`].
pub struct OrderTrace {
    started: UnixMillis,
    pub code: Option<&'static str>,
    pub deal: Option<DealId>,
    pub shard: Option<u32>,
    pub batch: Option<usize>,
}

impl OrderTrace {
    pub fn start() -> Self {
        OrderTrace {
            started: bindings::now(),
            code: None,
            deal: None,
            shard: None,
            batch: None,
        }
    }

    /// Logs the outcome: the code recorded on the way (else `fallback`) and the status sent.
    pub fn finish(&self, status: u16, fallback: &str) {
        let event = OrderEvent {
            event: "order",
            code: self.code.unwrap_or(fallback),
            status,
            deal: self.deal.as_ref().map(DealId::as_str),
            shard: self.shard,
            batch: self.batch,
            ms: self.started.millis_until(bindings::now()),
        };
        log(&event);
    }
}

/// What one delivery round to origin came to.
#[derive(Debug, Serialize)]
pub struct DeliveryEvent {
    pub event: &'static str,
    /// `stored`, `refused` (dead letters at once), or `retry` (an outage, or a shard that did
    /// not hear its confirmation).
    pub outcome: &'static str,
    pub messages: usize,
    pub orders: usize,
    /// Of `orders`, those origin stored for the first time, and those it held already.
    pub stored: usize,
    pub already: usize,
    pub ms: i64,
}

/// Logs one delivery round that began at `started`.
pub fn delivery(
    started: UnixMillis,
    outcome: &'static str,
    messages: usize,
    orders: usize,
    stored: (usize, usize),
) {
    log(&DeliveryEvent {
        event: "delivery",
        outcome,
        messages,
        orders,
        stored: stored.0,
        already: stored.1,
        ms: started.millis_until(bindings::now()),
    });
}

fn log<T: Serialize>(event: &T) {
    if let Ok(line) = serde_json::to_string(event) {
        console_log!("{line}");
    }
}
