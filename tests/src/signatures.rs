//! Test 5: origin stores only batches the edge signed, recently.

use std::sync::Arc;

use festival_domain::batch::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use festival_domain::{
    CustomerId, DealId, IdempotencyKey, Order, OrderBatch, OrderId, OrderStatus, PricedOrder,
    Quantity, UnixMillis,
};
use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{BATCH_SECRET, Stack, check, minutes_ago};

fn batch_of_one(nonce: u128) -> Result<(OrderId, Vec<u8>), Failed> {
    let deal = DealId::parse("e2e-forged")?;
    let id = OrderId::new(&deal, 0, nonce);
    let order = Order {
        id: id.clone(),
        status: OrderStatus::Reserved,
        priced: PricedOrder {
            deal_id: deal,
            customer_id: CustomerId::new("forger").ok_or("a valid customer")?,
            idempotency_key: IdempotencyKey::new("forged-key-0001")?,
            quantity: Quantity::new(1)?,
            unit_price_minor: 1,
            total_minor: 1,
            currency: "USD".into(),
            priced_at: festival_origin::now(),
        },
    };
    Ok((
        id,
        serde_json::to_vec(&OrderBatch {
            orders: vec![order],
        })?,
    ))
}

async fn post(
    stack: &Stack,
    body: &[u8],
    headers: Option<(UnixMillis, String)>,
) -> Result<(u16, Value), Failed> {
    let mut request = stack
        .http
        .post(format!("{}/internal/orders/batch", stack.origin))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some((timestamp, signature)) = headers {
        request = request
            .header(TIMESTAMP_HEADER, timestamp.0.to_string())
            .header(SIGNATURE_HEADER, signature);
    }
    let response = request.send().await?;
    Ok((response.status().as_u16(), response.json().await?))
}

async fn stored(stack: &Stack, id: &OrderId) -> Result<i64, Failed> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&stack.db)
            .await?,
    )
}

pub async fn forged_and_stale_batches(stack: Arc<Stack>) -> Result<(), Failed> {
    let (id, body) = batch_of_one(1)?;
    let now = festival_origin::now();
    let stale = minutes_ago(10);
    let cases = [
        ("unsigned", None, "unsigned"),
        (
            "wrong secret",
            Some((now, sign(b"not-the-secret", now, &body))),
            "bad_signature",
        ),
        (
            "stale",
            Some((stale, sign(BATCH_SECRET.as_bytes(), stale, &body))),
            "stale_signature",
        ),
        (
            "other body",
            Some((now, sign(BATCH_SECRET.as_bytes(), now, b"{}"))),
            "bad_signature",
        ),
    ];
    for (what, headers, want_code) in cases {
        let (status, answer) = post(&stack, &body, headers).await?;
        check(
            status == 401 && answer["code"] == want_code,
            format!("{what}: got {status} {answer}"),
        )?;
    }
    check(
        stored(&stack, &id).await? == 0,
        "a refused batch stored nothing",
    )?;

    // The same batch, properly signed, is stored once, and a replay stores nothing more.
    let (id, body) = batch_of_one(2)?;
    for round in 0..2 {
        let now = festival_origin::now();
        let (status, receipt) = post(
            &stack,
            &body,
            Some((now, sign(BATCH_SECRET.as_bytes(), now, &body))),
        )
        .await?;
        check(
            status == 200,
            format!("a signed batch is taken: {status} {receipt}"),
        )?;
        let key = if round == 0 {
            "stored"
        } else {
            "already_stored"
        };
        check(
            receipt[key][0] == id.as_str(),
            format!("round {round}: {receipt}"),
        )?;
    }
    check(
        stored(&stack, &id).await? == 1,
        "a signed batch is stored exactly once",
    )
}
