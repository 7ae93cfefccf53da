//! The order once the edge accepted it: its id (which names the shard that holds it), where it
//! stands, and a page of a shopper's orders.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::PricedOrder;
use crate::deal::DealId;

/// An order's id: `<deal id>.<shard>.<32 hex digits>`. The deal and shard inside tell the edge
/// which Durable Object holds the order, so a lookup needs no index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderId(String);

impl OrderId {
    /// Makes the id of a new order in shard `shard` of `deal` from 128 random bits (the
    /// caller's randomness).
    pub fn new(deal: &DealId, shard: u32, random: u128) -> Self {
        OrderId(format!("{deal}.{shard}.{random:032x}"))
    }

    /// Parses an id as found in a URL; `None` when it is not one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let (Some(deal), Some(shard), Some(nonce), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let hex = |b: u8| matches!(b, b'0'..=b'9' | b'a'..=b'f');
        let nonce_ok = nonce.len() == 32 && nonce.bytes().all(hex);
        // Canonical decimal only ("3", not "03"), so one order has one id.
        let shard_ok = shard
            .parse::<u32>()
            .is_ok_and(|n| n < crate::deal::MAX_SHARDS && n.to_string() == shard);
        (nonce_ok && shard_ok && DealId::parse(deal).is_ok()).then(|| OrderId(raw.to_owned()))
    }

    /// The deal this order belongs to.
    pub fn deal_id(&self) -> DealId {
        let deal = self.0.split('.').next().unwrap_or_default();
        DealId::parse(deal).expect("an OrderId always holds a valid deal id")
    }

    /// The shard of its deal that holds this order.
    pub fn shard(&self) -> u32 {
        let shard = self.0.split('.').nth(1).and_then(|s| s.parse().ok());
        shard.expect("an OrderId always holds a shard")
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrderId {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        OrderId::parse(&raw).ok_or_else(|| format!("not an order id: {raw}"))
    }
}

impl From<OrderId> for String {
    fn from(id: OrderId) -> String {
        id.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Stock is held at the edge; the order is on its way to origin.
    Reserved,
    /// Origin has stored the order durably.
    Confirmed,
    /// The order was cancelled and its stock returned.
    Cancelled,
}

impl OrderStatus {
    /// Every status, in the order an order moves through them (a cancellation may come at any
    /// point).
    pub const ALL: [OrderStatus; 3] = [
        OrderStatus::Reserved,
        OrderStatus::Confirmed,
        OrderStatus::Cancelled,
    ];

    /// The status as it travels in JSON and is stored at origin: `reserved`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Reserved => "reserved",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// The status `text` names ([`OrderStatus::as_str`]), or `None`.
    pub fn parse(text: &str) -> Option<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    /// What origin stores for an order that reaches it in this status: being stored at origin
    /// is what "confirmed" means, so a reserved order is stored confirmed.
    pub fn stored_at_origin(self) -> OrderStatus {
        match self {
            OrderStatus::Cancelled => OrderStatus::Cancelled,
            OrderStatus::Reserved | OrderStatus::Confirmed => OrderStatus::Confirmed,
        }
    }
}

/// One page of a shopper's orders, as `GET /api/orders` answers it: newest first, and the
/// cursor of the next page (`?after=<deal>`) when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersPage {
    /// The orders of this page's deals, newest first.
    pub orders: Vec<Order>,
    /// The deal the next page starts after, or `None` on the last page.
    pub next: Option<DealId>,
}

/// An accepted order, as the edge answers it and origin stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Unique id; also the origin's primary key, which makes batch ingest idempotent.
    pub id: OrderId,
    /// Where the order stands.
    pub status: OrderStatus,
    /// What was bought, for whom, at which price.
    #[serde(flatten)]
    pub priced: PricedOrder,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_what_serde_writes() {
        for status in OrderStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("sold"), None);
        assert_eq!(
            OrderStatus::Reserved.stored_at_origin(),
            OrderStatus::Confirmed
        );
    }

    #[test]
    fn order_ids_carry_their_deal_and_shard() {
        let deal = DealId::parse("tea-set").unwrap();
        let id = OrderId::new(&deal, 3, 0xabc);
        assert_eq!(id.as_str(), "tea-set.3.00000000000000000000000000000abc");
        assert_eq!(OrderId::parse(id.as_str()), Some(id.clone()));
        assert_eq!((id.deal_id(), id.shard()), (deal, 3));
        let nonce = "00000000000000000000000000000abc";
        for bad in [
            "tea-set".to_string(),
            "tea-set.0.xyz".into(),
            format!("tea-set.{nonce}"),
            format!(".0.{nonce}"),
            format!("Tea.0.{nonce}"),
            format!("tea-set.03.{nonce}"),
            format!("tea-set.99.{nonce}"),
            format!("tea-set.0.{nonce}.1"),
        ] {
            assert_eq!(OrderId::parse(&bad), None, "{bad}");
        }
    }
}
