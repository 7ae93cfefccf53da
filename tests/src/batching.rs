//! Group commit at the edge: concurrent orders for one shard share its Durable Object requests,
//! and batching changes nothing of what each shopper is answered or origin stores.

use std::sync::Arc;

use futures::StreamExt;
use futures::future::join_all;
use libtest_mimic::Failed;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::burst::drained;
use crate::stack::{Shopper, Stack, check, order_body};

/// An accepted order's id and how many orders shared its shard request; an error for any
/// answer but a 202 from a shard.
fn accepted_in_batch(
    (status, headers, order): (u16, HeaderMap, Value),
) -> Result<(String, usize), Failed> {
    check(status == 202, format!("{status} {order}"))?;
    let batch = headers
        .get("x-festival-batch")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .ok_or("an answer from a shard without x-festival-batch")?;
    Ok((order["id"].as_str().unwrap_or_default().to_owned(), batch))
}

/// Concurrent orders for one shard share Durable Object requests (`x-festival-batch` > 1), and
/// batching changes nothing of the outcome: one order per order, one per idempotency key even
/// when the same key rides twice in a batch, and origin stores each exactly once.
pub async fn orders_for_one_shard_share_a_request(stack: Arc<Stack>) -> Result<(), Failed> {
    const SHOPPERS: usize = 80;
    let deal = stack
        .schedule_open_sharded("e2e-batched", 1_000, 1, 1)
        .await?;
    let shoppers: Vec<Shopper> = (0..SHOPPERS)
        .map(|i| Shopper::minted(&format!("batched-{i}")))
        .collect();
    // Shopper 0's order goes three times, with one key.
    let bodies = shoppers.iter().enumerate().map(|(i, shopper)| {
        let body = order_body(&deal, 1, &format!("batched-key-{i:04}"), shopper);
        (shopper.clone(), body)
    });
    let repeats = std::iter::repeat_n(
        (
            shoppers[0].clone(),
            order_body(&deal, 1, "batched-key-0000", &shoppers[0]),
        ),
        2,
    );
    let answers = join_all(bodies.chain(repeats).map(|(shopper, body)| {
        let stack = stack.clone();
        async move { stack.post_order_with_headers(&shopper, &body).await }
    }))
    .await;
    let mut ids = std::collections::BTreeSet::new();
    let mut largest_batch = 0;
    for answer in answers {
        let (id, batch) = accepted_in_batch(answer?)?;
        largest_batch = largest_batch.max(batch);
        ids.insert(id);
    }
    check(
        ids.len() == SHOPPERS,
        format!("{} distinct orders for {SHOPPERS} shoppers", ids.len()),
    )?;
    check(
        largest_batch > 1,
        "every order went alone: no batch formed under 82 concurrent orders",
    )?;
    check(
        drained(&stack, &deal).await? == SHOPPERS as i64,
        "origin stores each order once",
    )
}

/// A stream of orders on one shard, 32 in flight, each next order sent as one is answered, so
/// that batches follow batches and the lead is carried from batch to batch: every order is
/// answered 202 at the first try, and origin stores each once. (When a woken order ran in the
/// leader's turn, its response was refused with a 500, or its shard call with a 503.)
pub async fn a_stream_of_orders_on_one_shard_all_succeed(stack: Arc<Stack>) -> Result<(), Failed> {
    const ORDERS: usize = 320;
    const IN_FLIGHT_ON_ONE_SHARD: usize = 32;
    let deal = stack
        .schedule_open_sharded("e2e-stream", 1_000, 1, 1)
        .await?;
    let requests = (0..ORDERS).map(|i| {
        let shopper = Shopper::minted(&format!("stream-{i}"));
        let body = order_body(&deal, 1, &format!("stream-key-{i:04}"), &shopper);
        let stack = stack.clone();
        async move { stack.post_order_with_headers(&shopper, &body).await }
    });
    let answers: Vec<_> = futures::stream::iter(requests)
        .buffer_unordered(IN_FLIGHT_ON_ONE_SHARD)
        .collect()
        .await;
    let (mut ids, mut batched) = (std::collections::BTreeSet::new(), 0);
    for answer in answers {
        let (id, batch) = accepted_in_batch(answer?)?;
        batched += usize::from(batch > 1);
        ids.insert(id);
    }
    check(
        ids.len() == ORDERS,
        format!("{} distinct orders", ids.len()),
    )?;
    check(
        batched > ORDERS / 2,
        format!("only {batched} of {ORDERS} orders shared a batch"),
    )?;
    check(
        drained(&stack, &deal).await? == ORDERS as i64,
        "origin stores each order once",
    )
}
