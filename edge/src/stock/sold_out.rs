//! The sold-out fast path: once a deal's shards are all empty — a shard said so here, or the
//! catalog's board (read from every shard a second or so ago) shows no unit left — this isolate
//! answers "sold out" from memory, without calling a Durable Object. A burst on a sold-out deal
//! then costs each request a hash-map lookup. Cancellations can return units, so the memory is
//! short, and a cancellation made here sets the board's zero aside until a newer board.

use std::cell::RefCell;
use std::collections::HashMap;

use festival_domain::{DealId, UnixMillis};

use crate::bindings;

/// How long an isolate trusts that a deal is sold out.
pub const MEMORY_MS: i64 = 2_000;

/// How old the board's figures can be: the `CatalogStore`'s reading (refreshed every second),
/// a second in the data centre's cache and a second in the isolate, with a margin.
const BOARD_LAG_MS: i64 = 5_000;

thread_local! {
    static SOLD_OUT_AT: RefCell<HashMap<DealId, UnixMillis>> = RefCell::new(HashMap::new());
    /// When a cancellation here last returned units of a deal.
    static RETURNED_AT: RefCell<HashMap<DealId, UnixMillis>> = RefCell::new(HashMap::new());
}

/// Remembers that every shard of `deal` was empty just now.
pub fn remember(deal: &DealId) {
    SOLD_OUT_AT.with_borrow_mut(|map| map.insert(deal.clone(), bindings::now()));
}

/// Forgets it (a cancellation returned units), and sets aside a board older than that.
pub fn forget(deal: &DealId) {
    SOLD_OUT_AT.with_borrow_mut(|map| map.remove(deal));
    RETURNED_AT.with_borrow_mut(|map| map.insert(deal.clone(), bindings::now()));
}

/// Whether an order for `deal`, whose board shows `board_left` units, is answered "sold out"
/// from memory.
pub fn answers_sold_out(deal: &DealId, board_left: u32) -> bool {
    let now = bindings::now();
    let board_is_current = RETURNED_AT.with_borrow(|map| {
        map.get(deal)
            .is_none_or(|at| at.millis_until(now) >= BOARD_LAG_MS)
    });
    is_sold_out(deal) || (board_left == 0 && board_is_current)
}

/// Whether `deal` was sold out less than [`MEMORY_MS`] ago.
fn is_sold_out(deal: &DealId) -> bool {
    let now = bindings::now();
    SOLD_OUT_AT.with_borrow(|map| {
        map.get(deal)
            .is_some_and(|at| at.millis_until(now) < MEMORY_MS)
    })
}
