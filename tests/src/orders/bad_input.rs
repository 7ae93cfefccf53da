//! Test 4, bad input on the order path: every kind is refused with a 4xx and a code of its own,
//! moves no stock and sends nothing to origin.

use std::collections::HashSet;
use std::sync::Arc;

use festival_domain::Deal;
use libtest_mimic::Failed;
use serde_json::{Value, json};

use crate::stack::{BOARD_SETTLES_WITHIN, Shopper, Stack, check, minutes_ago, order_body};

/// How many distinct codes the refused orders must show: one per kind of bad input, shared
/// only where two inputs are the same mistake (an unknown field, a bad quantity, a bad token).
const DISTINCT_CODES: usize = 13;

/// One order the edge must refuse, and the answer it must give.
struct RefusedOrder {
    /// What is wrong with it, for the failure message.
    what: &'static str,
    /// The session token it is sent with.
    session: String,
    body: String,
    status: u16,
    code: &'static str,
}

impl RefusedOrder {
    fn new(
        what: &'static str,
        who: &Shopper,
        body: String,
        status: u16,
        code: &'static str,
    ) -> RefusedOrder {
        RefusedOrder {
            what,
            session: who.session.clone(),
            body,
            status,
            code,
        }
    }
}

/// Test 4: bad input gets a 4xx with its own code; no stock moves; nothing reaches origin.
pub async fn bad_input_is_refused(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-bad-input", 7, 2).await?;
    let later = stack
        .schedule("e2e-not-yet-open", 7, 2, 3_600_000 - 60_000)
        .await?;
    let shopper = stack.shopper().await?;
    let valid = order_body(&deal, 1, "bad-input-key-0001", &shopper);
    let mut orders = unparsable_bodies(&shopper, &valid)?;
    orders.extend(refused_requests(&shopper, &valid, &later));
    orders.extend(bad_credentials(&stack, &shopper, &valid).await?);
    each_is_refused_with_its_own_code(&stack, orders).await?;
    no_session_is_refused(&stack, &valid).await?;
    unknown_orders_and_routes_are_refused(&stack, &shopper).await?;
    nothing_was_reserved_or_sent(&stack, &deal, &later).await
}

/// `valid` with one field set to `value`, as the body to send.
fn with_field(valid: &Value, field: &str, value: Value) -> String {
    let mut body = valid.clone();
    body[field] = value;
    body.to_string()
}

/// Bodies that do not parse into an order: broken JSON, a field missing, of the wrong type, or
/// one the shopper may not send (the price and the customer come from the edge).
fn unparsable_bodies(shopper: &Shopper, valid: &Value) -> Result<Vec<RefusedOrder>, Failed> {
    let mut missing = valid.clone();
    missing
        .as_object_mut()
        .ok_or("an object")?
        .remove("quantity");
    Ok(vec![
        RefusedOrder::new(
            "malformed JSON",
            shopper,
            r#"{"deal_id": "e2e-bad-input", "#.into(),
            400,
            "malformed_json",
        ),
        RefusedOrder::new(
            "missing field",
            shopper,
            missing.to_string(),
            400,
            "missing_field",
        ),
        RefusedOrder::new(
            "wrong type",
            shopper,
            with_field(valid, "quantity", json!("two")),
            400,
            "wrong_type",
        ),
        RefusedOrder::new(
            "a price in the body",
            shopper,
            with_field(valid, "unit_price_minor", json!(1)),
            400,
            "unknown_field",
        ),
        RefusedOrder::new(
            "a customer in the body",
            shopper,
            with_field(valid, "customer_id", json!("someone-else")),
            400,
            "unknown_field",
        ),
    ])
}

/// Well-formed orders the edge refuses for what they ask: a quantity out of bounds, a deal that
/// does not exist, a bad idempotency key, a body too large, a sale not yet open.
fn refused_requests(shopper: &Shopper, valid: &Value, later: &Deal) -> Vec<RefusedOrder> {
    vec![
        RefusedOrder::new(
            "quantity 0",
            shopper,
            with_field(valid, "quantity", json!(0)),
            422,
            "invalid_quantity",
        ),
        RefusedOrder::new(
            "negative quantity",
            shopper,
            with_field(valid, "quantity", json!(-1)),
            422,
            "invalid_quantity",
        ),
        RefusedOrder::new(
            "quantity above the limit",
            shopper,
            with_field(valid, "quantity", json!(3)),
            422,
            "over_limit",
        ),
        RefusedOrder::new(
            "unknown deal",
            shopper,
            with_field(valid, "deal_id", json!("no-such-deal")),
            404,
            "unknown_deal",
        ),
        RefusedOrder::new(
            "bad idempotency key",
            shopper,
            with_field(valid, "idempotency_key", json!("short")),
            400,
            "invalid_idempotency_key",
        ),
        RefusedOrder::new(
            "body over 16 KB",
            shopper,
            with_field(valid, "idempotency_key", json!("x".repeat(17 * 1024))),
            413,
            "body_too_large",
        ),
        RefusedOrder::new(
            "sale not yet open",
            shopper,
            order_body(later, 1, "bad-input-key-0002", shopper).to_string(),
            409,
            "sale_not_open",
        ),
    ]
}

/// A valid order sent by the wrong one: a forged or expired session, another session's sale
/// token, a forged sale token.
async fn bad_credentials(
    stack: &Stack,
    shopper: &Shopper,
    valid: &Value,
) -> Result<Vec<RefusedOrder>, Failed> {
    let stranger = stack.shopper().await?;
    let expired = Shopper::minted_until("late-shopper", minutes_ago(1));
    let forged = Shopper {
        session: shopper.session.replace(&shopper.customer, "someone-else"),
        ..shopper.clone()
    };
    Ok(vec![
        RefusedOrder::new(
            "forged session",
            &forged,
            valid.to_string(),
            401,
            "session_invalid",
        ),
        RefusedOrder::new(
            "expired session",
            &expired,
            valid.to_string(),
            401,
            "session_expired",
        ),
        RefusedOrder::new(
            "another session's sale token",
            &stranger,
            valid.to_string(),
            403,
            "sale_token_invalid",
        ),
        RefusedOrder::new(
            "a forged sale token",
            shopper,
            with_field(valid, "sale_token", json!("t1.x.1.00")),
            403,
            "sale_token_invalid",
        ),
    ])
}

/// Posts each order in turn: each gets its status and code, with words, and the codes are as
/// many as the kinds of bad input.
async fn each_is_refused_with_its_own_code(
    stack: &Stack,
    orders: Vec<RefusedOrder>,
) -> Result<(), Failed> {
    let mut codes = HashSet::new();
    for order in orders {
        let response = stack
            .http
            .post(format!("{}/api/orders", stack.edge))
            .header(festival_domain::token::SESSION_HEADER, &order.session)
            .header("content-type", "application/json")
            .body(order.body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await?;
        let (what, want_status, want_code) = (order.what, order.status, order.code);
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
        codes.len() == DISTINCT_CODES,
        format!("each kind of bad input has its own code: {codes:?}"),
    )
}

/// An order sent with no session at all.
async fn no_session_is_refused(stack: &Stack, valid: &Value) -> Result<(), Failed> {
    let response = stack
        .http
        .post(format!("{}/api/orders", stack.edge))
        .json(valid)
        .send()
        .await?;
    let status = response.status().as_u16();
    let answer: Value = response.json().await?;
    check(
        status == 401 && answer["code"] == "session_required",
        format!("no session: {status} {answer}"),
    )
}

/// Orders that do not exist, a route that does not exist, and a method a route does not take.
async fn unknown_orders_and_routes_are_refused(
    stack: &Stack,
    shopper: &Shopper,
) -> Result<(), Failed> {
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
        let (status, answer) = stack.call(shopper, method, path).await?;
        check(
            status == want_status && answer["code"] == want_code,
            format!("{path}: expected {want_status} {want_code}, got {status} {answer}"),
        )?;
    }
    Ok(())
}

/// Nothing was reserved and nothing is on its way to origin (once the catalog's board has had
/// time to show a change).
async fn nothing_was_reserved_or_sent(
    stack: &Stack,
    deal: &Deal,
    later: &Deal,
) -> Result<(), Failed> {
    tokio::time::sleep(BOARD_SETTLES_WITHIN).await;
    let left = stack.stock_left(deal).await?;
    check(
        left == deal.stock,
        format!("stock moved: {left} of {}", deal.stock),
    )?;
    let rows = stack.origin_rows(deal).await? + stack.origin_rows(later).await?;
    check(rows == 0, format!("{rows} refused orders reached origin"))
}
