//! What a shard stores, one key per record, and the keys' names. Every value is JSON text
//! (but for idempotency records written before they held a fingerprint: a bare order id).

use serde::{Deserialize, Serialize};

use crate::deal::DealId;
use crate::order::{CustomerId, OrderId, OrderStatus, PricedOrder};
use crate::time::UnixMillis;

/// The [`Ledger`](super::Ledger); absent until the shard's first write.
pub const LEDGER_KEY: &str = "ledger";
pub const ORDER_PREFIX: &str = "order:";
pub const IDEMPOTENCY_PREFIX: &str = "key:";
pub const CUSTOMER_PREFIX: &str = "customer:";
/// Orders whose latest state origin has not confirmed.
pub const PENDING_PREFIX: &str = "pending:";
/// Transfers this shard asked a sibling for and has not counted in.
pub const TRANSFER_PREFIX: &str = "transfer:";
/// Transfers this shard lent for, and how many units each.
pub const LENT_PREFIX: &str = "lent:";
/// Batches of orders an earlier version queued for sending; drained, never written now.
pub const LEGACY_OUTBOX_PREFIX: &str = "outbox:";

/// Cancelled orders a customer's record keeps listing (the orders themselves stay stored).
pub const CANCELLED_LISTED: usize = 8;

pub fn order_key(id: &OrderId) -> String {
    format!("{ORDER_PREFIX}{id}")
}

pub fn pending_key(id: &OrderId) -> String {
    format!("{PENDING_PREFIX}{id}")
}

/// Storage key of the record made by this order's (customer, idempotency key).
pub fn idempotency_key(order: &PricedOrder) -> String {
    format!(
        "{IDEMPOTENCY_PREFIX}{}:{}",
        order.customer_id.as_str(),
        order.idempotency_key.as_str()
    )
}

pub fn customer_key(customer: &CustomerId) -> String {
    format!("{CUSTOMER_PREFIX}{}", customer.as_str())
}

pub fn transfer_key(transfer: &str) -> String {
    format!("{TRANSFER_PREFIX}{transfer}")
}

pub fn lent_key(transfer: &str) -> String {
    format!("{LENT_PREFIX}{transfer}")
}

/// What a shard keeps of one customer: the units they hold here (which the limit counts), their
/// open orders and their most recent cancelled ones. It stays bounded whatever the history:
/// open orders hold at least a unit each, so at most the limit; cancelled ones are capped.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub held: u32,
    /// Open orders' ids, oldest first.
    pub orders: Vec<String>,
    /// The last [`CANCELLED_LISTED`] cancelled orders' ids, oldest first.
    #[serde(default)]
    pub cancelled: Vec<String>,
}

impl CustomerRecord {
    /// Takes `quantity` units for order `id`.
    pub fn take(&mut self, id: &OrderId, quantity: u32) {
        self.held += quantity;
        self.orders.push(id.to_string());
    }

    /// Returns the units of cancelled order `id`.
    pub fn give_back(&mut self, id: &OrderId, quantity: u32) {
        self.held = self.held.saturating_sub(quantity);
        self.orders.retain(|open| open != id.as_str());
        self.cancelled.push(id.to_string());
        let over = self.cancelled.len().saturating_sub(CANCELLED_LISTED);
        self.cancelled.drain(..over);
    }

    /// Every order id listed: open ones, then recently cancelled ones.
    pub fn listed(&self) -> Vec<OrderId> {
        self.orders
            .iter()
            .chain(&self.cancelled)
            .filter_map(|id| OrderId::parse(id))
            .collect()
    }
}

/// What one (customer, idempotency key) made: the order, and what it was for — so that the
/// same key with another body is told apart from a replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub order: OrderId,
    pub deal: DealId,
    pub quantity: u32,
}

impl KeyRecord {
    pub fn of(id: &OrderId, order: &PricedOrder) -> Self {
        KeyRecord {
            order: id.clone(),
            deal: order.deal_id.clone(),
            quantity: order.quantity.get(),
        }
    }

    /// Reads a stored record; a bare order id (written before fingerprints) matches any body.
    pub fn parse(stored: &str) -> Option<(OrderId, Option<KeyRecord>)> {
        if stored.starts_with('{') {
            let record: KeyRecord = serde_json::from_str(stored).ok()?;
            Some((record.order.clone(), Some(record)))
        } else {
            OrderId::parse(stored).map(|id| (id, None))
        }
    }

    /// Whether `order` asks for exactly what this key made.
    pub fn matches(&self, order: &PricedOrder) -> bool {
        self.deal == order.deal_id && self.quantity == order.quantity.get()
    }
}

/// An order whose latest state (reserved, or cancelled) origin has not confirmed: when it goes
/// (again) to the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The state origin must confirm.
    pub status: OrderStatus,
    /// When it is next sent.
    pub due: UnixMillis,
    /// Sends so far: each re-send waits twice as long as the one before.
    pub sends: u32,
    /// When this state began waiting for origin (0: written before this was kept).
    #[serde(default)]
    pub since: UnixMillis,
}

/// A first send waits for nothing; a re-send of an unconfirmed order waits this long, doubling
/// per send up to [`RESEND_AT_MOST_MS`], so that a long origin outage does not flood the queue.
pub const RESEND_AT_MOST_MS: i64 = 60 * 60 * 1000;

impl Pending {
    pub fn new(status: OrderStatus, now: UnixMillis) -> Self {
        Pending {
            status,
            due: now,
            sends: 0,
            since: now,
        }
    }

    /// This record after a send at `now`, with re-sends `resend_after_ms` apart at first.
    pub fn sent(self, now: UnixMillis, resend_after_ms: i64) -> Self {
        let wait = resend_after_ms
            .saturating_mul(1 << self.sends.min(20))
            .min(RESEND_AT_MOST_MS);
        Pending {
            due: UnixMillis(now.0 + wait),
            sends: self.sends + 1,
            ..self
        }
    }
}

/// A transfer this shard asked a sibling for: written before asking, removed in the same write
/// that counts the units in. Whatever happens between — a lost reply, a reset — the shard asks
/// the same sibling again with the same id, which answers the same units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub deal: DealId,
    /// The borrower: this shard.
    pub spec: super::ShardSpec,
    pub lender: u32,
    pub want: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> OrderId {
        OrderId::new(&DealId::parse("d").unwrap(), 0, n)
    }

    #[test]
    fn a_customer_record_stays_bounded_over_any_history() {
        let mut record = CustomerRecord::default();
        for n in 0..100 {
            record.take(&id(n), 2);
            record.give_back(&id(n), 2);
        }
        assert_eq!(record.held, 0);
        assert!(record.orders.is_empty());
        assert_eq!(record.cancelled.len(), CANCELLED_LISTED);
        record.take(&id(500), 1);
        assert_eq!(record.listed().len(), CANCELLED_LISTED + 1);
    }

    #[test]
    fn re_sends_back_off_to_an_hour() {
        let now = UnixMillis(0);
        let first = Pending::new(OrderStatus::Reserved, now);
        assert_eq!(first.due, now);
        let once = first.sent(now, 1_000);
        assert_eq!(once.due, UnixMillis(1_000));
        let twice = once.sent(now, 1_000);
        assert_eq!(twice.due, UnixMillis(2_000));
        let mut many = twice;
        for _ in 0..40 {
            many = many.sent(now, 1_000);
        }
        assert_eq!(many.due, UnixMillis(RESEND_AT_MOST_MS));
    }

    #[test]
    fn a_key_record_tells_a_replay_from_a_reuse_and_reads_bare_ids() {
        let stored = id(7);
        let (found, record) = KeyRecord::parse(stored.as_str()).unwrap();
        assert_eq!(found, stored);
        assert!(record.is_none());
        assert!(KeyRecord::parse("{not json").is_none());
    }
}
