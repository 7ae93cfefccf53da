//! A shopper's order list asks only the shards that hold their orders: the deals they ordered
//! in, as their `KeyClaims` object lists them, not one shard of every deal ever scheduled.

use std::sync::Arc;

use libtest_mimic::Failed;
use reqwest::Method;
use serde_json::Value;

use crate::stack::{Stack, check, order_body};

/// Deals scheduled; the shopper orders in the first only.
const DEALS: usize = 6;

/// With the index removed (one shard per scheduled deal), the list asks at least [`DEALS`]
/// shards; with it, one — plus what a concurrent test's list may ask meanwhile.
pub async fn my_orders_ask_only_the_deals_ordered_in(stack: Arc<Stack>) -> Result<(), Failed> {
    let mut deals = Vec::new();
    for i in 0..DEALS {
        deals.push(
            stack
                .schedule_open(&format!("e2e-listed-{i}"), 5, 1)
                .await?,
        );
    }
    let shopper = stack.shopper().await?;
    let body = order_body(&deals[0], 1, "listed-key-0001", &shopper);
    let (status, order) = stack.post_order(&shopper, &body).await?;
    check(status == 202, format!("the order: {status} {order}"))?;

    let before = stack.ops_costs().await?;
    let (status, mine) = stack.call(&shopper, Method::GET, "/api/orders").await?;
    let after = stack.ops_costs().await?;
    let asked = |report: &Value| report["deal_stock"]["requests"]["customer_orders"].as_u64();
    let shards_asked = asked(&after).unwrap_or(0) - asked(&before).unwrap_or(0);
    let listed = mine["orders"].as_array().map_or(0, Vec::len);
    check(
        status == 200 && listed == 1 && mine["orders"][0]["id"] == order["id"],
        format!("the list: {status} {mine}"),
    )?;
    check(
        mine["next"].is_null(),
        format!("one page: {}", mine["next"]),
    )?;
    check(
        (1..=2).contains(&shards_asked),
        format!("listing one order asked {shards_asked} shards, {DEALS} deals scheduled"),
    )
}
