//! Issue 3: the edge absorbs the burst — limits, sharded stock, the sold-out fast path, cancel,
//! and nothing lost with origin down.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use libtest_mimic::Failed;
use reqwest::Method;

use crate::stack::{MARKETER_TOKEN, Shopper, Stack, check, eventually, order_body};

mod firing;
pub(crate) use firing::{DRAIN, burst, drained};
use firing::{accepted_orders, refused};

/// One session firing 50 concurrent orders on a deal with limit 2 gets at most 2 units.
pub async fn limit_holds_under_concurrency(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open_sharded("e2e-limit", 100, 2, 4).await?;
    let shopper = stack.shopper().await?;
    let answers = burst(&stack, &deal, &vec![shopper.clone(); 50], |_| 1).await?;
    let accepted: i64 = answers
        .iter()
        .filter(|(_, status, _)| *status == 202)
        .map(|(q, ..)| q)
        .sum();
    let limited = refused(&answers, "limit_reached");
    check(
        accepted == 2 && limited == 48,
        format!("accepted {accepted} units, {limited} limited"),
    )?;
    // Another tab, a new key, a larger quantity: still the limit.
    let (status, answer) = stack
        .post_order(&shopper, &order_body(&deal, 1, "another-tab-key", &shopper))
        .await?;
    check(
        status == 409 && answer["code"] == "limit_reached",
        format!("another tab: {status} {answer}"),
    )?;
    check(
        drained(&stack, &deal).await? == 2,
        "origin holds the 2 units",
    )
}

/// 1,000 concurrent orders from distinct sessions on stock 100 over 4 shards: exactly 100 units
/// reserved, the rest sold out, 100 stored; then random quantities and shard counts.
pub async fn sharded_stock_sells_exactly(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack
        .schedule_open_sharded("e2e-sharded", 100, 1, 4)
        .await?;
    let shoppers: Vec<Shopper> = (0..1_000)
        .map(|i| Shopper::minted(&format!("sharded-{i}")))
        .collect();
    let answers = burst(&stack, &deal, &shoppers, |_| 1).await?;
    let accepted = accepted_orders(&answers);
    let sold_out = refused(&answers, "sold_out");
    check(
        accepted == 100 && sold_out == 900,
        format!("accepted {accepted}, sold out {sold_out}"),
    )?;
    check(
        drained(&stack, &deal).await? == 100,
        "origin stores exactly 100",
    )?;

    // Random quantities (1–3) and shard counts: units sold never exceed the stock, a single
    // unit is refused only once every unit is gone, and origin agrees with the edge.
    for (round, (stock, shards)) in [(57u32, 3u32), (40, 5), (23, 2)].into_iter().enumerate() {
        let deal = stack
            .schedule_open_sharded(&format!("e2e-random-{round}"), stock, 3, shards)
            .await?;
        let shoppers: Vec<Shopper> = (0..150)
            .map(|i| Shopper::minted(&format!("random-{round}-{i}")))
            .collect();
        let seed = 0x9e37_79b9_u64.wrapping_mul(round as u64 + 1);
        let quantity = |i: usize| ((seed >> (i % 29)) as i64 + i as i64) % 3 + 1;
        let answers = burst(&stack, &deal, &shoppers, quantity).await?;
        let sold: i64 = answers
            .iter()
            .filter(|(_, status, _)| *status == 202)
            .map(|(q, ..)| q)
            .sum();
        check(
            sold <= i64::from(stock),
            format!("round {round}: sold {sold} of {stock}"),
        )?;
        check(
            answers.iter().all(|(_, s, _)| matches!(s, 202 | 409)),
            format!("round {round}: only 202/409"),
        )?;
        let expected = u32::try_from(i64::from(stock) - sold).unwrap_or(0);
        let left = i64::from(stack.stock_left_reaching(&deal, expected).await?);
        check(
            sold + left == i64::from(stock),
            format!("round {round}: sold {sold} + left {left} ≠ {stock}"),
        )?;
        let single_refused = answers
            .iter()
            .any(|(q, s, a)| *q == 1 && *s == 409 && a["code"] == "sold_out");
        check(
            !single_refused || left == 0,
            format!("round {round}: a single unit refused with {left} left"),
        )?;
        check(
            drained(&stack, &deal).await? == sold,
            format!("round {round}: origin stores {sold}"),
        )?;
    }
    Ok(())
}

/// Once a deal is sold out, the isolate answers from memory without a Durable Object call.
pub async fn sold_out_is_answered_from_memory(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack
        .schedule_open_sharded("e2e-fast-path", 2, 1, 2)
        .await?;
    let shoppers: Vec<Shopper> = (0..6)
        .map(|i| Shopper::minted(&format!("fast-{i}")))
        .collect();
    for (i, shopper) in shoppers.iter().enumerate() {
        let (status, headers, answer) = stack
            .post_order_with_headers(
                shopper,
                &order_body(&deal, 1, &format!("fast-key-{i:04}"), shopper),
            )
            .await?;
        let from_memory = headers
            .get("x-festival-answered-from")
            .is_some_and(|v| v == "memory");
        match i {
            0 | 1 => check(status == 202, format!("order {i}: {status} {answer}"))?,
            // The first refusal learns it from the shards...
            2 => check(
                status == 409 && !from_memory,
                format!("order {i}: {status} {answer}"),
            )?,
            // ...every later one is answered from memory.
            _ => check(
                status == 409 && answer["code"] == "sold_out" && from_memory,
                format!("order {i}: {status}"),
            )?,
        }
    }
    let edge_before =
        festival_stack::reconcile::compare(&stack.edge, &stack.origin, MARKETER_TOKEN)?;
    let reserved = edge_before
        .deals
        .iter()
        .find(|l| l.deal_id == deal.id.as_str())
        .map(|l| l.edge_orders);
    check(
        reserved == Some(2),
        format!("the shards hold 2 orders: {reserved:?}"),
    )
}

/// Cancel by the owner restores stock exactly once, also under 20 concurrent cancels; origin
/// learns the order is cancelled; another session may not cancel it.
pub async fn cancel_restores_stock_once(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open_sharded("e2e-cancel", 5, 3, 2).await?;
    let shopper = stack.shopper().await?;
    let (status, order) = stack
        .post_order(
            &shopper,
            &order_body(&deal, 3, "cancel-me-key-01", &shopper),
        )
        .await?;
    check(status == 202, format!("order: {status} {order}"))?;
    let path = format!(
        "/api/orders/{}/cancel",
        order["id"].as_str().ok_or("an id")?
    );

    let stranger = stack.shopper().await?;
    let (status, answer) = stack.call(&stranger, Method::POST, &path).await?;
    check(
        status == 403 && answer["code"] == "not_your_order",
        format!("stranger: {status} {answer}"),
    )?;

    let answers = join_all((0..20).map(|_| stack.call(&shopper, Method::POST, &path))).await;
    for answer in answers {
        let (status, body) = answer?;
        check(
            status == 200 && body["status"] == "cancelled",
            format!("cancel: {status} {body}"),
        )?;
    }
    let left = stack.stock_left_reaching(&deal, 5).await?;
    check(left == 5, format!("stock restored once: {left} of 5"))?;
    // The units are the customer's to buy again.
    let (status, again) = stack
        .post_order(
            &shopper,
            &order_body(&deal, 3, "cancel-me-key-02", &shopper),
        )
        .await?;
    check(
        status == 202,
        format!("reorder after cancel: {status} {again}"),
    )?;

    let id = order["id"].as_str().ok_or("an id")?.to_owned();
    eventually(DRAIN, || async {
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
            .bind(&id)
            .fetch_optional(&stack.db)
            .await?;
        Ok(status.as_deref() == Some("cancelled"))
    })
    .await?;
    check(
        drained(&stack, &deal).await? == 3,
        "origin holds only the reorder",
    )
}

/// "My orders" lists the session's orders.
pub async fn my_orders_are_listed(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-mine", 10, 2).await?;
    let shopper = stack.shopper().await?;
    for key in ["mine-key-0001", "mine-key-0002"] {
        let (status, answer) = stack
            .post_order(&shopper, &order_body(&deal, 1, key, &shopper))
            .await?;
        check(status == 202, format!("order: {status} {answer}"))?;
    }
    let (status, mine) = stack.call(&shopper, Method::GET, "/api/orders").await?;
    let listed = mine["orders"].as_array().map(|orders| {
        orders
            .iter()
            .filter(|o| {
                o["deal_id"] == deal.id.as_str() && o["customer_id"] == shopper.customer.as_str()
            })
            .count()
    });
    check(
        status == 200 && listed == Some(2),
        format!("my orders: {status} {mine}"),
    )?;
    let stranger = stack.shopper().await?;
    let (_, theirs) = stack.call(&stranger, Method::GET, "/api/orders").await?;
    check(
        theirs["orders"].as_array().is_some_and(|o| o.is_empty()),
        format!("a new session has none: {theirs}"),
    )
}

/// With origin stopped during a burst and started again, every accepted order reaches origin
/// exactly once and reconciliation finds no difference. Runs on a stack of its own.
pub async fn nothing_lost_with_origin_down() -> Result<(), Failed> {
    let stack = Arc::new(Stack::start("resilience", crate::stack::UNLIMITED).await?);
    let deal = stack
        .schedule_open_sharded("e2e-origin-down", 60, 1, 3)
        .await?;
    stack.stop_origin();
    let shoppers: Vec<Shopper> = (0..150)
        .map(|i| Shopper::minted(&format!("outage-{i}")))
        .collect();
    let answers = burst(&stack, &deal, &shoppers, |_| 1).await?;
    let accepted = accepted_orders(&answers);
    check(
        accepted == 60,
        format!("the edge sells the whole stock while origin is down: {accepted}"),
    )?;
    listed_without_claims_or_origin(&stack, &shoppers, &answers).await?;
    // Let the queue fail and back off, then bring origin back.
    tokio::time::sleep(Duration::from_secs(4)).await;
    check(
        stack.origin_rows(&deal).await? == 0,
        "nothing reached a stopped origin",
    )?;
    // The console's delivery line reads what waits, and for how long.
    let backlog = || async {
        let path = "/api/ops/backlog";
        let token = Some(MARKETER_TOKEN);
        stack
            .call_with_token(reqwest::Method::GET, path, token, None)
            .await
    };
    let (status, waiting) = backlog().await?;
    check(
        status == 200
            && waiting["waiting"] == 60
            && waiting["oldest_age_ms"].as_i64() >= Some(4_000),
        format!("60 wait for origin, the oldest over 4 s: {status} {waiting}"),
    )?;
    stack.restart_origin().await?;
    check(drained(&stack, &deal).await? == 60, "all 60 arrive")?;
    check(stack.origin_rows(&deal).await? == 60, "exactly once each")?;
    eventually(Duration::from_secs(30), || async {
        Ok(backlog().await?.1["waiting"] == 0)
    })
    .await?;
    let report = festival_stack::reconcile::compare(&stack.edge, &stack.origin, MARKETER_TOKEN)?;
    check(
        report.is_clean(),
        format!("reconcile reports differences:\n{report}"),
    )
}

/// The burst's keys name their deal, as the storefront's do: no order claimed its key in a
/// `KeyClaims` object, and yet, origin down, each shopper's list shows their order once the
/// queue's consumer has noted it (which it does before it tries origin).
async fn listed_without_claims_or_origin(
    stack: &Stack,
    shoppers: &[Shopper],
    answers: &[(i64, u16, serde_json::Value)],
) -> Result<(), Failed> {
    let costs = stack.ops_costs().await?;
    let claims = &costs["key_claims"]["requests"];
    check(
        claims["claim"].as_u64().unwrap_or(0) == 0,
        format!("keys that name their deal made no claim: {claims}"),
    )?;
    let accepted = answers.iter().filter(|(_, status, _)| *status == 202);
    for (_, _, order) in accepted.take(3) {
        let shopper = shoppers
            .iter()
            .find(|s| order["customer_id"] == s.customer.as_str())
            .ok_or_else(|| format!("whose order is {order}?"))?;
        eventually(Duration::from_secs(20), || async {
            let (status, mine) = stack.call(shopper, Method::GET, "/api/orders").await?;
            Ok(status == 200 && mine["orders"][0]["id"] == order["id"])
        })
        .await
        .map_err(|_| format!("{}'s order is never listed", shopper.customer.as_str()))?;
    }
    Ok(())
}

/// Token buckets per session and per address answer 429 with Retry-After. Runs on a stack of its
/// own with low limits.
pub async fn rate_limits_answer_429() -> Result<(), Failed> {
    let limits: &[(&str, &str)] = &[
        ("SESSION_ORDERS_PER_S", "0.5"),
        ("SESSION_ORDERS_BURST", "3"),
        ("ADDRESS_ORDERS_PER_S", "0.5"),
        ("ADDRESS_ORDERS_BURST", "8"),
    ];
    let stack = Stack::start("limits", limits).await?;
    let deal = stack.schedule_open("e2e-rate", 100, 100).await?;
    let shopper = stack.shopper().await?;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let (status, headers, answer) = stack
            .post_order_with_headers(
                &shopper,
                &order_body(&deal, 1, &format!("rate-key-{i:04}"), &shopper),
            )
            .await?;
        if status == 429 {
            check(answer["code"] == "rate_limited", format!("{answer}"))?;
            let retry_after: u32 = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse().ok())
                .unwrap_or(0);
            check(retry_after >= 1, format!("Retry-After: {retry_after}"))?;
        }
        statuses.push(status);
    }
    check(
        statuses == [202, 202, 202, 429, 429],
        format!("one session: {statuses:?}"),
    )?;
    // The address has spent 5 of its 8; distinct sessions from it get 3 more.
    let mut statuses = Vec::new();
    for i in 0..5 {
        let other = Shopper::minted(&format!("same-address-{i}"));
        let (status, _) = stack
            .post_order(
                &other,
                &order_body(&deal, 1, &format!("addr-key-{i:04}"), &other),
            )
            .await?;
        statuses.push(status);
    }
    check(
        statuses == [202, 202, 202, 429, 429],
        format!("one address: {statuses:?}"),
    )
}
