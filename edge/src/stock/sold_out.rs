//! The sold-out fast path: once a deal's shards are all empty, this isolate answers "sold out"
//! from memory for a moment, without calling a Durable Object. A burst on a sold-out deal then
//! costs each request a hash-map lookup. Cancellations can return units, so the memory is short.

use std::cell::RefCell;
use std::collections::HashMap;

use festival_domain::{DealId, UnixMillis};

use crate::bindings;

/// How long an isolate trusts that a deal is sold out.
pub const MEMORY_MS: i64 = 2_000;

thread_local! {
    static SOLD_OUT_AT: RefCell<HashMap<DealId, UnixMillis>> = RefCell::new(HashMap::new());
}

/// Remembers that every shard of `deal` was empty just now.
pub fn remember(deal: &DealId) {
    SOLD_OUT_AT.with_borrow_mut(|map| map.insert(deal.clone(), bindings::now()));
}

/// Forgets it (a cancellation returned units).
pub fn forget(deal: &DealId) {
    SOLD_OUT_AT.with_borrow_mut(|map| map.remove(deal));
}

/// Whether `deal` was sold out less than [`MEMORY_MS`] ago.
pub fn is_sold_out(deal: &DealId) -> bool {
    let now = bindings::now();
    SOLD_OUT_AT.with_borrow(|map| {
        map.get(deal)
            .is_some_and(|at| at.millis_until(now) < MEMORY_MS)
    })
}
