//! Festivals as data, in real Chromium: a festival scheduled through the console's API
//! (`/api/console/festivals`, through the edge to origin) names the storefront's hero, tagline,
//! page title and accent colour, and its countdown follows; an edit shows without a reload;
//! between festivals the hero counts down to the next one and says when it starts, in the
//! festival's time zone with the shopper's own beside it.
//!
//! Festivals are global to a shop (and may not overlap), so each test runs its own stack
//! rather than the shared one, where it would change every other test's hero.

use std::time::Duration;

use libtest_mimic::Failed;
use reqwest::Method;
use serde_json::{Value, json};

use crate::chromium::Browser;
use crate::console::sign_in;
use crate::stack::{
    BOARD_SETTLES_WITHIN, MARKETER_TOKEN, Stack, UNLIMITED, check, eventually, test_deal,
};

const HOUR: i64 = 3_600_000;
/// 2027-11-11 00:00 in Shanghai (UTC+8), 2027-11-10 17:00 in Paris (UTC+1 in November).
const NEXT_ELEVEN_ELEVEN: i64 = 1_825_862_400_000;

/// Sends `festival` to the console's API with the marketer token; answers the status.
async fn console(
    stack: &Stack,
    method: Method,
    path: &str,
    festival: &Value,
) -> Result<u16, Failed> {
    let body = festival.to_string();
    let (status, answer) = stack
        .call_with_token(method, path, Some(MARKETER_TOKEN), Some(&body))
        .await?;
    check(status < 300, format!("{path}: {status} {answer}"))?;
    Ok(status)
}

/// Makes the page's clock read `zone`, as a shopper living there has it.
async fn live_in(b: &Browser, zone: &str) -> Result<(), Failed> {
    b.cdp(
        "Emulation.setTimezoneOverride",
        json!({ "timezoneId": zone }),
    )
    .await
}

/// The hero's words and the page's title and accent, once the hero names `name`.
async fn hero_naming(b: &Browser, name: &str) -> Result<Value, Failed> {
    b.text_until(r#"[data-testid="festival-name"]"#, |t| t == name)
        .await?;
    Ok(b.client
        .execute(
            "const hero = document.querySelector('.hero');
             return {title: document.title,
                     tagline: document.querySelector('[data-testid=festival-tagline]').textContent,
                     kicker: document.querySelector('.hero-kicker').textContent,
                     accent: getComputedStyle(hero).getPropertyValue('--accent').trim()};",
            vec![],
        )
        .await?)
}

/// Has every page loaded from now on record each name its hero shows (`window.heroNames`),
/// from the first parsed element on: a script run before the page's own.
async fn record_hero_names(b: &Browser) -> Result<(), Failed> {
    let source = "window.heroNames = []; new MutationObserver(() => { \
        const h = document.getElementById('festival-name'); \
        const name = h && h.textContent.trim(); \
        if (name && heroNames[heroNames.length - 1] !== name) heroNames.push(name); \
    }).observe(document, {subtree: true, childList: true, characterData: true});";
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": source }),
    )
    .await
}

/// `<name>-375.png` and `<name>-1280.png`: the page at a phone's width and a desktop's, each
/// first scrolled to the element `id` when given.
async fn screenshots(b: &Browser, name: &str, id: Option<&str>) -> Result<(), Failed> {
    for width in [375, 1280] {
        b.client.set_window_size(width, 900).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Some(id) = id {
            let scroll = format!("document.getElementById('{id}').scrollIntoView()");
            b.client.execute(&scroll, vec![]).await?;
        }
        b.screenshot(&format!("{name}-{width}.png")).await?;
    }
    Ok(())
}

/// A festival scheduled through the console's API names the hero, tagline, title and accent;
/// its deal's countdown runs; an edit of the festival shows without a reload.
pub async fn storefront_follows_the_festival() -> Result<(), Failed> {
    let stack = Stack::start("festival-now", UNLIMITED).await?;
    let deal = stack
        .schedule_deal(test_deal("e2e-festival-deal", 10, 2, 0, HOUR, 2 * HOUR)?)
        .await?;
    let now = festival_origin::now().0;
    let mut festival = json!({
        "id": "black-friday", "name": "Black Friday", "tagline": "Doors open at dawn",
        "starts_at": now - 60_000, "ends_at": now + 3 * HOUR,
        "time_zone": "America/New_York", "accent": "#0b5394", "deals": [deal.id],
    });
    let status = console(&stack, Method::POST, "/api/console/festivals", &festival).await?;
    check(status == 201, format!("scheduled: {status}"))?;
    // The edge paints the page with the festival's hero, title and accent, as the app will,
    // once its catalog has the festival (it lags origin by a few seconds).
    let follows = eventually(BOARD_SETTLES_WITHIN, || async {
        let painted = crate::first_paint::page_for(&stack, "en-US,en;q=0.9").await?;
        Ok(painted.contains(r#"class="hero-title">Black Friday</h1>"#)
            && painted.contains("<title>Black Friday Festival</title>")
            && painted.contains(r#"style="--accent:#0b5394""#))
    })
    .await;
    if follows.is_err() {
        let painted = crate::first_paint::page_for(&stack, "en-US,en;q=0.9").await?;
        return Err(format!("the first paint does not follow the festival: {painted}").into());
    }

    let browser = Browser::open("festival-now").await?;
    browser
        .run("festival-now", async |b| {
            live_in(b, "Asia/Seoul").await?;
            record_hero_names(b).await?;
            b.client.goto(&stack.edge).await?;
            let hero = hero_naming(b, "Black Friday").await?;
            check(
                hero == json!({"title": "Black Friday Festival", "tagline": "Doors open at dawn",
                               "kicker": "Shopping festival", "accent": "#0b5394"}),
                format!("the hero follows the festival: {hero}"),
            )?;
            // From the painted page through the app's takeover, the hero never named another.
            let names = b.client.execute("return window.heroNames", vec![]).await?;
            check(
                names
                    .as_array()
                    .is_some_and(|n| !n.is_empty() && n.iter().all(|n| n == "Black Friday")),
                format!("the hero named only the festival from the first paint on: {names}"),
            )?;
            let shift = crate::first_paint::layout_shift(b).await?;
            check(
                shift < 0.1,
                format!("the app takes the festival's painted page over in place: {shift:.4}"),
            )?;
            // The festival runs; its deal opens in an hour: the countdown runs toward it.
            let digits = b
                .text_until(r#"[data-testid="countdown"] .countdown-digits"#, |t| {
                    t.starts_with("59:") || t.starts_with("00:59:")
                })
                .await?;
            println!("countdown to the deal: {digits}");
            screenshots(b, "festival-running", None).await?;

            festival["name"] = json!("6.18");
            festival["tagline"] = json!("Mid-year sale");
            festival["accent"] = json!("#7a1fa2");
            let path = "/api/console/festivals/black-friday";
            console(&stack, Method::PUT, path, &festival).await?;
            let hero = hero_naming(b, "6.18").await?;
            check(
                hero["title"] == "6.18 Festival"
                    && hero["tagline"] == "Mid-year sale"
                    && hero["accent"] == "#7a1fa2",
                format!("an edit shows without a reload: {hero}"),
            )?;

            // The console lists it, its times in New York's zone and the marketer's (Seoul).
            b.client.goto(&format!("{}/console/", stack.edge)).await?;
            sign_in(&b.client, MARKETER_TOKEN).await?;
            let row = r#"[data-testid="console-festival"][data-festival-id="black-friday"]"#;
            let listed = b.text_until(row, |t| t.contains("6.18")).await?;
            check(
                (listed.contains("GMT-5") || listed.contains("EST"))
                    && listed.contains("(yours:")
                    && listed.contains("GMT+9"),
                format!("the console shows the festival's zone and the marketer's: {listed:?}"),
            )?;
            screenshots(b, "console-festivals", Some("festivals")).await
        })
        .await
}

/// Between festivals the hero names the next festival, counts down to its start and says when
/// that is in the festival's time zone, with the shopper's own time beside it.
pub async fn between_festivals_the_shop_says_when_the_next_starts() -> Result<(), Failed> {
    let stack = Stack::start("festival-next", UNLIMITED).await?;
    let deal = stack
        .schedule_deal(test_deal("e2e-festival-later", 10, 2, 0, HOUR, 2 * HOUR)?)
        .await?;
    let festival = json!({
        "id": "singles-day-2027", "name": "11.11", "tagline": "The year's biggest sale",
        "starts_at": NEXT_ELEVEN_ELEVEN, "ends_at": NEXT_ELEVEN_ELEVEN + 24 * HOUR,
        "time_zone": "Asia/Shanghai", "accent": "#b0001d", "deals": [deal.id],
    });
    console(&stack, Method::POST, "/api/console/festivals", &festival).await?;

    let browser = Browser::open("festival-next").await?;
    browser
        .run("festival-next", async |b| {
            live_in(b, "Europe/Paris").await?;
            b.client.goto(&stack.edge).await?;
            let hero = hero_naming(b, "11.11").await?;
            check(
                hero["kicker"] == "Next festival" && hero["title"] == "11.11 Festival",
                format!("the hero names the next festival: {hero}"),
            )?;
            let when = b.text(r#"[data-testid="next-festival"]"#).await?;
            check(
                when.starts_with("Starts Nov 11")
                    && when.contains("12:00")
                    && when.contains("GMT+8")
                    && when.contains("(Nov 10")
                    && when.contains("5:00")
                    && when.contains("GMT+1)"),
                format!("in Shanghai's time and the shopper's own: {when:?}"),
            )?;
            // The countdown runs toward the festival's start, days away, not the deal's hour.
            let digits = b
                .text(r#"[data-testid="countdown"] .countdown-digits"#)
                .await?;
            check(digits.contains("d "), format!("days to go: {digits:?}"))?;

            // A shopper in the festival's own zone reads its time once.
            live_in(b, "Asia/Shanghai").await?;
            b.client.refresh().await?;
            let when = b
                .text_until(r#"[data-testid="next-festival"]"#, |t| !t.is_empty())
                .await?;
            check(
                when.contains("GMT+8") && !when.contains('('),
                format!("one time where the zones agree: {when:?}"),
            )?;
            live_in(b, "Europe/Paris").await?;
            b.client.refresh().await?;
            b.wait_for(r#"[data-testid="next-festival"]"#).await?;
            screenshots(b, "festival-between", None).await
        })
        .await
}
