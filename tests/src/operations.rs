//! What operators read the morning after and during the night: orders out (JSON pages and the
//! streamed CSV), the structured log of outcomes, and the objects' counted costs.

use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::Failed;

use crate::stack::{MARKETER_TOKEN, Stack, check, eventually, order_body};

/// Orders placed in the shop leave, the morning after, as JSON pages and as CSV, through the
/// edge with the marketer token (and not without it).
pub async fn orders_leave_as_json_pages_and_csv(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-export", 20, 2).await?;
    let mut ids = Vec::new();
    for n in 0..5 {
        let shopper = stack.shopper().await?;
        let body = order_body(&deal, 1, &format!("export-key-{n:04}"), &shopper);
        let (status, order) = stack.post_order(&shopper, &body).await?;
        check(status == 202, format!("order {n}: {status} {order}"))?;
        ids.push(order["id"].as_str().unwrap_or_default().to_owned());
    }
    eventually(Duration::from_secs(45), || async {
        Ok(stack.origin_rows(&deal).await? >= 5)
    })
    .await?;

    let stack_ref = &stack;
    let page = |query: String| async move {
        let path = format!("/api/console/orders?{query}");
        stack_ref
            .call_with_token(reqwest::Method::GET, &path, Some(MARKETER_TOKEN), None)
            .await
    };
    let (status, first) = page(format!("deal={}&limit=3", deal.id)).await?;
    check(status == 200, format!("a page: {status} {first}"))?;
    let next = first["next"].as_str().unwrap_or_default().to_owned();
    let (_, second) = page(format!("deal={}&limit=3&after={next}", deal.id)).await?;
    let listed: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|page| page["orders"].as_array().cloned().unwrap_or_default())
        .map(|order| order["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut expected = ids.clone();
    expected.sort();
    check(
        listed == expected && second["next"].is_null(),
        format!("two pages hold the 5 orders in id order: {listed:?}, expected {expected:?}"),
    )?;
    let (status, refused) = page("limit=0".into()).await?;
    check(
        status == 400 && refused["code"] == "invalid_query",
        format!("a bad limit: {status} {refused}"),
    )?;

    let csv = format!("{}/api/console/orders.csv?deal={}", stack.edge, deal.id);
    let anonymous = stack.http.get(&csv).send().await?.status().as_u16();
    check(
        anonymous == 401,
        format!("the CSV without a token: {anonymous}"),
    )?;
    let answer = stack
        .http
        .get(&csv)
        .bearer_auth(MARKETER_TOKEN)
        .send()
        .await?;
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = answer.text().await?;
    let lines: Vec<&str> = text.lines().collect();
    check(
        content_type.starts_with("text/csv")
            && lines
                .first()
                .is_some_and(|h| h.starts_with("id,deal_id,status"))
            && lines.len() == 6
            && ids.iter().all(|id| text.contains(id.as_str())),
        format!("the CSV ({content_type}): {text}"),
    )
}

/// Each order's outcome and each delivery round is one JSON line in the runtime's log, with its
/// code, deal, shard, batch sizes and time.
pub async fn outcomes_are_logged_as_json(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-logged", 1, 1).await?;
    let (ada, bob) = (stack.shopper().await?, stack.shopper().await?);
    let (status, order) = stack
        .post_order(&ada, &order_body(&deal, 1, "logged-key-0001", &ada))
        .await?;
    check(status == 202, format!("the order: {status} {order}"))?;
    let (status, refused) = stack
        .post_order(&bob, &order_body(&deal, 1, "logged-key-0002", &bob))
        .await?;
    check(status == 409, format!("sold out: {status} {refused}"))?;
    let deal_id = deal.id.to_string();
    let mine = |event: &serde_json::Value, code: &str| {
        event["deal"] == deal_id.as_str() && event["code"] == code
    };
    eventually(Duration::from_secs(45), || async {
        let orders = stack.edge_events("order");
        let delivered = stack.edge_events("delivery");
        Ok(orders.iter().any(|e| mine(e, "accepted"))
            && orders.iter().any(|e| mine(e, "sold_out"))
            && delivered.iter().any(|d| d["outcome"] == "stored"))
    })
    .await?;
    let orders = stack.edge_events("order");
    let accepted = orders
        .iter()
        .find(|e| mine(e, "accepted"))
        .cloned()
        .unwrap_or_default();
    check(
        accepted["status"] == 202
            && accepted["shard"] == 0
            && accepted["batch"].as_u64() >= Some(1)
            && accepted["ms"].as_i64() >= Some(0),
        format!("the accepted order's line: {accepted}"),
    )
}

/// `GET /api/ops/costs` counts what the objects did: an accepted order shows as a reserve, a
/// key claim and storage writes; without the token it is 401.
pub async fn objects_count_their_costs(stack: Arc<Stack>) -> Result<(), Failed> {
    let costs = || async {
        stack
            .call_with_token(
                reqwest::Method::GET,
                "/api/ops/costs",
                Some(MARKETER_TOKEN),
                None,
            )
            .await
    };
    let (status, anonymous) = stack
        .call_with_token(reqwest::Method::GET, "/api/ops/costs", None, None)
        .await?;
    check(
        status == 401,
        format!("without the token: {status} {anonymous}"),
    )?;
    let deal = stack.schedule_open("e2e-costs", 5, 1).await?;
    let (_, before) = costs().await?;
    let shopper = stack.shopper().await?;
    let body = order_body(&deal, 1, "costs-key-0001", &shopper);
    let (status, order) = stack.post_order(&shopper, &body).await?;
    check(status == 202, format!("the order: {status} {order}"))?;
    let (status, after) = costs().await?;
    let count = |report: &serde_json::Value, object: &str, kind: &str| {
        report[object]["requests"][kind].as_u64().unwrap_or(0)
    };
    let writes =
        |report: &serde_json::Value| report["deal_stock"]["storage_writes"].as_u64().unwrap_or(0);
    check(
        status == 200
            && count(&after, "deal_stock", "reserve") > count(&before, "deal_stock", "reserve")
            && count(&after, "key_claims", "claim") > count(&before, "key_claims", "claim")
            && writes(&after) > writes(&before),
        format!("one order counted: before {before}, after {after}"),
    )
}

/// An order id made up to look like one — a deal not in the schedule, or a shard beyond the
/// deal's count — is 404 `unknown_order` to a look-up and a cancel alike. (That no shard is
/// asked is `Deal::could_hold`'s rule, unit-tested in domain: a shard asked about an id it
/// never made answers the same.)
pub async fn made_up_order_ids_are_unknown(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-made-up", 5, 1).await?;
    let shopper = stack.shopper().await?;
    let nonce = "0123456789abcdef0123456789abcdef";
    for id in [
        format!("nowhere-deal.0.{nonce}"),
        format!("{}.7.{nonce}", deal.id),
    ] {
        for (method, path) in [
            (reqwest::Method::GET, format!("/api/orders/{id}")),
            (reqwest::Method::POST, format!("/api/orders/{id}/cancel")),
        ] {
            let (status, answer) = stack.call(&shopper, method, &path).await?;
            check(
                status == 404 && answer["code"] == "unknown_order",
                format!("{path}: {status} {answer}"),
            )?;
        }
    }
    Ok(())
}
