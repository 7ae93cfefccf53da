//! The batch of accepted orders that the edge's queue consumer sends to origin, and the
//! HMAC-SHA256 signature that proves the edge sent it.
//!
//! The signature covers `"<timestamp ms>.<body>"`, so a captured body cannot be replayed under a
//! new timestamp, and origin refuses timestamps outside [`SIGNATURE_MAX_AGE_MS`]. A GET to origin
//! (the catalog) has no body: its signature covers the path and query instead
//! (`"<timestamp ms>.<path>"`), so a captured signature opens no other route.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use std::collections::BTreeMap;

use crate::deal::DealId;
use crate::order::{Order, OrderId, OrderStatus};
use crate::time::UnixMillis;

/// Most orders in one batch (a Cloudflare Queue delivers at most 100 messages at once).
pub const MAX_BATCH_ORDERS: usize = 100;
/// Header carrying the hex HMAC-SHA256 signature.
pub const SIGNATURE_HEADER: &str = "x-festival-signature";
/// Header carrying the signing time, in Unix milliseconds.
pub const TIMESTAMP_HEADER: &str = "x-festival-timestamp";
/// How far a signature's timestamp may lie from the verifier's clock, either way.
pub const SIGNATURE_MAX_AGE_MS: i64 = 5 * 60 * 1000;

/// Accepted orders on their way from the edge to origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderBatch {
    /// The orders, at most [`MAX_BATCH_ORDERS`].
    pub orders: Vec<Order>,
}

/// Origin's answer to a batch: which orders it stored now and which it already had.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BatchReceipt {
    /// Orders written by this batch.
    pub stored: Vec<OrderId>,
    /// Orders that an earlier delivery had already written (a retry or a duplicate message).
    pub already_stored: Vec<OrderId>,
}

/// Most bytes in one queue message (Cloudflare Queues take 128 KB a message).
pub const MAX_MESSAGE_BYTES: usize = 120_000;

/// The queue messages that carry `orders` (their JSON texts, as a shard stores them): a JSON
/// list of orders each, at most [`MAX_BATCH_ORDERS`] orders and [`MAX_MESSAGE_BYTES`] a
/// message. One message per shard send, not per order: a queue takes about 5,000 messages a
/// second, so orders per message multiply what one queue carries.
pub fn messages_of(orders: &[String]) -> Vec<String> {
    let mut messages = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut bytes = 2;
    for order in orders {
        let full = current.len() == MAX_BATCH_ORDERS || bytes + order.len() + 1 > MAX_MESSAGE_BYTES;
        if full && !current.is_empty() {
            messages.push(format!("[{}]", current.join(",")));
            (current, bytes) = (Vec::new(), 2);
        }
        bytes += order.len() + 1;
        current.push(order);
    }
    if !current.is_empty() {
        messages.push(format!("[{}]", current.join(",")));
    }
    messages
}

/// The orders one queue message carries: a JSON list of orders, or one order (as an earlier
/// version sent them); `None` for anything else.
pub fn orders_in_message(body: &str) -> Option<Vec<Order>> {
    match serde_json::from_str::<Vec<Order>>(body) {
        Ok(orders) => Some(orders),
        Err(_) => serde_json::from_str::<Order>(body)
            .ok()
            .map(|order| vec![order]),
    }
}

/// Each order's state as sent to origin: what origin holds (at least) once it stored them. An
/// order sent twice, reserved and cancelled, is held cancelled: origin never lets a sale
/// overwrite a cancellation.
pub fn sent_states(orders: &[Order]) -> BTreeMap<OrderId, OrderStatus> {
    let mut states = BTreeMap::new();
    for order in orders {
        let state = states.entry(order.id.clone()).or_insert(order.status);
        if order.status == OrderStatus::Cancelled {
            *state = OrderStatus::Cancelled;
        }
    }
    states
}

/// What each shard is told once origin answered `receipt` for orders sent in `sent` states
/// (see [`sent_states`]): per (deal, shard), the orders origin holds and in which state.
pub fn confirmations(
    sent: &BTreeMap<OrderId, OrderStatus>,
    receipt: BatchReceipt,
) -> BTreeMap<(DealId, u32), Vec<(OrderId, OrderStatus)>> {
    let mut by_shard: BTreeMap<(DealId, u32), Vec<(OrderId, OrderStatus)>> = BTreeMap::new();
    for id in receipt.stored.into_iter().chain(receipt.already_stored) {
        if let Some(&status) = sent.get(&id) {
            by_shard
                .entry((id.deal_id(), id.shard()))
                .or_default()
                .push((id, status));
        }
    }
    by_shard
}

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Signature or timestamp header absent or not parseable.
    #[error("the request is not signed")]
    Missing,
    /// Timestamp too far from the verifier's clock.
    #[error("the signature is too old or from the future")]
    Stale,
    /// The signature does not match the body and timestamp.
    #[error("the signature does not match")]
    Mismatch,
}

impl SignatureError {
    /// Stable code for the error body.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Missing => "unsigned",
            SignatureError::Stale => "stale_signature",
            SignatureError::Mismatch => "bad_signature",
        }
    }
}

fn mac(secret: &[u8], timestamp: UnixMillis, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.0.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Signs `body` at `timestamp`: the hex HMAC-SHA256 for [`SIGNATURE_HEADER`].
pub fn sign(secret: &[u8], timestamp: UnixMillis, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

/// Verifies the two header values against `body` at the verifier's clock `now`, in constant time.
pub fn verify(
    secret: &[u8],
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    now: UnixMillis,
) -> Result<(), SignatureError> {
    let timestamp = timestamp_header
        .and_then(|t| t.parse::<i64>().ok())
        .map(UnixMillis)
        .ok_or(SignatureError::Missing)?;
    let signature = signature_header
        .and_then(|s| hex::decode(s).ok())
        .ok_or(SignatureError::Missing)?;
    // `unsigned_abs`: the difference saturates at i64::MIN for a timestamp near the end of the
    // range, and `abs` of that overflows (a panic in a debug build).
    if now.millis_until(timestamp).unsigned_abs() > SIGNATURE_MAX_AGE_MS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    mac(secret, timestamp, body)
        .verify_slice(&signature)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"edge-secret";
    const NOW: UnixMillis = UnixMillis(1_700_000_000_000);

    fn check(ts: UnixMillis, sig: &str, body: &[u8]) -> Result<(), SignatureError> {
        verify(SECRET, Some(&ts.0.to_string()), Some(sig), body, NOW)
    }

    fn order_json(n: u128) -> String {
        let deal = DealId::parse("lantern").unwrap();
        let order = serde_json::json!({
            "id": OrderId::new(&deal, 0, n),
            "status": "reserved",
            "deal_id": "lantern",
            "customer_id": "c1",
            "idempotency_key": "key-00000001",
            "quantity": 1,
            "unit_price_minor": 100,
            "total_minor": 100,
            "currency": "USD",
            "priced_at": 5,
        });
        order.to_string()
    }

    #[test]
    fn orders_travel_a_hundred_to_a_message_and_read_back() {
        let orders: Vec<String> = (0..250).map(order_json).collect();
        let messages = messages_of(&orders);
        assert_eq!(messages.len(), 3);
        let read: Vec<Order> = messages
            .iter()
            .flat_map(|message| orders_in_message(message).unwrap())
            .collect();
        assert_eq!(read.len(), 250);
        assert!(messages.iter().all(|m| m.len() <= MAX_MESSAGE_BYTES));
        assert!(messages_of(&[]).is_empty());
        // A message from an earlier version carries one order, not a list.
        assert_eq!(orders_in_message(&orders[0]).unwrap().len(), 1);
        assert!(orders_in_message("[not json").is_none());
    }

    #[test]
    fn a_message_never_passes_its_byte_limit() {
        let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(50_000));
        let messages = messages_of(&[big.clone(), big.clone(), big]);
        assert_eq!(messages.len(), 2);
        assert!(messages.iter().all(|m| m.len() <= MAX_MESSAGE_BYTES));
    }

    #[test]
    fn a_fresh_signature_verifies() {
        let sig = sign(SECRET, NOW, b"{}");
        assert_eq!(sig.len(), 64);
        assert_eq!(
            check(
                NOW.plus_millis(-60_000),
                &sign(SECRET, NOW.plus_millis(-60_000), b"{}"),
                b"{}"
            ),
            Ok(())
        );
        assert_eq!(check(NOW, &sig, b"{}"), Ok(()));
    }

    #[test]
    fn tampering_staleness_and_absence_are_refused() {
        let sig = sign(SECRET, NOW, b"{}");
        assert_eq!(check(NOW, &sig, b"{ }"), Err(SignatureError::Mismatch));
        assert_eq!(
            check(NOW, &sign(b"other", NOW, b"{}"), b"{}"),
            Err(SignatureError::Mismatch)
        );
        // The same signature under another timestamp is a different message.
        assert_eq!(
            check(NOW.plus_millis(1), &sig, b"{}"),
            Err(SignatureError::Mismatch)
        );
        let old = NOW.plus_millis(-SIGNATURE_MAX_AGE_MS - 1);
        assert_eq!(
            check(old, &sign(SECRET, old, b"{}"), b"{}"),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, None, Some(&sig), b"{}", NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some("x"), Some(&sig), b"{}", NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(check(NOW, "zz", b"{}"), Err(SignatureError::Missing));
    }

    /// Found by `fuzz_batch_verify_any_headers`: a timestamp of i64::MIN panicked in `abs`.
    #[test]
    fn a_timestamp_at_the_end_of_the_range_is_stale() {
        let sig = sign(SECRET, NOW, b"{}");
        for (ts, now) in [(i64::MIN, 0), (i64::MIN, NOW.0), (i64::MAX, i64::MIN)] {
            let ts = ts.to_string();
            assert_eq!(
                verify(SECRET, Some(&ts), Some(&sig), b"{}", UnixMillis(now)),
                Err(SignatureError::Stale),
                "timestamp {ts} at {now}"
            );
        }
    }
}
