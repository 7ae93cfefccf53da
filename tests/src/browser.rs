//! Test 6: a shopper in real headless Chromium, driven over WebDriver: the countdown ticks, the
//! deal cards show, Buy leads to an order page that reaches `confirmed`. Screenshots are saved
//! under `target/festival-artifacts/`.

use std::time::Duration;

use fantoccini::{Client, Locator};
use libtest_mimic::Failed;

use crate::chromium::{Browser, PATIENCE, open_deal_card, screenshot};
use crate::stack::{Stack, check};

pub async fn purchase() -> Result<(), Failed> {
    let stack = Stack::start("browser", &[]).await?;
    // Opens in 25 s: time to load the page and watch the countdown tick.
    let deal = stack.schedule("e2e-browser-lantern", 3, 1, 25_000).await?;
    Browser::open("purchase")
        .await?
        .run("purchase", async |browser: &Browser| {
            shop(&stack, &browser.client, deal.id.as_str()).await
        })
        .await
}

async fn shop(stack: &Stack, client: &Client, deal_id: &str) -> Result<(), Failed> {
    let card = open_deal_card(client, &stack.edge, deal_id).await?;
    let countdown = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(r#"[data-testid="countdown"]"#))
        .await?;
    let before = countdown.text().await?;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let after = countdown.text().await?;
    check(
        before != after,
        format!("the countdown ticks: {before:?} then {after:?}"),
    )?;
    let name = client
        .find(Locator::Css(&format!(
            r#"{card} [data-testid="deal-name"]"#
        )))
        .await?
        .text()
        .await?;
    check(
        name.contains("Test deal e2e-browser-lantern"),
        format!("the card names the deal: {name:?}"),
    )?;
    let price = client
        .find(Locator::Css(&format!(
            r#"{card} [data-testid="deal-price"]"#
        )))
        .await?
        .text()
        .await?;
    check(
        price.contains("12.50"),
        format!("the card shows the sale price: {price:?}"),
    )?;
    screenshot(client, "storefront-countdown-1280.png").await?;
    client.set_window_size(375, 812).await?;
    screenshot(client, "storefront-countdown-375.png").await?;
    client.set_window_size(1280, 900).await?;

    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(r#"[data-testid="on-sale"]"#))
        .await?;
    let buy = format!(r#"{card} [data-testid="buy-button"]:not([disabled])"#);
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&buy))
        .await?
        .click()
        .await?;

    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(
            r#"[data-testid="order-status"][data-status="confirmed"]"#,
        ))
        .await?;
    let url = client.current_url().await?;
    check(
        url.path().starts_with("/orders/"),
        format!("Buy leads to the order page: {url}"),
    )?;
    screenshot(client, "order-confirmed-1280.png").await?;
    client.set_window_size(375, 812).await?;
    screenshot(client, "order-confirmed-375.png").await?;
    Ok(())
}
