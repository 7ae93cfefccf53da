//! A purchase on a bad network, in real headless Chromium with the network cut or held through
//! the DevTools protocol: it is sent again by itself with the same idempotency key until an
//! answer comes, and a page reloaded mid-purchase sends that same key again (it is kept in
//! `sessionStorage`), so either way the shopper ends with exactly one order. And a hidden tab
//! polls nothing until it is shown. Screenshots of the
//! "still trying" note and the offline banner, at 375 and 1280 px, are saved under
//! `target/festival-artifacts/`.

use std::sync::Arc;
use std::time::Duration;

use fantoccini::Locator;
use libtest_mimic::Failed;
use serde_json::{Value, json};

use crate::chromium::{Browser, deal_card as card};
use crate::stack::{Stack, check};

/// Cuts (`true`) or restores the page's network.
async fn offline(b: &Browser, cut: bool) -> Result<(), Failed> {
    let conditions = json!({
        "offline": cut, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    });
    b.cdp("Network.emulateNetworkConditions", conditions).await
}

/// How long a new order may take to join its shopper's list: the storefront's key names its
/// deal, so the list shows it through the browser's `festival.recent` cookie, or once the
/// queue's consumer has noted it, a second or two after it was accepted.
const LISTED_WITHIN: Duration = Duration::from_secs(20);

/// How many orders the page's shopper holds in `deal`, asked through the API with their
/// session, once the list shows any (the stock checks that follow count what was sold at once).
async fn orders_in(b: &Browser, deal: &str) -> Result<usize, Failed> {
    let script = r#"
        const [deal, done] = arguments;
        fetch('/api/orders', {cache: 'no-store'})
            .then(r => r.json())
            .then(j => done(j.orders.filter(o => o.deal_id === deal).length))
            .catch(e => done(String(e)));
    "#;
    let deadline = tokio::time::Instant::now() + LISTED_WITHIN;
    loop {
        let count = b.client.execute_async(script, vec![json!(deal)]).await?;
        let count = count.as_u64().ok_or(format!("the order list: {count}"))? as usize;
        if count > 0 || tokio::time::Instant::now() > deadline {
            return Ok(count);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Bought with the network cut: the button says it is still trying (and the offline banner
/// shows); once the network is back the order page opens, and there is one order.
pub async fn purchase_survives_a_cut_network(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-net-cut", 10, 5).await?;
    let browser = Browser::open("net-cut").await?;
    browser
        .run("purchase-offline", async |b| {
            b.client.goto(&stack.edge).await?;
            let card = card(deal.id.as_str());
            let buy = format!(r#"{card} [data-testid="buy-button"]:not([disabled])"#);
            let buy = b.wait_for(&buy).await?;
            b.cdp("Network.enable", json!({})).await?;
            offline(b, true).await?;
            buy.click().await?;
            let note = b
                .text(&format!(r#"{card} [data-testid="buy-retrying"]"#))
                .await?;
            check(note.contains("Retrying"), format!("still trying: {note:?}"))?;
            let banner = b.text(r#"[data-testid="offline-banner"]"#).await?;
            check(
                banner.contains("can't reach"),
                format!("the banner: {banner:?}"),
            )?;
            for width in [1280, 375] {
                b.client.set_window_size(width, 900).await?;
                let note = format!(r#"{card} [data-testid="buy-retrying"]"#);
                let note = b.wait_for(&note).await?;
                let center = "arguments[0].scrollIntoView({block: 'center'})";
                b.client.execute(center, vec![json!(note)]).await?;
                b.screenshot(&format!("purchase-offline-{width}.png"))
                    .await?;
            }
            b.client.set_window_size(1280, 900).await?;
            offline(b, false).await?;
            b.wait_for(r#"[data-testid="order-status"]"#).await?;
            let orders = orders_in(b, deal.id.as_str()).await?;
            check(orders == 1, format!("one order, not {orders}"))?;
            let left = stack.stock_left_reaching(&deal, 9).await?;
            check(left == 9, format!("one unit sold: {left} left"))
        })
        .await
}

/// The order reaches the edge but its answer is held (DevTools' `Fetch` pauses it), the shopper
/// reloads, the network heals: the reloaded page sends the kept key again and shows that same
/// order. Were the key lost, the page would offer Buy again, and the shopper who presses it
/// would hold two orders: this test presses it if offered.
pub async fn a_reload_mid_purchase_buys_once(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-net-reload", 10, 5).await?;
    let browser = Browser::open("net-reload").await?;
    browser
        .run("purchase-reload", async |b| {
            b.client.goto(&stack.edge).await?;
            let card = card(deal.id.as_str());
            let buy = format!(r#"{card} [data-testid="buy-button"]:not([disabled])"#);
            let held =
                json!({"patterns": [{"urlPattern": "*/api/orders", "requestStage": "Response"}]});
            b.wait_for(&buy).await?;
            b.cdp("Fetch.enable", held).await?;
            b.wait_for(&buy).await?.click().await?;
            // The edge took the order; the page has not heard.
            let left = stack.stock_left_reaching(&deal, 9).await?;
            check(
                left == 9,
                format!("the first send took a unit: {left} left"),
            )?;
            b.client.refresh().await?;
            b.cdp("Fetch.disable", json!({})).await?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            let mut pressed = false;
            while !b.client.current_url().await?.path().starts_with("/orders/") {
                check(
                    tokio::time::Instant::now() < deadline,
                    "no order page after the reload",
                )?;
                if !pressed && let Ok(button) = b.client.find(Locator::Css(&buy)).await {
                    pressed = button.click().await.is_ok();
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            b.wait_for(r#"[data-testid="order-status"]"#).await?;
            let orders = orders_in(b, deal.id.as_str()).await?;
            check(
                orders == 1,
                format!("one order after the reload, not {orders}"),
            )?;
            let left = stack.stock_left_reaching(&deal, 9).await?;
            check(left == 9, format!("one unit sold: {left} left"))
        })
        .await
}

/// Records, from now on and in the page's own clock (`performance.now()`), when each catalog
/// poll starts (`window.pollsAt`: when the app calls `fetch`, not when an answer arrives) and
/// when the tab is hidden or shown (`window.seen`). Timed in the page, the test does not depend
/// on how fast WebDriver or a busy shop answers.
async fn record_polls_and_visibility(b: &Browser) -> Result<(), Failed> {
    let script = "window.pollsAt = []; window.seen = []; \
        document.addEventListener('visibilitychange', \
            () => seen.push([document.visibilityState, performance.now()])); \
        const fetch = window.fetch; \
        window.fetch = function (url) { \
            if (String(url).includes('/api/catalog')) pollsAt.push(performance.now()); \
            return fetch.apply(this, arguments); };";
    b.client.execute(script, vec![]).await?;
    Ok(())
}

/// The polls and visibility changes recorded so far, and the page's clock now.
async fn recorded(b: &Browser) -> Result<Value, Failed> {
    Ok(b.client
        .execute(
            "return {polls: pollsAt, seen: seen, now: performance.now()}",
            vec![],
        )
        .await?)
}

/// Judges a [`recorded`] page once it has been hidden and shown: at most one poll while hidden
/// (one may start as the tab goes), and the first poll after it is shown within 2.5 s, less than
/// a period. `None` while that cannot be told yet.
fn first_poll_after_shown(record: &Value) -> Option<Result<(), Failed>> {
    let seen = record["seen"].as_array()?;
    let at = |state: &str| seen.iter().find(|s| s[0] == state)?[1].as_f64();
    let (hidden_at, shown_at) = (at("hidden")?, at("visible")?);
    let polls: Vec<f64> = record["polls"]
        .as_array()?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let while_hidden = polls
        .iter()
        .filter(|t| (hidden_at..shown_at).contains(*t))
        .count();
    if while_hidden > 1 {
        return Some(Err(
            format!("{while_hidden} catalog polls while hidden").into()
        ));
    }
    let waited = match polls.iter().find(|t| **t >= shown_at) {
        Some(first) => first - shown_at,
        None => record["now"].as_f64()? - shown_at,
    };
    let polled = polls.iter().any(|t| *t >= shown_at);
    match (polled, waited < 2_500.0) {
        (true, true) => Some(Ok(())),
        (false, true) => None,
        (_, false) => Some(Err(format!(
            "no catalog poll within 2.5 s of the tab being shown ({waited:.0} ms)"
        )
        .into())),
    }
}

/// A tab in the background polls nothing (the catalog is polled every 3 s while shown), and
/// polls again as soon as it is shown.
pub async fn polling_pauses_in_a_hidden_tab(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-net-hidden", 10, 5).await?;
    let browser = Browser::open("net-hidden").await?;
    browser
        .run("polling-hidden", async |b| {
            b.client.goto(&stack.edge).await?;
            b.wait_for(&card(deal.id.as_str())).await?;
            record_polls_and_visibility(b).await?;
            let shop = b.client.window().await?;
            // Another tab in front: the shop's tab is hidden for 10 s, three periods.
            let other = b.client.new_window(true).await?;
            b.client.switch_to_window(other.handle).await?;
            tokio::time::sleep(Duration::from_secs(10)).await;
            b.client.close_window().await?;
            b.client.switch_to_window(shop).await?;
            // Shown again: it polls at once, sooner than a period (3 s) after it is visible.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
            loop {
                let record = recorded(b).await?;
                if let Some(verdict) = first_poll_after_shown(&record) {
                    return verdict;
                }
                check(
                    tokio::time::Instant::now() < deadline,
                    format!("the tab was not hidden and shown again: {}", record["seen"]),
                )?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await
}
