//! The order path over HTTP: stored once, no oversell, idempotency, bad input.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use libtest_mimic::Failed;
use serde_json::{Value, json};

use crate::stack::{
    BOARD_SETTLES_WITHIN, Shopper, Stack, check, eventually, minutes_ago, order_body,
};

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
        .schedule_window("e2e-sale-ends", 5, 2, 0, 2_000, 9_000)
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

/// Test 4: bad input gets a 4xx with its own code; no stock moves; nothing reaches origin.
pub async fn bad_input_is_refused(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-bad-input", 7, 2).await?;
    let later = stack
        .schedule("e2e-not-yet-open", 7, 2, 3_600_000 - 60_000)
        .await?;
    let shopper = stack.shopper().await?;
    let valid = order_body(&deal, 1, "bad-input-key-0001", &shopper);
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body.to_string()
    };
    let mut missing = valid.clone();
    missing
        .as_object_mut()
        .ok_or("an object")?
        .remove("quantity");
    let stranger = stack.shopper().await?;
    let expired = Shopper::minted_until("late-shopper", minutes_ago(1));
    let forged = Shopper {
        session: shopper.session.replace(&shopper.customer, "someone-else"),
        ..shopper.clone()
    };
    // (what, who, body, status, code)
    let cases: Vec<(&str, &Shopper, String, u16, &str)> = vec![
        (
            "malformed JSON",
            &shopper,
            r#"{"deal_id": "e2e-bad-input", "#.into(),
            400,
            "malformed_json",
        ),
        (
            "missing field",
            &shopper,
            missing.to_string(),
            400,
            "missing_field",
        ),
        (
            "wrong type",
            &shopper,
            with("quantity", json!("two")),
            400,
            "wrong_type",
        ),
        (
            "a price in the body",
            &shopper,
            with("unit_price_minor", json!(1)),
            400,
            "unknown_field",
        ),
        (
            "a customer in the body",
            &shopper,
            with("customer_id", json!("someone-else")),
            400,
            "unknown_field",
        ),
        (
            "quantity 0",
            &shopper,
            with("quantity", json!(0)),
            422,
            "invalid_quantity",
        ),
        (
            "negative quantity",
            &shopper,
            with("quantity", json!(-1)),
            422,
            "invalid_quantity",
        ),
        (
            "quantity above the limit",
            &shopper,
            with("quantity", json!(3)),
            422,
            "over_limit",
        ),
        (
            "unknown deal",
            &shopper,
            with("deal_id", json!("no-such-deal")),
            404,
            "unknown_deal",
        ),
        (
            "bad idempotency key",
            &shopper,
            with("idempotency_key", json!("short")),
            400,
            "invalid_idempotency_key",
        ),
        (
            "body over 16 KB",
            &shopper,
            with("idempotency_key", json!("x".repeat(17 * 1024))),
            413,
            "body_too_large",
        ),
        (
            "sale not yet open",
            &shopper,
            order_body(&later, 1, "bad-input-key-0002", &shopper).to_string(),
            409,
            "sale_not_open",
        ),
        (
            "forged session",
            &forged,
            valid.to_string(),
            401,
            "session_invalid",
        ),
        (
            "expired session",
            &expired,
            valid.to_string(),
            401,
            "session_expired",
        ),
        (
            "another session's sale token",
            &stranger,
            valid.to_string(),
            403,
            "sale_token_invalid",
        ),
        (
            "a forged sale token",
            &shopper,
            with("sale_token", json!("t1.x.1.00")),
            403,
            "sale_token_invalid",
        ),
    ];
    let mut codes = std::collections::HashSet::new();
    for (what, who, body, want_status, want_code) in cases {
        let response = stack
            .http
            .post(format!("{}/api/orders", stack.edge))
            .header(festival_domain::token::SESSION_HEADER, &who.session)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await?;
        check(
            status == want_status && answer["code"] == want_code,
            format!("{what}: expected {want_status} {want_code}, got {status} {answer}"),
        )?;
        check(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            format!("{what}: has words"),
        )?;
        codes.insert(want_code);
    }
    check(
        codes.len() == 13,
        format!("each kind of bad input has its own code: {codes:?}"),
    )?;

    // No session at all.
    let response = stack
        .http
        .post(format!("{}/api/orders", stack.edge))
        .json(&valid)
        .send()
        .await?;
    let status = response.status().as_u16();
    let answer: Value = response.json().await?;
    check(
        status == 401 && answer["code"] == "session_required",
        format!("no session: {status} {answer}"),
    )?;

    for (path, method, want_status, want_code) in [
        ("/api/orders/not-an-order", "GET", 404, "unknown_order"),
        (
            "/api/orders/e2e-bad-input.0.00000000000000000000000000000000",
            "GET",
            404,
            "unknown_order",
        ),
        (
            "/api/orders/not-an-order/cancel",
            "POST",
            404,
            "unknown_order",
        ),
        ("/api/nothing-here", "GET", 404, "not_found"),
        ("/api/orders", "PUT", 405, "method_not_allowed"),
        ("/api/session", "GET", 405, "method_not_allowed"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let (status, answer) = stack.call(&shopper, method, path).await?;
        check(
            status == want_status && answer["code"] == want_code,
            format!("{path}: expected {want_status} {want_code}, got {status} {answer}"),
        )?;
    }

    // Nothing was reserved and nothing is on its way to origin (once the catalog's board has
    // had time to show a change).
    tokio::time::sleep(BOARD_SETTLES_WITHIN).await;
    let left = stack.stock_left(&deal).await?;
    check(
        left == deal.stock,
        format!("stock moved: {left} of {}", deal.stock),
    )?;
    let rows = stack.origin_rows(&deal).await? + stack.origin_rows(&later).await?;
    check(rows == 0, format!("{rows} refused orders reached origin"))
}
