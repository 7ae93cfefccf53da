//! The order path over HTTP: stored once, no oversell, idempotency, bad input.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use libtest_mimic::Failed;

use crate::stack::{Shopper, Stack, check, eventually, order_body, test_deal};

mod bad_input;
pub use bad_input::bad_input_is_refused;

/// How long the queue may take to bring accepted orders to origin in these tests.
const DRAIN: Duration = Duration::from_secs(45);

/// Test 1: an order placed through the API is stored at origin exactly once, and its status
/// becomes `confirmed`.
pub async fn stored_once_and_confirmed(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-stored-once", 5, 2).await?;
    let shopper = stack.shopper().await?;
    let (status, order) = stack
        .post_order(
            &shopper,
            &order_body(&deal, 2, "stored-once-key-1", &shopper),
        )
        .await?;
    check(
        status == 202,
        format!("expected 202, got {status}: {order}"),
    )?;
    check(
        order["status"] == "reserved",
        format!("a new order is reserved: {order}"),
    )?;
    check(
        order["unit_price_minor"] == deal.price_minor,
        "the unit price comes from the schedule",
    )?;
    check(
        order["total_minor"] == 2 * deal.price_minor,
        "total = quantity × unit price",
    )?;
    let id = order["id"].as_str().ok_or("order without id")?.to_owned();

    let path = format!("/api/orders/{id}");
    eventually(DRAIN, || async {
        let (_, now) = stack.call(&shopper, reqwest::Method::GET, &path).await?;
        Ok(now["status"] == "confirmed")
    })
    .await?;
    let stranger = stack.shopper().await?;
    let (status, answer) = stack.call(&stranger, reqwest::Method::GET, &path).await?;
    check(
        status == 403 && answer["code"] == "not_your_order",
        format!("another session: {status} {answer}"),
    )?;

    let rows: Vec<(String, i64, i64, String)> = sqlx::query_as(
        "SELECT customer_id, quantity, total_minor, status FROM orders WHERE id = $1",
    )
    .bind(&id)
    .fetch_all(&stack.db)
    .await?;
    check(
        rows == [(
            shopper.customer.clone(),
            2,
            2 * deal.price_minor,
            "confirmed".into(),
        )],
        format!("exactly one stored row with the order's values, found {rows:?}"),
    )
}

/// Test 2: 200 concurrent orders, distinct keys and shoppers, on stock 10: exactly 10 accepted,
/// 190 sold out, 10 rows at origin.
pub async fn burst_sells_exactly_the_stock(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-burst", 10, 1).await?;
    let requests = (0..200).map(|i| {
        let shopper = Shopper::minted(&format!("burst-shopper-{i}"));
        let body = order_body(&deal, 1, &format!("burst-key-{i:04}"), &shopper);
        let stack = stack.clone();
        async move { stack.post_order(&shopper, &body).await }
    });
    let answers = join_all(requests)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let accepted = answers.iter().filter(|(status, _)| *status == 202).count();
    let sold_out = answers
        .iter()
        .filter(|(status, body)| *status == 409 && body["code"] == "sold_out")
        .count();
    check(
        accepted == 10 && sold_out == 190,
        format!("accepted {accepted}, sold out {sold_out}"),
    )?;

    eventually(DRAIN, || async {
        Ok(stack.origin_rows(&deal).await? >= 10)
    })
    .await?;
    // Give a duplicate delivery time to show up before counting for good.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rows = stack.origin_rows(&deal).await?;
    check(
        rows == 10,
        format!("origin stored {rows} orders, expected 10"),
    )?;
    let left = stack.stock_left_reaching(&deal, 0).await?;
    check(left == 0, format!("stock left {left}, expected 0"))
}

/// Test 3: one idempotency key sent 20 times at once makes one order, one reservation, one row.
pub async fn one_key_one_order(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-idempotent", 10, 3).await?;
    let shopper = stack.shopper().await?;
    let body = order_body(&deal, 2, "the-same-key-every-time", &shopper);
    let answers = join_all((0..20).map(|_| stack.post_order(&shopper, &body))).await;
    let answers = answers.into_iter().collect::<Result<Vec<_>, _>>()?;
    check(
        answers.iter().all(|(status, _)| *status == 202),
        format!("all 202: {answers:?}"),
    )?;
    let first = &answers[0].1["id"];
    check(
        answers.iter().all(|(_, order)| &order["id"] == first),
        "every answer is the same order",
    )?;

    eventually(DRAIN, || async { Ok(stack.origin_rows(&deal).await? >= 1) }).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rows = stack.origin_rows(&deal).await?;
    check(
        rows == 1,
        format!("origin stored {rows} orders, expected 1"),
    )?;
    // Once the catalog's board catches up, the shards' own figure shows.
    let left = stack.stock_left_reaching(&deal, 8).await?;
    check(
        left == 8,
        format!("one reservation of 2 leaves 8, found {left}"),
    )
}

/// The edge's clock ends a sale: an order inside the window is accepted, and one after
/// `ends_at` by the edge's clock gets 409 `sale_ended` with a message, and moves no stock.
pub async fn an_order_after_the_end_is_refused(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack
        .schedule_deal(test_deal("e2e-sale-ends", 5, 2, 0, 2_000, 9_000)?)
        .await?;
    stack.edge_clock_reaches(deal.starts_at).await?;
    let shopper = stack.shopper().await?;
    let (status, answer) = stack
        .post_order(
            &shopper,
            &order_body(&deal, 1, "sale-ends-key-0001", &shopper),
        )
        .await?;
    check(
        status == 202,
        format!("an order while open: {status} {answer}"),
    )?;
    stack.edge_clock_reaches(deal.ends_at).await?;
    let (status, answer) = stack
        .post_order(
            &shopper,
            &order_body(&deal, 1, "sale-ends-key-0002", &shopper),
        )
        .await?;
    check(
        status == 409
            && answer["code"] == "sale_ended"
            && answer["message"].as_str().is_some_and(|m| !m.is_empty()),
        format!("an order after the end: {status} {answer}"),
    )?;
    let left = stack.stock_left_reaching(&deal, 4).await?;
    check(
        left == 4,
        format!("only the first order took a unit: {left} left"),
    )
}
