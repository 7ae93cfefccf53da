//! Orders: the request a shopper sends, its validation against the schedule, and the order that
//! results.
//!
//! Parse, don't validate: the raw JSON becomes an [`OrderRequest`] of newtypes at the boundary,
//! then [`PricedOrder::price`] checks it against the deal and the edge's clock. Inside, a value
//! that exists is valid. What an accepted order is (its id, its status) is in `placed.rs`.

use serde::{Deserialize, Serialize};

use crate::deal::{Deal, DealId, SaleState};
use crate::refusal::{MAX_ORDER_BODY_BYTES, Refusal};
use crate::time::UnixMillis;

mod placed;
pub use placed::{Order, OrderId, OrderStatus, OrdersPage};

/// Units in one order: at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(u32);

impl Quantity {
    /// Accepts 1..=u32::MAX; anything else is [`Refusal::InvalidQuantity`].
    pub fn new(raw: i64) -> Result<Self, Refusal> {
        match u32::try_from(raw) {
            Ok(n) if n >= 1 => Ok(Quantity(n)),
            _ => Err(Refusal::InvalidQuantity),
        }
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// Checks a token of `A-Z a-z 0-9 - _` whose length lies in `len`.
fn is_token(raw: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The client's name for one purchase attempt: a retry with the same key gets the same order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Accepts 8–64 characters of `A-Z a-z 0-9 - _` (a UUID fits), optionally after the id of
    /// the deal the key is for and a dot: `<deal>.<8–64 characters>` (see [`Self::deal`]).
    pub fn new(raw: &str) -> Result<Self, Refusal> {
        let own = match raw.split_once('.') {
            Some((deal, own)) if DealId::parse(deal).is_ok() => own,
            Some(_) => return Err(Refusal::InvalidIdempotencyKey),
            None => raw,
        };
        if is_token(own, 8..=64) {
            Ok(IdempotencyKey(raw.to_owned()))
        } else {
            Err(Refusal::InvalidIdempotencyKey)
        }
    }

    /// The text of a key for `deal` alone, `own` being 8–64 of the key's characters (a UUID):
    /// what the storefront sends (see [`Self::deal`]).
    pub fn naming(deal: &str, own: &str) -> String {
        // Pushed rather than `format!`ed or joined: those cost the storefront's Wasm ~350 bytes.
        let mut key = String::with_capacity(deal.len() + 1 + own.len());
        key.push_str(deal);
        key.push('.');
        key.push_str(own);
        key
    }

    /// The deal a key names, as the storefront's keys do (`<deal>.<uuid>`). Such a key is for
    /// that deal only — [`OrderRequest::parse`] refuses it for another — so its deal's shard,
    /// which holds every order of the customer in the deal, tells a retry from a reuse alone:
    /// the edge claims only keys that name no deal across deals (`key_claims`), and the
    /// storefront's orders cost no claim.
    pub fn deal(&self) -> Option<&str> {
        self.0.split_once('.').map(|(deal, _)| deal)
    }

    /// Whether the key may be used on `deal`: it names no deal, or that one.
    pub fn may_serve(&self, deal: &DealId) -> bool {
        self.deal().is_none_or(|named| named == deal.as_str())
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who buys: the customer an order and its per-customer limit count against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerId(String);

impl CustomerId {
    /// Accepts 1–64 characters of `A-Z a-z 0-9 - _`; `None` otherwise. Customer ids come from
    /// the edge's signed session, never from a request body.
    pub fn new(raw: &str) -> Option<Self> {
        is_token(raw, 1..=64).then(|| CustomerId(raw.to_owned()))
    }

    /// A new customer id from 128 random bits (the caller's randomness).
    pub fn from_random(random: u128) -> Self {
        CustomerId(format!("c{random:032x}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Which of `buckets` places this customer's state lives in: always the same one. FNV-1a,
    /// stable across builds and platforms.
    pub fn bucket(&self, buckets: u32) -> u32 {
        let hash = self.0.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        (hash % u64::from(buckets.max(1))) as u32
    }
}

/// The JSON a client posts to `/api/orders`, exactly; any other field is refused — a price or
/// a customer id in the body is an `unknown_field`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderRequestWire {
    deal_id: String,
    quantity: i64,
    idempotency_key: String,
    sale_token: String,
}

/// A well-formed order request, not yet checked against the schedule. The customer is not in
/// it: the edge takes the customer from the signed session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    /// The deal asked for.
    pub deal_id: DealId,
    /// Units asked for.
    pub quantity: Quantity,
    /// The purchase attempt's key.
    pub idempotency_key: IdempotencyKey,
    /// The sale token the catalog handed this session (checked by the edge).
    pub sale_token: String,
}

impl OrderRequest {
    /// Parses a request body. Cheapest checks first: size, then JSON shape, then each value.
    pub fn parse(body: &[u8]) -> Result<Self, Refusal> {
        if body.len() > MAX_ORDER_BODY_BYTES {
            return Err(Refusal::BodyTooLarge);
        }
        let wire: OrderRequestWire = serde_json::from_slice(body).map_err(refusal_for_json)?;
        let request = OrderRequest {
            // An id outside the alphabet cannot name a scheduled deal.
            deal_id: DealId::parse(&wire.deal_id).map_err(|_| Refusal::UnknownDeal)?,
            quantity: Quantity::new(wire.quantity)?,
            idempotency_key: IdempotencyKey::new(&wire.idempotency_key)?,
            sale_token: wire.sale_token,
        };
        // A key that names a deal is that deal's: for another it is a key reused.
        if !request.idempotency_key.may_serve(&request.deal_id) {
            return Err(Refusal::IdempotencyKeyReused);
        }
        Ok(request)
    }
}

/// Maps serde_json's error to a refusal. serde's messages for data errors are stable
/// ("missing field `x`", "unknown field `x`", "invalid type: …"); the tests pin them.
fn refusal_for_json(err: serde_json::Error) -> Refusal {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => Refusal::MalformedJson,
        Category::Data => {
            let text = err.to_string();
            let quoted = || text.split('`').nth(1).unwrap_or_default().to_owned();
            if text.starts_with("missing field") {
                Refusal::MissingField(quoted())
            } else if text.starts_with("unknown field") {
                Refusal::UnknownField(quoted())
            } else if text.starts_with("invalid type") || text.starts_with("invalid value") {
                // Keep serde's words up to the position suffix: "invalid type: string \"2\",
                // expected i64".
                let detail = text.split(" at line ").next().unwrap_or_default();
                Refusal::WrongType(detail.to_owned())
            } else {
                Refusal::MalformedJson
            }
        }
    }
}

/// An order request checked against its deal at the edge's clock, with the price the schedule
/// sets. The client never names a price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedOrder {
    /// The deal bought.
    pub deal_id: DealId,
    /// Who buys.
    pub customer_id: CustomerId,
    /// The purchase attempt's key.
    pub idempotency_key: IdempotencyKey,
    /// Units.
    pub quantity: Quantity,
    /// The deal's sale price per unit, in minor units.
    pub unit_price_minor: i64,
    /// `quantity × unit_price_minor`.
    pub total_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The edge's clock when the order was priced.
    pub priced_at: UnixMillis,
}

impl PricedOrder {
    /// Checks `customer`'s request against `deal` at `now` and prices it from the schedule.
    pub fn price(
        request: OrderRequest,
        customer: CustomerId,
        deal: &Deal,
        now: UnixMillis,
    ) -> Result<Self, Refusal> {
        if request.deal_id != deal.id {
            return Err(Refusal::UnknownDeal);
        }
        match deal.state_at(now) {
            SaleState::Upcoming => return Err(Refusal::SaleNotOpen),
            SaleState::Ended => return Err(Refusal::SaleEnded),
            SaleState::Open => {}
        }
        if request.quantity.get() > deal.per_customer_limit {
            return Err(Refusal::OverLimit {
                limit: deal.per_customer_limit,
            });
        }
        let total_minor = deal
            .price_minor
            .checked_mul(i64::from(request.quantity.get()))
            .ok_or(Refusal::OverLimit {
                limit: deal.per_customer_limit,
            })?;
        Ok(PricedOrder {
            deal_id: request.deal_id,
            customer_id: customer,
            idempotency_key: request.idempotency_key,
            quantity: request.quantity,
            unit_price_minor: deal.price_minor,
            total_minor,
            currency: deal.currency.clone(),
            priced_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::deal::tests::sample_deal;

    fn body(deal: &str, quantity: &str) -> String {
        format!(
            r#"{{"deal_id":"{deal}","quantity":{quantity},"idempotency_key":"key-12345678","sale_token":"t"}}"#
        )
    }

    fn buyer() -> CustomerId {
        CustomerId::new("c1").unwrap()
    }

    fn code_of(body: &str) -> &'static str {
        OrderRequest::parse(body.as_bytes()).unwrap_err().code()
    }

    #[test]
    fn each_malformation_has_its_own_code() {
        assert_eq!(code_of("{not json"), "malformed_json");
        assert_eq!(code_of(""), "malformed_json");
        assert_eq!(
            code_of(r#"{"deal_id":"lantern","quantity":1,"idempotency_key":"key-12345678"}"#),
            "missing_field"
        );
        assert_eq!(code_of(&body("lantern", r#""2""#)), "wrong_type");
        assert_eq!(code_of(&body("lantern", "1.5")), "wrong_type");
        assert_eq!(code_of(&body("lantern", "0")), "invalid_quantity");
        assert_eq!(code_of(&body("lantern", "-3")), "invalid_quantity");
        assert_eq!(code_of(&body("Not A Deal", "1")), "unknown_deal");
        let with_price = body("lantern", "1").replace('}', r#","unit_price_minor":1}"#);
        assert_eq!(code_of(&with_price), "unknown_field");
        let with_customer = body("lantern", "1").replace('}', r#","customer_id":"c2"}"#);
        assert_eq!(code_of(&with_customer), "unknown_field");
        let huge = format!(
            "{}{}",
            body("lantern", "1"),
            " ".repeat(MAX_ORDER_BODY_BYTES)
        );
        assert_eq!(code_of(&huge), "body_too_large");
    }

    #[test]
    fn a_key_may_name_its_deal_and_then_serves_no_other() {
        let keyed = |deal: &str, key: &str| {
            format!(
                r#"{{"deal_id":"{deal}","quantity":1,"idempotency_key":"{key}","sale_token":"t"}}"#
            )
        };
        let uuid = "0b8e0c1e-8a4f-4d3c-9f7e-2f6f5b1c9a10";
        let named = OrderRequest::parse(
            keyed("lantern", &IdempotencyKey::naming("lantern", uuid)).as_bytes(),
        );
        assert_eq!(named.unwrap().idempotency_key.deal(), Some("lantern"));
        let plain = OrderRequest::parse(keyed("lantern", uuid).as_bytes());
        assert_eq!(plain.unwrap().idempotency_key.deal(), None);
        let other = keyed("kite", &format!("lantern.{uuid}"));
        assert_eq!(code_of(&other), "idempotency_key_reused");
        for bad in [
            "lantern.short",
            ".key-12345678",
            "Lantern.key-12345678",
            "a.b.key-12345678",
        ] {
            assert_eq!(
                code_of(&keyed("lantern", bad)),
                "invalid_idempotency_key",
                "{bad}"
            );
        }
    }

    #[test]
    fn refusals_name_the_field() {
        let missing = OrderRequest::parse(br#"{"deal_id":"a","quantity":1,"sale_token":"t"}"#);
        assert_eq!(
            missing,
            Err(Refusal::MissingField("idempotency_key".into()))
        );
    }

    #[test]
    fn pricing_takes_the_schedule_and_the_window() {
        let deal = sample_deal();
        let request = || OrderRequest::parse(body("lantern", "2").as_bytes()).unwrap();
        let priced = PricedOrder::price(request(), buyer(), &deal, UnixMillis(5_000)).unwrap();
        assert_eq!(
            (priced.unit_price_minor, priced.total_minor),
            (7_500, 15_000)
        );
        assert_eq!(priced.currency, "USD");
        assert_eq!(
            PricedOrder::price(request(), buyer(), &deal, UnixMillis(999)),
            Err(Refusal::SaleNotOpen)
        );
        assert_eq!(
            PricedOrder::price(request(), buyer(), &deal, UnixMillis(10_000)),
            Err(Refusal::SaleEnded)
        );
        let three = OrderRequest::parse(body("lantern", "3").as_bytes()).unwrap();
        assert_eq!(
            PricedOrder::price(three, buyer(), &deal, UnixMillis(5_000)),
            Err(Refusal::OverLimit { limit: 2 })
        );
    }

    proptest! {
        /// Whatever bytes arrive, parsing answers Ok or a 4xx refusal and never panics.
        #[test]
        fn any_body_gets_a_4xx_or_parses(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Err(refusal) = OrderRequest::parse(&bytes) {
                prop_assert!((400..500).contains(&refusal.http_status()));
            }
        }

        /// Pricing accepts exactly the quantities 1..=limit while the sale is open, and the total
        /// is always quantity × the schedule's price.
        #[test]
        fn pricing_holds_limit_window_and_price(
            quantity in -5i64..20,
            limit in 1u32..10,
            now in 0i64..12_000,
            price in 1i64..1_000_000,
        ) {
            let deal = Deal { per_customer_limit: limit, price_minor: price, was_price_minor: price + 1, ..sample_deal() };
            let parsed = OrderRequest::parse(body("lantern", &quantity.to_string()).as_bytes());
            match parsed {
                Err(refusal) => prop_assert!(quantity < 1 && refusal == Refusal::InvalidQuantity),
                Ok(request) => {
                    let result = PricedOrder::price(request, buyer(), &deal, UnixMillis(now));
                    let open = (1_000..10_000).contains(&now);
                    match result {
                        Ok(order) => {
                            prop_assert!(open && quantity as u32 <= limit);
                            prop_assert_eq!(order.total_minor, quantity * price);
                            prop_assert_eq!(order.unit_price_minor, price);
                        }
                        Err(Refusal::SaleNotOpen) => prop_assert!(now < 1_000),
                        Err(Refusal::SaleEnded) => prop_assert!(now >= 10_000),
                        Err(Refusal::OverLimit { .. }) => prop_assert!(open && quantity as u32 > limit),
                        Err(other) => prop_assert!(false, "unexpected {other:?}"),
                    }
                }
            }
        }
    }
}
