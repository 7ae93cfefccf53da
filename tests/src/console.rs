//! The marketer console through the edge, on the shared stack: the console API refuses a missing
//! or wrong token at the edge (401, origin never asked); in real headless Chromium a wrong token
//! shows nothing of the console, and a sale scheduled in the console appears on the storefront's
//! catalog with its price and stock within 5 s; cancelling a sale inside origin's edit freeze
//! shows origin's refusal beside it. The dead-letter tests use its panel checks: while letters
//! wait, the live dashboard says how many, why and what to do, and the panel leaves with them.
//! Screenshots go to `target/festival-artifacts/`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use festival_domain::Deal;
use festival_domain::freeze::EditFreeze;
use festival_domain::time::format_utc;
use libtest_mimic::Failed;
use reqwest::Method;
use serde_json::json;

use crate::chromium::{Browser, PATIENCE, open_deal_card, screenshot};
use crate::stack::{MARKETER_TOKEN, Stack, check};

/// How soon a scheduled sale must be on the storefront (issue 4, item 6).
const ON_STOREFRONT_WITHIN: Duration = Duration::from_secs(5);

pub async fn refuses_wrong_token_and_schedules_a_sale(stack: Arc<Stack>) -> Result<(), Failed> {
    api_needs_the_token(&stack).await?;
    Browser::open("console")
        .await?
        .run("console", async |browser: &Browser| {
            marketer(&stack, &browser.client).await
        })
        .await
}

/// What the console reads — `/api/console/*` and the dead letters — without the right token is
/// a 401 with a stable code.
async fn api_needs_the_token(stack: &Stack) -> Result<(), Failed> {
    /// Whether a 200's body is what the route answers.
    type Shape = fn(&serde_json::Value) -> bool;
    let answers: [(&str, Shape); 2] = [
        ("/api/console/deals", |deals| deals.is_array()),
        ("/api/ops/dead-letters", |summary| {
            summary["letters"].is_u64()
        }),
    ];
    for (path, expected) in answers {
        for token in [None, Some("wrong-token"), Some("")] {
            let (status, body) = stack
                .call_with_token(Method::GET, path, token, None)
                .await?;
            check(
                status == 401 && body["code"] == "unauthorized",
                format!("{path} with token {token:?}: {status} {body}"),
            )?;
        }
        let (status, body) = stack
            .call_with_token(Method::GET, path, Some(MARKETER_TOKEN), None)
            .await?;
        check(
            status == 200 && expected(&body),
            format!("{path} answers the right token: {status} {body}"),
        )?;
    }
    Ok(())
}

async fn marketer(stack: &Stack, client: &Client) -> Result<(), Failed> {
    // A sale five minutes away: inside origin's default edit freeze (10 minutes) from the start.
    let frozen = stack.schedule("e2e-console-frozen", 5, 1, 300_000).await?;
    client.goto(&format!("{}/console/", stack.edge)).await?;
    signs_in_after_a_wrong_token(client).await?;

    let name = format!("Console lantern {}", std::process::id());
    let (deal_id, scheduled_at) = schedules_a_sale(client, &name).await?;
    listed_on_the_storefront(stack, &deal_id, &name, scheduled_at).await?;
    the_big_screen_lists_it(client, &deal_id).await?;

    frozen_sale_is_refused_in_words(client, &frozen).await?;
    client.set_window_size(1280, 900).await?;
    csv_downloads_without_a_word(client, &deal_id).await?;

    // And a shopper's storefront shows its card, at the marketer's price and stock.
    client.set_window_size(1280, 900).await?;
    let card = open_deal_card(client, &stack.edge, &deal_id).await?;
    let text_of = async |part: &str| -> Result<String, Failed> {
        let css = format!(r#"{card} [data-testid="{part}"]"#);
        Ok(client.find(Locator::Css(&css)).await?.text().await?)
    };
    let (price, stock) = (text_of("deal-price").await?, text_of("deal-stock").await?);
    check(
        price.contains("12.50") && stock.starts_with("7 of 7"),
        format!("the storefront card: price {price:?}, stock {stock:?}"),
    )
}

/// A wrong token: the API says 401, the page says so and shows nothing of the console; then
/// the marketer's token opens the form and the dashboard.
async fn signs_in_after_a_wrong_token(client: &Client) -> Result<(), Failed> {
    sign_in(client, "not-the-marketer-token").await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&testid("console-denied")))
        .await?;
    for hidden in ["deal-form", "dashboard", "console-deal"] {
        let shown = client.find_all(Locator::Css(&testid(hidden))).await?;
        check(
            shown.is_empty(),
            format!("{hidden} is hidden after a wrong token"),
        )?;
    }
    screenshot(client, "console-denied-1280.png").await?;

    sign_in(client, MARKETER_TOKEN).await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&testid("deal-form")))
        .await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&testid("dashboard-total")))
        .await?;
    Ok(())
}

/// Fills the form with a valid sale named `name` (no field shows a problem) and schedules it:
/// its id, from the row it gets in the list, and when it was sent.
async fn schedules_a_sale(client: &Client, name: &str) -> Result<(String, Instant), Failed> {
    fill(client, "name", name).await?;
    fill(
        client,
        "description",
        "Scheduled in the console by an end-to-end test.",
    )
    .await?;
    fill(client, "price_minor", "12.50").await?;
    fill(client, "was_price_minor", "25.00").await?;
    fill(client, "currency", "USD").await?;
    fill(client, "stock", "7").await?;
    fill(client, "per_customer_limit", "2").await?;
    // The Korean name, under "Other languages" (folded while the deal has none).
    client
        .find(Locator::Css(&format!(
            "{} summary",
            testid("other-languages")
        )))
        .await?
        .click()
        .await?;
    fill(client, "name-ko", KOREAN_NAME).await?;
    // datetime-local inputs take keystrokes per segment and per locale; set their value the way
    // the browser does after a pick, in the browser's own time zone.
    client
        .execute(
            r#"
            const local = (ms) => {
                const d = new Date(ms);
                return new Date(ms - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
            };
            for (const [id, ms] of [["field-starts_at", Date.now() + 600000],
                                     ["field-ends_at", Date.now() + 4200000]]) {
                const input = document.getElementById(id);
                input.value = local(ms);
                input.dispatchEvent(new Event("input", { bubbles: true }));
            }
            "#,
            vec![],
        )
        .await?;
    let errors = client
        .execute(
            r#"return [...document.querySelectorAll('[data-testid^="field-error-"]')]
                   .map(e => e.textContent).filter(t => t.length > 0);"#,
            vec![],
        )
        .await?;
    check(
        errors == json!([]),
        format!("a valid form shows no problem: {errors}"),
    )?;

    client
        .find(Locator::Css(&testid("schedule-submit")))
        .await?
        .click()
        .await?;
    let scheduled_at = Instant::now();
    let row = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(&format!(
            r#"//*[@data-testid="console-deal"][.//strong[normalize-space()="{name}"]]"#
        )))
        .await?;
    let deal_id = row
        .attr("data-deal-id")
        .await?
        .ok_or("the scheduled sale has a data-deal-id")?;
    Ok((deal_id, scheduled_at))
}

/// On the storefront's catalog within [`ON_STOREFRONT_WITHIN`], with the price and stock the
/// marketer typed.
async fn listed_on_the_storefront(
    stack: &Stack,
    deal_id: &str,
    name: &str,
    scheduled_at: Instant,
) -> Result<(), Failed> {
    loop {
        let catalog = stack.catalog().await?;
        if let Some(listed) = catalog.deals.iter().find(|d| d.deal.id.as_str() == deal_id) {
            check(
                listed.deal.price_minor == 1_250
                    && listed.deal.was_price_minor == 2_500
                    && listed.deal.stock == 7
                    && listed.stock_left == 7
                    && listed.deal.per_customer_limit == 2
                    && listed.deal.name == name,
                format!("the storefront lists the sale as scheduled: {listed:?}"),
            )?;
            let url = format!("{}/api/catalog?lang=ko", stack.edge);
            let korean: serde_json::Value = stack.http.get(url).send().await?.json().await?;
            let names: Vec<_> = korean["deals"]
                .as_array()
                .ok_or("deals")?
                .iter()
                .filter(|d| d["deal"]["id"] == deal_id)
                .map(|d| d["deal"]["name"].clone())
                .collect();
            check(
                names == [json!(KOREAN_NAME)],
                format!("a Korean reader sees the Korean name: {names:?}"),
            )?;
            break;
        }
        check(
            scheduled_at.elapsed() <= ON_STOREFRONT_WITHIN,
            format!("{deal_id} on the storefront within {ON_STOREFRONT_WITHIN:?}"),
        )?;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// The big screen lists the sale too, 7 units left; keep pictures of both widths.
async fn the_big_screen_lists_it(client: &Client, deal_id: &str) -> Result<(), Failed> {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&format!(
            r#"[data-testid="dashboard-deal"][data-deal-id="{deal_id}"] [data-testid="orders-chart"]"#
        )))
        .await?;
    let left = client
        .find(Locator::Css(&format!(
            r#"[data-testid="dashboard-deal"][data-deal-id="{deal_id}"] [data-testid="units-left"]"#
        )))
        .await?
        .text()
        .await?;
    check(
        left == "7",
        format!("the dashboard shows 7 units left: {left:?}"),
    )?;
    client.execute("window.scrollTo(0, 0);", vec![]).await?;
    screenshot(client, "console-1280.png").await?;
    client.set_window_size(375, 812).await?;
    screenshot(client, "console-375.png").await?;
    Ok(())
}

/// Cancelling a sale inside the edit freeze: origin refuses 409 `schedule_frozen`, and the
/// console shows origin's words, which name when the freeze began, beside the sale.
async fn frozen_sale_is_refused_in_words(client: &Client, frozen: &Deal) -> Result<(), Failed> {
    let row = format!(
        r#"[data-testid="console-deal"][data-deal-id="{}"]"#,
        frozen.id
    );
    let click = async |part: &str| -> Result<(), Failed> {
        let css = format!("{row} {}", testid(part));
        let button = client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&css));
        button.await?.click().await?;
        Ok(())
    };
    click("cancel-sale-button").await?;
    click("confirm-cancel-button").await?;
    let alert = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&format!(r#"{row} [role="alert"]"#)))
        .await
        .map_err(|e| format!("no refusal beside the sale cancelled inside the freeze: {e}"))?;
    let froze_at = format_utc(EditFreeze::default().begins(frozen.starts_at));
    let words = alert.text().await?;
    check(
        words.contains(&format!("froze at {froze_at}, 10 minutes before it starts")),
        format!("the console shows origin's refusal: {words:?}"),
    )?;
    for (width, height) in [(1280, 900), (375, 812)] {
        client.set_window_size(width, height).await?;
        let scroll = "arguments[0].scrollIntoView({block: 'center'});";
        client
            .execute(scroll, vec![serde_json::to_value(&alert)?])
            .await?;
        screenshot(client, &format!("console-frozen-{width}.png")).await?;
    }
    client.set_window_size(1280, 900).await?;
    Ok(())
}

/// The CSS selector of a `data-testid`.
pub(crate) fn testid(id: &str) -> String {
    format!(r#"[data-testid="{id}"]"#)
}

pub(crate) async fn sign_in(client: &Client, token: &str) -> Result<(), Failed> {
    let input = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&testid("console-token")))
        .await?;
    input.clear().await?;
    input.send_keys(token).await?;
    client
        .find(Locator::Css(&testid("console-sign-in")))
        .await?
        .click()
        .await?;
    Ok(())
}

/// The name the marketer gives the sale in Korean.
const KOREAN_NAME: &str = "콘솔 등불";

async fn fill(client: &Client, field: &str, value: &str) -> Result<(), Failed> {
    let input = client
        .find(Locator::Css(&testid(&format!("field-{field}"))))
        .await?;
    input.clear().await?;
    input.send_keys(value).await?;
    Ok(())
}

/// The sale's "Download CSV" fetches its orders with the token and hands the browser the file:
/// the button comes back, and no problem is shown.
async fn csv_downloads_without_a_word(client: &Client, deal_id: &str) -> Result<(), Failed> {
    let row = format!(r#"[data-testid="console-deal"][data-deal-id="{deal_id}"]"#);
    let button = client
        .find(Locator::Css(&format!(
            r#"{row} [data-testid="download-csv"]"#
        )))
        .await?;
    button.click().await?;
    let mut text = String::new();
    for _ in 0..50 {
        text = button.text().await?;
        if text == "Download CSV" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let problems = client
        .find_all(Locator::Css(&format!(r#"{row} .download [role="alert"]"#)))
        .await?;
    check(
        text == "Download CSV" && problems.is_empty(),
        format!(
            "after a download the button reads {text:?}, {} problem(s)",
            problems.len()
        ),
    )
}
