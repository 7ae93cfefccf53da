//! A live sale controlled in the console, in real headless Chromium: pause (asked again first),
//! resume, add stock, end now — each shown in the sale's row and in effect at the shards (an
//! order is refused as the row says) — and the audit log listing the changes with their before
//! and after. Screenshots of the confirmation, the row and the log at 1280 and 375 px.

use std::sync::Arc;

use fantoccini::{Client, Locator};
use festival_domain::Deal;
use libtest_mimic::Failed;

use crate::chromium::{Browser, PATIENCE, screenshot};
use crate::console::{sign_in, testid};
use crate::stack::{MARKETER_TOKEN, Shopper, Stack, check, order_body};

pub async fn console_controls_a_live_sale(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack
        .schedule_open_sharded("e2e-console-live", 20, 1, 2)
        .await?;
    Browser::open("console-live")
        .await?
        .run("console-live", async |browser: &Browser| {
            controls(&stack, &browser.client, &deal).await
        })
        .await
}

async fn controls(stack: &Stack, client: &Client, deal: &Deal) -> Result<(), Failed> {
    client.set_window_size(1280, 900).await?;
    client.goto(&format!("{}/console/", stack.edge)).await?;
    sign_in(client, MARKETER_TOKEN).await?;
    let row = format!(
        r#"[data-testid="console-deal"][data-deal-id="{}"]"#,
        deal.id
    );
    let live = LiveRow {
        stack,
        client,
        deal,
        row,
    };
    live.pauses().await?;
    live.resumes_and_adds_stock().await?;
    live.ends_now().await?;
    audit_log_shows_the_end(client, deal).await
}

/// The sale's row in the console, and the shop it controls.
struct LiveRow<'a> {
    stack: &'a Stack,
    client: &'a Client,
    deal: &'a Deal,
    /// The row's CSS selector.
    row: String,
}

impl LiveRow<'_> {
    /// Clicks the row's `part` once it shows.
    /// Clicks `part` of the row, brought to the middle of the window first: WebDriver clicks
    /// where it finds it, and near the top the console's sticky bar would take the click.
    async fn click(&self, part: &str) -> Result<(), Failed> {
        let css = format!("{} {}", self.row, testid(part));
        let element = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&css))
            .await?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        element.click().await?;
        Ok(())
    }

    /// The row's standing says `words`.
    async fn standing_reads(&self, words: &str) -> Result<(), Failed> {
        let css = format!("{} {}", self.row, testid("live-standing"));
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&css))
            .await?;
        let text = found.text().await?;
        check(
            text.contains(words),
            format!("the row says {words:?}: {text:?}"),
        )
    }

    /// Shopper `n` orders one unit: the status and the refusal's code.
    async fn order(&self, n: u32) -> Result<(u16, String), Failed> {
        let shopper = Shopper::minted(&format!("console-live-{n}"));
        let key = format!("console-live-key-{n:04}");
        let (status, answer) = self
            .stack
            .post_order_retrying(&shopper, &order_body(self.deal, 1, &key, &shopper))
            .await?;
        Ok((status, answer["code"].as_str().unwrap_or("").to_owned()))
    }

    /// Pause, asked again first: the row says so, and an order is refused `sale_paused`.
    async fn pauses(&self) -> Result<(), Failed> {
        self.click("pause-button").await?;
        pictures(self.client, &self.row, "console-live-confirm").await?;
        self.click("confirm-live-button").await?;
        self.standing_reads("Paused").await?;
        let refused = self.order(1).await?;
        check(
            refused == (409, "sale_paused".into()),
            format!("paused: {refused:?}"),
        )
    }

    /// Resume, then 5 units added live: the row says so, and an order is taken.
    async fn resumes_and_adds_stock(&self) -> Result<(), Failed> {
        let (client, row) = (self.client, &self.row);
        self.click("resume-button").await?;
        self.click("confirm-live-button").await?;
        let units = client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&format!("{row} {}", testid("top-up-units"))))
            .await?;
        units.clear().await?;
        units.send_keys("5").await?;
        self.click("top-up-button").await?;
        self.click("confirm-live-button").await?;
        client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&format!(
                r#"//li[@data-deal-id="{}"]//span[contains(., "+5 units added live")]"#,
                self.deal.id
            )))
            .await?;
        let taken = self.order(2).await?;
        check(taken.0 == 202, format!("resumed: {taken:?}"))
    }

    /// End now: the row says "Ended early", and an order is refused `sale_ended`.
    async fn ends_now(&self) -> Result<(), Failed> {
        self.click("end-now-button").await?;
        self.click("confirm-live-button").await?;
        self.standing_reads("Ended early").await?;
        let ended = self.order(3).await?;
        check(
            ended == (409, "sale_ended".into()),
            format!("ended: {ended:?}"),
        )?;
        pictures(self.client, &self.row, "console-live-ended").await
    }
}

/// The audit log lists the end, by whom, before and after.
async fn audit_log_shows_the_end(client: &Client, deal: &Deal) -> Result<(), Failed> {
    let entries = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(&format!(
            r#"//li[@data-testid="audit-entry"][contains(., "deal {}")][contains(., "end")]"#,
            deal.id
        )))
        .await?;
    let text = entries.text().await?;
    check(
        text.contains("marketer") && text.contains("live.ended_at: —"),
        format!("the audit log shows the end, by whom, before and after: {text:?}"),
    )?;
    pictures(client, "#audit", "console-audit").await
}

/// Screenshots `name-1280.png` and `name-375.png` with `css` in view (scrolled to again at each
/// width: the page reflows), then back to 1280 px.
async fn pictures(client: &Client, css: &str, name: &str) -> Result<(), Failed> {
    for (width, height) in [(1280, 900), (375, 812)] {
        client.set_window_size(width, height).await?;
        let element = client.find(Locator::Css(css)).await?;
        client
            .execute(
                "arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -70);",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        screenshot(client, &format!("{name}-{width}.png")).await?;
    }
    client.set_window_size(1280, 900).await?;
    Ok(())
}
