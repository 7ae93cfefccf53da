//! Fuzzing the JSON documents the services exchange — a marketer's deals, the catalog, the
//! batch of orders sent to origin — and the rules computed from a deal once it is read.

use proptest::prelude::*;

use super::{bytes, config, customer_id, deal_id, edits, mutate, wild_i64};
use crate::availability::{self, Availability};
use crate::deal::{Deal, MAX_SHARDS, share_of};
use crate::money::{discount_percent, format_plain};
use crate::order::{
    IdempotencyKey, Order, OrderId, OrderRequest, OrderStatus, PricedOrder, Quantity,
};
use crate::time::UnixMillis;
use crate::{BatchReceipt, Catalog, CustomerId, OrderBatch};

/// A u32 at the edges as often as anywhere.
fn wild_u32() -> impl Strategy<Value = u32> {
    prop_oneof![any::<u32>(), 0..40u32, Just(u32::MAX)]
}

/// Any deal a JSON document can hold: valid or not by the schedule's rules.
fn deal() -> impl Strategy<Value = Deal> {
    let text = (deal_id(), "(?s).{0,130}", "(?s).{0,20}", "(?s).{0,20}");
    let prices = (
        wild_i64(),
        wild_i64(),
        prop_oneof!["[A-Z]{3}", "(?s).{0,4}"],
    );
    let window = (wild_i64(), wild_i64());
    let stock = (wild_u32(), wild_u32(), wild_u32());
    (text, prices, window, stock).prop_map(
        |(
            (id, name, description, image_url),
            (price, was, currency),
            (start, end),
            (stock, limit, shards),
        )| Deal {
            id,
            name,
            description,
            image_url,
            price_minor: price,
            was_price_minor: was,
            currency,
            stock,
            starts_at: UnixMillis(start),
            ends_at: UnixMillis(end),
            per_customer_limit: limit,
            shards,
            translations: Default::default(),
        },
    )
}

/// Any order the edge could put in a batch.
fn order() -> impl Strategy<Value = Order> {
    let id = (deal_id(), 0..MAX_SHARDS, any::<u128>());
    let who = (customer_id(), "[A-Za-z0-9_-]{8,64}", 1..=u32::MAX);
    let money = (wild_i64(), wild_i64(), "[A-Z]{3}", wild_i64());
    let status = prop_oneof![
        Just(OrderStatus::Reserved),
        Just(OrderStatus::Confirmed),
        Just(OrderStatus::Cancelled)
    ];
    (id, who, money, status).prop_map(
        |(
            (deal, shard, random),
            (customer, key, quantity),
            (unit, total, currency, at),
            status,
        )| Order {
            id: OrderId::new(&deal, shard, random),
            status,
            priced: PricedOrder {
                deal_id: deal,
                customer_id: customer,
                idempotency_key: IdempotencyKey::new(&key).expect("the regex is the rule"),
                quantity: Quantity::new(quantity.into()).expect("at least 1"),
                unit_price_minor: unit,
                total_minor: total,
                currency,
                priced_at: UnixMillis(at),
            },
        },
    )
}

/// Everything computed from a deal once read: none of it may panic, whatever the deal holds,
/// and the sharding must split the stock exactly.
fn check_rules(
    deal: &Deal,
    now: UnixMillis,
    customer: &CustomerId,
    quantity: u32,
) -> Result<(), TestCaseError> {
    let valid = deal.schedule_problems(now).is_empty();
    let shards = deal.shard_count();
    prop_assert!((1..=MAX_SHARDS).contains(&shards));
    prop_assert!(deal.shard_for(customer) < shards);
    let split: u64 = (0..shards)
        .map(|i| u64::from(share_of(deal.stock, shards, i)))
        .sum();
    prop_assert_eq!(split, u64::from(deal.stock));
    let off = discount_percent(deal.price_minor, deal.was_price_minor);
    prop_assert!(off <= 100);
    if valid {
        prop_assert!(shards <= deal.stock && off < 100);
    }
    let _ = format_plain(deal.price_minor, &deal.currency);
    let left = deal.stock.saturating_sub(quantity);
    let _ = (
        Availability::of(deal, left, now),
        availability::stock_percent(left, deal.stock),
    );
    let request = OrderRequest {
        deal_id: deal.id.clone(),
        quantity: Quantity::new(quantity.into()).expect("at least 1"),
        idempotency_key: IdempotencyKey::new("key-12345678").expect("valid"),
        sale_token: String::new(),
    };
    if let Ok(priced) = PricedOrder::price(request, customer.clone(), deal, now) {
        prop_assert_eq!(
            i128::from(priced.total_minor),
            i128::from(deal.price_minor) * i128::from(quantity)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Any bytes, read as any of the documents the services exchange, are refused or read.
    #[test]
    fn fuzz_json_documents_take_any_bytes(bytes in bytes()) {
        let _ = serde_json::from_slice::<Deal>(&bytes);
        let _ = serde_json::from_slice::<Vec<Deal>>(&bytes);
        let _ = serde_json::from_slice::<Catalog>(&bytes);
        let _ = serde_json::from_slice::<OrderBatch>(&bytes);
        let _ = serde_json::from_slice::<BatchReceipt>(&bytes);
    }

    /// Deals round-trip through JSON; mutated, they are refused or read, and every rule holds
    /// on whatever is read.
    #[test]
    fn fuzz_deals_json_and_rules(
        deals in prop::collection::vec(deal(), 0..3),
        edits in edits(),
        (now, customer, quantity) in (wild_i64(), customer_id(), 1..=u32::MAX),
    ) {
        let now = UnixMillis(now);
        let text = serde_json::to_vec(&deals).expect("deals serialise");
        prop_assert_eq!(serde_json::from_slice::<Vec<Deal>>(&text).ok(), Some(deals.clone()));
        for deal in &deals {
            check_rules(deal, now, &customer, quantity)?;
        }
        if let Ok(read) = serde_json::from_slice::<Vec<Deal>>(&mutate(text, &edits)) {
            for deal in &read {
                check_rules(deal, now, &customer, quantity)?;
            }
        }
    }

    /// A batch round-trips through JSON; mutated, it is refused or read, and what is read
    /// round-trips too.
    #[test]
    fn fuzz_order_batch_json(orders in prop::collection::vec(order(), 0..4), edits in edits()) {
        let batch = OrderBatch { orders };
        let text = serde_json::to_vec(&batch).expect("a batch serialises");
        prop_assert_eq!(serde_json::from_slice::<OrderBatch>(&text).ok(), Some(batch));
        if let Ok(read) = serde_json::from_slice::<OrderBatch>(&mutate(text, &edits)) {
            let again = serde_json::to_vec(&read).expect("a batch serialises");
            prop_assert_eq!(serde_json::from_slice::<OrderBatch>(&again).ok(), Some(read));
        }
    }
}
