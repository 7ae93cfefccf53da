//! Test 6: a shopper in real headless Chromium, driven over WebDriver: the countdown ticks, the
//! deal cards show, Buy leads to an order page that reaches `confirmed`. Screenshots are saved
//! under `target/festival-artifacts/`.

use std::process::Command;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use libtest_mimic::Failed;
use serde_json::json;
use xtask::paths;
use xtask::stack::{self, Service};

use crate::stack::{Stack, check};

/// How long the shopper waits for the page to change before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// Starts chromedriver on a free port and opens a headless Chromium session.
async fn open_browser() -> Result<(Service, Client), Failed> {
    let port = stack::free_port();
    let mut command = Command::new("/usr/bin/chromedriver");
    command
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null());
    let mut driver = Service::spawn("chromedriver", command)?;
    let url = format!("http://127.0.0.1:{port}");
    tokio::task::block_in_place(|| {
        stack::wait_until_ok(
            &mut driver,
            &format!("{url}/status"),
            Duration::from_secs(30),
        )
    })?;

    let profile = std::env::temp_dir().join(format!("festival-chromium-{}", std::process::id()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&url)
        .await?;
    Ok((driver, client))
}

async fn screenshot(client: &Client, name: &str) -> Result<(), Failed> {
    let dir = paths::artifacts();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), client.screenshot().await?)?;
    Ok(())
}

pub async fn purchase() -> Result<(), Failed> {
    let stack = Stack::start("browser").await?;
    // Opens in 25 s: time to load the page and watch the countdown tick.
    let deal = stack.schedule("e2e-browser-lantern", 3, 1, 25_000).await?;
    let (_driver, client) = open_browser().await?;
    let result = shop(&stack, &client, deal.id.as_str()).await;
    if result.is_err() {
        let _ = screenshot(&client, "failure.png").await;
    }
    let _ = client.close().await;
    result
}

async fn shop(stack: &Stack, client: &Client, deal_id: &str) -> Result<(), Failed> {
    client.goto(&stack.edge).await?;
    let card = format!(r#"[data-testid="deal-card"][data-deal-id="{deal_id}"]"#);
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&card))
        .await?;
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
