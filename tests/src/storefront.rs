//! The storefront in real headless Chromium, driven over WebDriver against the shared stack:
//! the language switch (words, deal names and price format, remembered after a reload), the layout at phone
//! and desktop widths (no horizontal overflow; screenshots under `target/festival-artifacts/`),
//! "sold out" and "limit reached" in words, and "my orders" with Cancel.
//!
//! Each test opens its own browser (its own profile, so its own session) and schedules its own
//! deals, so they run beside the API tests on the same stack.

use std::sync::Arc;
use std::time::Duration;

use festival_domain::deal::DealWords;
use libtest_mimic::Failed;
use serde_json::json;

use crate::chromium::{Browser, deal_card as card};
use crate::stack::{Shopper, Stack, check, eventually, order_body, test_deal};

/// en → ko → zh changes the words and the price format, and the choice outlives a reload.
pub async fn language_switch(stack: Arc<Stack>) -> Result<(), Failed> {
    let mut deal = test_deal("e2e-sf-lang", 5, 2, 0, 2_000, 3_600_000)?;
    for (tag, name) in [("ko", "축제 등불"), ("zh-CN", "节日灯笼")] {
        let words = DealWords {
            lang: tag.into(),
            name: name.into(),
            description: String::new(),
        };
        deal.translations.push(words);
    }
    let deal = stack.schedule_deal(deal).await?;
    stack.edge_clock_reaches(deal.starts_at).await?;
    deal_words_follow_the_language(&stack).await?;
    let card = card(deal.id.as_str());
    let name = format!(r#"{card} [data-testid="deal-name"]"#);
    let browser = Browser::open("lang").await?;
    browser
        .run("language", async |b| {
            b.client.goto(&stack.edge).await?;
            let price = format!(r#"{card} [data-testid="deal-price"]"#);
            let buy = format!(r#"{card} [data-testid="buy-button"]"#);
            let link = r#"[data-testid="my-orders-link"]"#;
            let en_price = b.text_until(&price, |t| t.contains("12.50")).await?;
            check(en_price == "$12.50", format!("English price: {en_price:?}"))?;
            check(b.text(link).await? == "My orders", "English words")?;

            let switch = r#"[data-testid="language"]"#;
            b.wait_for(switch).await?.select_by_value("ko").await?;
            b.text_until(link, |t| t == "내 주문").await?;
            b.text_until(&buy, |t| t == "지금 구매").await?;
            b.text_until(&name, |t| t == "축제 등불").await?;
            let ko_price = b.text(&price).await?;
            check(
                ko_price != en_price && ko_price.contains("12.50"),
                format!("Korean price format: {ko_price:?}"),
            )?;
            b.screenshot("storefront-ko-1280.png").await?;

            b.wait_for(switch).await?.select_by_value("zh-CN").await?;
            b.text_until(link, |t| t == "我的订单").await?;
            b.text_until(&buy, |t| t == "立即购买").await?;
            b.text_until(&name, |t| t == "节日灯笼").await?;
            let lang = b
                .client
                .execute("return document.documentElement.lang", vec![])
                .await?;
            check(
                lang == json!("zh-CN"),
                format!("<html lang> follows: {lang}"),
            )?;

            b.client.refresh().await?;
            b.text_until(link, |t| t == "我的订单").await?;
            let zh_price = b.text_until(&price, |t| t.contains("12.50")).await?;
            check(
                zh_price != en_price,
                format!("Chinese price format after a reload: {zh_price:?}"),
            )?;
            b.screenshot("storefront-zh-1280.png").await
        })
        .await
}

/// The public catalog gives the deals' words in the language asked for, the default words
/// where none were given, and never the other languages' words.
async fn deal_words_follow_the_language(stack: &Stack) -> Result<(), Failed> {
    for (lang, name) in [
        ("ko-KR", "축제 등불"),
        ("zh-CN", "节日灯笼"),
        ("en", "Test deal e2e-sf-lang"),
    ] {
        let url = format!("{}/api/catalog?lang={lang}", stack.edge);
        let catalog: serde_json::Value = stack.http.get(url).send().await?.json().await?;
        let deals = catalog["deals"].as_array().ok_or("no deals")?;
        let ours = deals
            .iter()
            .map(|d| &d["deal"])
            .find(|d| d["id"] == "e2e-sf-lang")
            .ok_or("the deal is listed")?;
        check(ours["name"] == name, format!("{lang}: {}", ours["name"]))?;
        check(
            ours["description"] == "A deal scheduled by an end-to-end test.",
            format!("{lang}: the default description where none is given"),
        )?;
        check(
            deals
                .iter()
                .all(|d| d["deal"].get("translations").is_none()),
            format!("{lang}: one language on the wire"),
        )?;
    }
    Ok(())
}

/// At 375 px and 1280 px nothing overflows sideways, on the festival page and a deal page.
pub async fn layout(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule("e2e-sf-layout", 20, 3, 600_000).await?;
    let browser = Browser::open("layout").await?;
    browser
        .run("layout", async |b| {
            let pages = [
                ("storefront", stack.edge.clone()),
                ("deal", format!("{}/deals/{}", stack.edge, deal.id)),
            ];
            for (page, url) in pages {
                b.client.set_window_size(1280, 900).await?;
                b.client.goto(&url).await?;
                b.wait_for(r#"[data-testid="deal-state"]"#).await?;
                for (width, height) in [(375, 812), (1280, 900)] {
                    b.client.set_window_size(width, height).await?;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    b.fits_the_window(&format!("{page} at {width} px")).await?;
                    b.screenshot(&format!("{page}-{width}.png")).await?;
                }
            }
            Ok(())
        })
        .await
}

/// A deal bought out by someone else reads "Sold out"; a second purchase past the per-customer
/// limit reads "You've reached the limit".
pub async fn sold_out_and_limit_reached(stack: Arc<Stack>) -> Result<(), Failed> {
    let gone = stack.schedule_open("e2e-sf-gone", 1, 1).await?;
    let limited = stack.schedule_open("e2e-sf-limit", 5, 1).await?;
    let browser = Browser::open("refusals").await?;
    browser
        .run("refusals", async |b| {
            b.client.goto(&stack.edge).await?;
            b.wait_for(&card(gone.id.as_str())).await?;
            let other = Shopper::minted("e2e-sf-other");
            let (status, answer) = stack
                .post_order(&other, &order_body(&gone, 1, "e2e-sf-gone-0001", &other))
                .await?;
            check(
                status == 202,
                format!("another shopper buys the last unit: {answer}"),
            )?;
            let gone_card = card(gone.id.as_str());
            let state = format!(r#"{gone_card} [data-testid="deal-state"][data-state="sold_out"]"#);
            let words = b.text(&state).await?;
            check(
                words.contains("Sold out"),
                format!("sold out in words: {words:?}"),
            )?;

            let limited_card = card(limited.id.as_str());
            let buy = format!(r#"{limited_card} [data-testid="buy-button"]:not([disabled])"#);
            b.wait_for(&buy).await?.click().await?;
            b.wait_for(r#"[data-testid="order-status"]"#).await?;
            b.client.back().await?;
            b.wait_for(&buy).await?.click().await?;
            let refusal = format!(r#"{limited_card} [data-testid="refusal"]"#);
            let words = b.text(&refusal).await?;
            check(
                words.contains("reached the limit"),
                format!("limit reached in words: {words:?}"),
            )?;
            b.screenshot("refusals-1280.png").await
        })
        .await
}

/// An order shows under "My orders"; Cancel turns it cancelled and returns the unit.
pub async fn my_orders_cancel(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack.schedule_open("e2e-sf-cancel", 4, 2).await?;
    let browser = Browser::open("cancel").await?;
    browser
        .run("cancel", async |b| {
            b.client.goto(&stack.edge).await?;
            let buy = format!(
                r#"{} [data-testid="buy-button"]:not([disabled])"#,
                card(deal.id.as_str())
            );
            b.wait_for(&buy).await?.click().await?;
            let id = b.text(r#"[data-testid="order-id"]"#).await?;
            // The catalog's stock may lag the shard by a moment.
            eventually(Duration::from_secs(30), || async {
                Ok(stack.stock_left(&deal).await? == 3)
            })
            .await?;

            b.wait_for(r#"[data-testid="my-orders-link"]"#)
                .await?
                .click()
                .await?;
            let row = format!(r#"[data-testid="my-order"][data-order-id="{id}"]"#);
            b.wait_for(&row).await?;
            b.screenshot("my-orders-1280.png").await?;
            b.wait_for(&format!(r#"{row} [data-testid="cancel-button"]"#))
                .await?
                .click()
                .await?;
            b.wait_for(&format!(
                r#"{row} [data-testid="my-order-status"][data-status="cancelled"]"#
            ))
            .await?;
            eventually(Duration::from_secs(30), || async {
                Ok(stack.stock_left(&deal).await? == 4)
            })
            .await?;
            b.client.set_window_size(375, 812).await?;
            b.screenshot("my-orders-cancelled-375.png").await
        })
        .await
}
