//! Controlling a live sale through the console's API, with orders racing the change: an end
//! refuses every order sent after the marketer is told it is done, a top-up's units sell at
//! once and only once (and reconciliation still balances), a pause refuses until a resume. Each
//! change is in the audit log with who made it and what it was before and after.

use std::sync::Arc;
use std::time::Duration;

use festival_domain::Deal;
use futures::future::join_all;
use libtest_mimic::Failed;
use serde_json::{Value, json};

use crate::chromium::Browser;
use crate::stack::{
    BOARD_SETTLES_WITHIN, MARKETER_TOKEN, Shopper, Stack, check, eventually, order_body,
};

/// `POST /api/console/deals/{id}/live` with `action`: status and answer.
async fn act(stack: &Stack, deal: &Deal, action: Value) -> Result<(u16, Value), Failed> {
    let path = format!("/api/console/deals/{}/live", deal.id);
    let body = action.to_string();
    stack
        .call_with_token(
            reqwest::Method::POST,
            &path,
            Some(MARKETER_TOKEN),
            Some(&body),
        )
        .await
}

/// `count` orders at once from new shoppers named `{tag}-{n}`: each one's status and code.
async fn orders(
    stack: &Stack,
    deal: &Deal,
    tag: &str,
    count: usize,
) -> Result<Vec<(u16, String)>, Failed> {
    let answers = join_all((0..count).map(|n| async move {
        let shopper = Shopper::minted(&format!("{tag}-{n}"));
        let key = format!("{tag}-key-{n:04}");
        let (status, answer) = stack
            .post_order_retrying(&shopper, &order_body(deal, 1, &key, &shopper))
            .await?;
        Ok::<_, Failed>((status, answer["code"].as_str().unwrap_or("").to_owned()))
    }))
    .await;
    answers.into_iter().collect()
}

fn count(answers: &[(u16, String)], status: u16, code: &str) -> usize {
    answers
        .iter()
        .filter(|(s, c)| *s == status && c == code)
        .count()
}

/// The newest audit entry about `deal`, as the console reads the log through the edge.
async fn last_audit_entry(stack: &Stack, deal: &Deal) -> Result<Value, Failed> {
    let (status, page) = stack
        .call_with_token(
            reqwest::Method::GET,
            "/api/console/audit?limit=100",
            Some(MARKETER_TOKEN),
            None,
        )
        .await?;
    check(status == 200, format!("the audit log: {status} {page}"))?;
    page["entries"]
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .find(|e| e["subject"]["id"] == deal.id.as_str())
        })
        .cloned()
        .ok_or_else(|| format!("no audit entry for {}: {page}", deal.id).into())
}

/// Ending a sale while 4 shards take a stream of orders: orders sent before or during the end
/// are accepted or refused `sale_ended`; every order sent after the console was answered is
/// refused `sale_ended`, although the isolates' catalog still shows the sale open.
pub async fn an_ended_sale_refuses_orders_from_that_moment(
    stack: Arc<Stack>,
) -> Result<(), Failed> {
    let deal = stack
        .schedule_open_sharded("e2e-end-now", 1_000, 1, 4)
        .await?;
    // The orders after the end go the moment the console is answered, while the race is still
    // on: an isolate's board is then still the one from before the end.
    let racing = orders(&stack, &deal, "end-race", 60);
    let ending = async {
        let ended = act(&stack, &deal, json!({"action": "end"})).await;
        let after = orders(&stack, &deal, "end-after", 40).await;
        (ended, after)
    };
    let (raced, (ended, after)) = tokio::join!(racing, ending);
    let (raced, (status, ended), after) = (raced?, ended?, after?);
    check(status == 200, format!("end now: {status} {ended}"))?;
    check(
        ended["live"]["ended_at"].is_i64(),
        format!("the answer says when it ended: {ended}"),
    )?;
    check(
        count(&raced, 202, "") + count(&raced, 409, "sale_ended") == raced.len(),
        format!("orders racing the end are taken or refused sale_ended: {raced:?}"),
    )?;
    check(
        count(&after, 409, "sale_ended") == after.len(),
        format!("every order after the end is refused sale_ended: {after:?}"),
    )?;
    let (status, again) = act(&stack, &deal, json!({"action": "pause"})).await?;
    check(
        status == 409 && again["code"] == "live_action_refused",
        format!("an ended sale takes no more changes: {status} {again}"),
    )?;
    let entry = last_audit_entry(&stack, &deal).await?;
    check(
        entry["action"] == "end"
            && entry["actor"] == "marketer"
            && entry["before"]["live"]["ended_at"].is_null()
            && entry["after"]["live"]["ended_at"] == ended["live"]["ended_at"],
        format!("the audit log has the end, before and after: {entry}"),
    )?;
    eventually(Duration::from_secs(15), || async {
        let catalog = stack.catalog().await?;
        Ok(catalog.deals.iter().any(|d| {
            d.deal.id == deal.id
                && d.deal.ends_at.0 <= ended["live"]["ended_at"].as_i64().unwrap_or(0)
        }))
    })
    .await
}

/// A sold-out deal on 2 shards gets 5 more units, the same top-up sent twice: 20 orders at once
/// right after buy exactly 5, the catalog shows 15 in stock, and reconciliation agrees and
/// balances (stock + added = left + sold).
pub async fn stock_added_live_sells_at_once_and_once(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open_sharded("e2e-top-up", 10, 1, 2).await?;
    let first = orders(&stack, &deal, "top-up-first", 30).await?;
    check(
        count(&first, 202, "") == 10,
        format!("the scheduled 10 sell: {first:?}"),
    )?;
    let top_up = json!({"action": "top_up", "units": 5, "key": "supplier-delivery-1"});
    let (racing, added) = tokio::join!(
        orders(&stack, &deal, "top-up-race", 10),
        act(&stack, &deal, top_up.clone())
    );
    let (status, added) = added?;
    check(status == 200, format!("top-up: {status} {added}"))?;
    let (status, twice) = act(&stack, &deal, top_up).await?;
    check(
        status == 200 && twice["live"]["added_units"] == 5,
        format!("the same top-up again adds nothing: {status} {twice}"),
    )?;
    let after = orders(&stack, &deal, "top-up-after", 20).await?;
    let sold_after_top_up = count(&racing?, 202, "") + count(&after, 202, "");
    check(
        sold_after_top_up == 5,
        format!("exactly the 5 added units sell, at once: {sold_after_top_up}, {after:?}"),
    )?;
    let entry = last_audit_entry(&stack, &deal).await?;
    check(
        entry["action"] == "top_up" && entry["after"]["live"]["added_units"] == 5,
        format!("the audit log has one top-up: {entry}"),
    )?;
    // Reconciliation agrees with origin and the edge's books balance with the units added.
    let sold = crate::burst::drained(&stack, &deal).await?;
    check(
        sold == 15,
        format!("origin holds the 15 units sold: {sold}"),
    )?;
    let report = tokio::task::block_in_place(|| {
        festival_stack::reconcile::compare(&stack.edge, &stack.origin, MARKETER_TOKEN)
    })?;
    check(
        report
            .deals
            .iter()
            .any(|l| l.deal_id == deal.id.as_str() && l.added_units == 5 && l.balances),
        format!("reconcile counts the 5 units added:\n{report}"),
    )?;
    // The catalog's board is refreshed from origin and the shards once a second, and cached
    // for a second more, so the added units show within a few seconds, not at once.
    eventually(crate::stack::BOARD_SETTLES_WITHIN, || async {
        let catalog = stack.catalog().await?;
        Ok(catalog
            .deals
            .iter()
            .any(|d| d.deal.id == deal.id && d.deal.stock == 15))
    })
    .await
    .map_err(|e| format!("the catalog counts the units added in the stock: {e:?}").into())
}

/// A paused sale refuses orders `sale_paused` from the moment the console is answered, and
/// takes them again once resumed.
pub async fn a_paused_sale_refuses_until_resumed(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open_sharded("e2e-pause", 100, 1, 2).await?;
    let (status, paused) = act(&stack, &deal, json!({"action": "pause"})).await?;
    check(status == 200, format!("pause: {status} {paused}"))?;
    let during = orders(&stack, &deal, "pause-during", 20).await?;
    check(
        count(&during, 409, "sale_paused") == during.len(),
        format!("every order while paused is refused sale_paused: {during:?}"),
    )?;
    shoppers_see(&stack, &deal, "paused").await?;
    let (status, resumed) = act(&stack, &deal, json!({"action": "resume"})).await?;
    check(status == 200, format!("resume: {status} {resumed}"))?;
    shoppers_see(&stack, &deal, "on_sale").await?;
    let after = orders(&stack, &deal, "pause-after", 10).await?;
    check(
        count(&after, 202, "") == after.len(),
        format!("orders after the resume are taken: {after:?}"),
    )?;
    let entry = last_audit_entry(&stack, &deal).await?;
    check(
        entry["action"] == "resume"
            && entry["before"]["live"]["paused"] == true
            && entry["after"]["live"]["paused"] == false,
        format!("the audit log has the resume: {entry}"),
    )?;
    let (status, bad) = stack
        .call_with_token(
            reqwest::Method::POST,
            &format!("/api/console/deals/{}/live", deal.id),
            Some(MARKETER_TOKEN),
            Some(r#"{"action":"explode"}"#),
        )
        .await?;
    check(
        status == 400 && bad["code"] == "invalid_live_action",
        format!("an unknown action: {status} {bad}"),
    )
}

/// Shoppers see `deal` in `state` (a card's `data-state`), once the board has the change: the
/// public catalog says whether it is paused, and the storefront's card says so in Chromium, with
/// Buy disabled while paused.
async fn shoppers_see(stack: &Stack, deal: &Deal, state: &str) -> Result<(), Failed> {
    let paused = state == "paused";
    eventually(BOARD_SETTLES_WITHIN, || async {
        let catalog: Value = stack
            .http
            .get(format!("{}/api/catalog", stack.edge))
            .send()
            .await?
            .json()
            .await?;
        let listed = catalog["deals"]
            .as_array()
            .and_then(|deals| deals.iter().find(|d| d["deal"]["id"] == deal.id.as_str()))
            .ok_or("the deal is listed")?;
        Ok(listed["paused"].as_bool().unwrap_or(false) == paused)
    })
    .await?;
    let browser = Browser::open(&format!("pause-{state}")).await?;
    browser
        .run(&format!("pause-{state}"), async |b| {
            b.client.set_window_size(375, 812).await?;
            b.client.goto(&stack.edge).await?;
            let card = format!(r#"[data-testid="deal-card"][data-deal-id="{}"]"#, deal.id);
            b.wait_for(&format!(r#"{card} [data-state="{state}"]"#))
                .await?;
            let buy = b
                .wait_for(&format!(r#"{card} [data-testid="buy-button"]"#))
                .await?;
            let (label, disabled) = (buy.text().await?, buy.attr("disabled").await?.is_some());
            let expected = if paused { "Paused" } else { "Buy now" };
            check(
                label == expected && disabled == paused,
                format!("{state}: Buy says {label:?}, disabled {disabled}"),
            )?;
            if paused {
                b.client
                    .execute(
                        "arguments[0].scrollIntoView()",
                        vec![serde_json::to_value(&buy)?],
                    )
                    .await?;
                b.screenshot("storefront-paused-375.png").await?;
                b.client.set_window_size(1280, 800).await?;
                b.screenshot("storefront-paused-1280.png").await?;
            }
            Ok(())
        })
        .await
}
