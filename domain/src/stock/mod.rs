//! The stock protocol of one deal's shards, as plain Rust: what a `DealStock` Durable Object
//! decides — reservations, per-customer limits, idempotency, cancels, lending between shards, the
//! ledger, the orders origin has not confirmed yet — with no runtime types.
//!
//! A deal's units are split over N shards (`<deal>#<index>`). A customer always lands on the
//! same shard (`Deal::shard_for`), so their keys and units held live in one object, which runs
//! one event at a time. The Worker's shell (`edge/src/stock/shard.rs`) and the simulator
//! (`cargo xtask simulate`) both drive the same [`Shard`] through a [`Host`]: storage, sibling
//! calls, the queue, the alarm, the clock and randomness come in through it, so a seeded,
//! single-threaded world can replay any interleaving and fault.
//!
//! The decisions themselves are pure functions over what storage holds (`reserve`, `records`):
//! they answer the writes to make, which the shard applies in one atomic write.

mod control;
mod host;
mod lending;
mod outbox;
mod pin;
pub mod records;
pub mod reserve;
mod send_window;
mod shard;

use serde::{Deserialize, Serialize};

use crate::deal::{Deal, share_of};
use crate::live::{LiveControl, Stop};
use crate::order::{CustomerId, Order, OrderId, OrderStatus, PricedOrder};

pub use host::{Fault, Host, Writes};
pub use shard::{Shard, Tuning};

/// What a shard needs to know of its deal: the stock and the shard count it pins on its first
/// write, and which shard it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSpec {
    /// The deal's scheduled stock, over all shards.
    pub stock: u32,
    /// Number of shards.
    pub shards: u32,
    /// This shard's index, `0..shards`.
    pub index: u32,
}

impl ShardSpec {
    /// Shard `index` of `deal`.
    pub fn of(deal: &Deal, index: u32) -> Self {
        ShardSpec {
            stock: deal.stock,
            shards: deal.shard_count(),
            index,
        }
    }

    /// The units this shard starts with (the stock split evenly).
    pub fn initial_units(&self) -> u32 {
        share_of(self.stock, self.shards, self.index)
    }

    /// Sibling `index` of the same deal.
    pub fn sibling(&self, index: u32) -> Self {
        ShardSpec { index, ..*self }
    }
}

/// What the Worker (or a sibling shard) asks of a shard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum StockCommand {
    /// Reserve units for each of a batch of priced orders, in order, once per (customer,
    /// idempotency key). Answers one [`Answer`] per order.
    Reserve {
        spec: ShardSpec,
        orders: Vec<PricedOrder>,
        per_customer_limit: u32,
    },
    /// Give up to `want` units to a sibling for transfer `transfer`; the same transfer asked
    /// again answers the same units.
    Lend {
        deal: crate::DealId,
        spec: ShardSpec,
        transfer: String,
        want: u32,
    },
    /// (To shard 0.) The stock and shard count the whole deal serves: pinned by the first
    /// shard to ask, so that every shard of a deal serves the same.
    Pin { spec: ShardSpec },
    /// Cancel the customer's order and return its units, once.
    Cancel { id: OrderId, customer: CustomerId },
    /// Look up an order.
    Lookup { id: OrderId },
    /// The customer's orders held by this shard, newest first.
    CustomerOrders { customer: CustomerId },
    /// Origin holds these orders in (at least) these states.
    Confirm { orders: Vec<(OrderId, OrderStatus)> },
    /// This shard's ledger.
    Ledger { spec: ShardSpec },
    /// What waits for origin here: [`Backlog`].
    Backlog,
    /// Merge a live sale's controls (top-ups, an early end, a pause) into this shard's ledger,
    /// once however often they come: answers the ledger after it, or why the shard refuses.
    Control {
        deal: crate::DealId,
        spec: ShardSpec,
        live: LiveControl,
    },
}

/// The orders (and cancellations) a shard holds that origin has not confirmed yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backlog {
    /// How many (counted up to [`BACKLOG_READ_AT_MOST`]).
    pub waiting: u32,
    /// Whether more wait than were counted.
    pub more: bool,
    /// When the oldest of them began waiting, if known.
    pub oldest_since: Option<crate::time::UnixMillis>,
}

/// `GET /api/ops/backlog`'s answer: the shop's [`Backlog`], and how long its oldest has waited
/// by the edge's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacklogReport {
    #[serde(flatten)]
    pub backlog: Backlog,
    pub oldest_age_ms: Option<i64>,
}

/// Most pending records a backlog reading lists on one shard: bounded, as a console polls it.
pub const BACKLOG_READ_AT_MOST: usize = 1_024;

impl Backlog {
    /// This backlog and `other`'s together (over a deal's shards, or the whole shop's).
    pub fn add(&mut self, other: &Backlog) {
        self.waiting += other.waiting;
        self.more |= other.more;
        self.oldest_since = match (self.oldest_since, other.oldest_since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

impl StockCommand {
    /// The command's name, as counted in `costs::ObjectCosts`.
    pub fn kind(&self) -> &'static str {
        match self {
            StockCommand::Reserve { .. } => "reserve",
            StockCommand::Lend { .. } => "lend",
            StockCommand::Pin { .. } => "pin",
            StockCommand::Cancel { .. } => "cancel",
            StockCommand::Lookup { .. } => "lookup",
            StockCommand::CustomerOrders { .. } => "customer_orders",
            StockCommand::Confirm { .. } => "confirm",
            StockCommand::Ledger { .. } => "ledger",
            StockCommand::Backlog => "backlog",
            StockCommand::Control { .. } => "control",
        }
    }
}

/// One shard's answer to one order of a batch: the reservation, or why the shard failed it.
pub type Answer = Result<Reservation, String>;

/// The answer to [`StockCommand::Reserve`], per order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reservation {
    /// Units held; the order is on its way to origin.
    Accepted { order: Order },
    /// This idempotency key already made this order: here it is, nothing more was reserved.
    Replayed { order: Order },
    /// This idempotency key already made an order with another deal or quantity.
    KeyReused,
    /// Not enough units left for this quantity.
    SoldOut {
        /// Every shard of the deal had no unit left, and none was on its way between two.
        deal_sold_out: bool,
    },
    /// The customer's units in this deal would exceed the limit.
    LimitReached { limit: u32 },
    /// A marketer ended or paused the sale (as this shard's [`LiveControl`] says, on its clock).
    Stopped { why: Stop },
}

/// The answer to [`StockCommand::Cancel`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Cancellation {
    /// Cancelled now, or earlier (cancelling twice changes nothing).
    Cancelled { order: Order },
    /// No such order.
    Unknown,
    /// The order is another customer's.
    NotYours,
}

/// One shard's account of its units. Over all shards of a deal, at every moment:
/// `stock + Σ added_units == Σ stock_left + Σ reserved_units − Σ cancelled_units + in_transit`,
/// where
/// `in_transit = Σ lent_units − Σ borrowed_units ≥ 0` (units a lender gave and its borrower has
/// not counted in yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Units this shard can still sell.
    pub stock_left: u32,
    /// Units in every order this shard accepted.
    pub reserved_units: u32,
    /// Orders this shard accepted.
    pub reserved_orders: u32,
    /// Units returned by cancellations.
    pub cancelled_units: u32,
    /// Orders cancelled.
    pub cancelled_orders: u32,
    /// Units given to siblings.
    pub lent_units: u32,
    /// Units received from siblings.
    pub borrowed_units: u32,
    /// The deal's stock this shard was set up with (0: written by a version that did not pin it).
    #[serde(default)]
    pub stock: u32,
    /// The deal's shard count this shard was set up with (0: not pinned).
    #[serde(default)]
    pub shards: u32,
    /// Units top-ups added to this shard (its part of `live.added_units`).
    #[serde(default)]
    pub added_units: u32,
    /// The live sale's controls as this shard has them.
    #[serde(default)]
    pub live: LiveControl,
}

impl Ledger {
    /// A shard never written: its share of the stock, pinned to `spec`.
    pub fn fresh(spec: ShardSpec) -> Self {
        Ledger {
            stock_left: spec.initial_units(),
            stock: spec.stock,
            shards: spec.shards,
            ..Ledger::default()
        }
    }

    /// Whether `spec` is the deal this shard serves. A shard never serves another stock or shard
    /// count than the one it started with: a changed count would remap customers (splitting
    /// their limit and keys), a changed stock would double count. A ledger from before pinning
    /// takes the first spec it is asked with.
    pub fn serves(&self, spec: ShardSpec) -> bool {
        self.shards == 0 || (self.stock == spec.stock && self.shards == spec.shards)
    }

    /// This ledger with `live` merged in: a larger top-up total adds this shard's part of the
    /// difference to its units (so a total seen twice adds once), the end and pause are kept.
    pub fn with_live(mut self, live: LiveControl, index: u32) -> Self {
        self.live = self.live.merge(live);
        let part = self.live.added_share(self.shards.max(1), index);
        let more = part.saturating_sub(self.added_units);
        self.stock_left += more;
        self.added_units += more;
        self
    }

    /// This ledger, pinned to `spec` if it was not yet.
    pub fn pinned(mut self, spec: ShardSpec) -> Self {
        if self.shards == 0 {
            self.stock = spec.stock;
            self.shards = spec.shards;
        }
        self
    }
}

/// Why a shard refuses a command outright.
pub fn spec_changed(ledger: &Ledger, spec: ShardSpec) -> String {
    format!(
        "the schedule changed under this shard: it serves stock {} over {} shards, asked for {} \
         over {}",
        ledger.stock, ledger.shards, spec.stock, spec.shards
    )
}

/// Units some shard of a deal has lent and its borrower has not yet counted in, over the ledgers
/// of all the deal's shards. Signed: ledgers read one after another may see a borrower's side
/// before its lender's, which shows as less than zero — "nothing in transit" to the lending
/// rules, and worth seeing in a reconciliation.
pub fn units_in_transit(ledgers: &[Ledger]) -> i64 {
    let lent: i64 = ledgers
        .iter()
        .map(|ledger| i64::from(ledger.lent_units))
        .sum();
    let borrowed: i64 = ledgers
        .iter()
        .map(|ledger| i64::from(ledger.borrowed_units))
        .sum();
    lent - borrowed
}

/// The Durable Object name of shard `index` of `deal`.
pub fn shard_name(deal: &crate::DealId, index: u32) -> String {
    format!("{deal}#{index}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_lent_but_not_yet_borrowed_are_in_transit() {
        let lender = Ledger {
            lent_units: 3,
            ..Ledger::default()
        };
        let borrower = Ledger {
            borrowed_units: 1,
            ..Ledger::default()
        };
        assert_eq!(units_in_transit(&[lender, borrower]), 2);
        let settled = Ledger {
            borrowed_units: 3,
            ..Ledger::default()
        };
        assert_eq!(units_in_transit(&[lender, settled]), 0);
        assert_eq!(units_in_transit(&[]), 0);
        let counted_before_its_lender = Ledger {
            borrowed_units: 2,
            ..Ledger::default()
        };
        assert_eq!(units_in_transit(&[counted_before_its_lender]), -2);
    }

    #[test]
    fn a_shard_serves_only_the_spec_it_pinned() {
        let spec = ShardSpec {
            stock: 10,
            shards: 2,
            index: 1,
        };
        let ledger = Ledger::fresh(spec);
        assert_eq!(ledger.stock_left, 5);
        assert!(ledger.serves(spec));
        assert!(!ledger.serves(ShardSpec { stock: 12, ..spec }));
        assert!(!ledger.serves(ShardSpec { shards: 3, ..spec }));
        let old = Ledger {
            stock_left: 4,
            ..Ledger::default()
        };
        assert!(old.serves(ShardSpec { stock: 99, ..spec }));
        assert_eq!(old.pinned(spec).stock, 10);
        assert_eq!(ledger.pinned(ShardSpec { stock: 1, ..spec }).stock, 10);
    }
}
