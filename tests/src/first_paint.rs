//! The storefront's first paint (issue 16): `/` arrives with the current deal cards in it, in
//! the shopper's language, and the app takes that page over in place — the same card, word for
//! word, in the same box, with no layout shift. On a stack of its own, so no other test's deal
//! appears mid-measure and moves the cards.

use festival_domain::Deal;
use libtest_mimic::Failed;
use serde_json::{Value, json};

use crate::chromium::Browser;
use crate::stack::{Stack, UNLIMITED, check};

/// Layout shift the app may cause, at most: "good" by Core Web Vitals is below 0.1. (Measured
/// without the first paint, the cards' arrival shifted the phone-width page by well over it.)
const MOST_SHIFT: f64 = 0.1;

pub async fn deals_arrive_painted_and_the_app_takes_over_in_place() -> Result<(), Failed> {
    let stack = Stack::start("first-paint", UNLIMITED).await?;
    let deal = stack.schedule_open("e2e-first-paint", 40, 2).await?;
    let painted_card = format!(r#"data-deal-id="{}""#, deal.id);

    let english = page_for(&stack, "en-US,en;q=0.9").await?;
    check(
        english.contains(r#"<div id="first-paint">"#)
            && english.contains(&painted_card)
            && english.contains(r#"id="first-catalog""#),
        format!("an English shopper's page has the deals painted in: {english}"),
    )?;
    let korean = page_for(&stack, "ko-KR,ko;q=0.9").await?;
    check(
        korean.contains(r#"<div id="first-paint">"#)
            && korean.contains(&painted_card)
            && korean.contains(r#"lang="ko""#)
            && korean.contains(">지금 구매</button>"),
        format!("a Korean shopper's page is painted in Korean: {korean}"),
    )?;

    let browser = Browser::open("first-paint").await?;
    browser
        .run("first-paint", async |b| {
            b.client.set_window_size(375, 812).await?;
            let painted = takes_over_in_place(b, &stack, &deal).await?;
            b.screenshot("first-paint-375.png").await?;
            check(
                painted.contains(&deal.name) && painted.contains("Buy now"),
                format!("the painted card shows the deal in English: {painted}"),
            )?;
            // The shopper chooses Korean (the app remembers it, and tells the edge by cookie):
            // the next visit is painted in Korean, and the app's Korean page takes it over.
            b.wait_for(r#"[data-testid="language"]"#)
                .await?
                .select_by_value("ko")
                .await?;
            b.text_until(r#"[data-testid="my-orders-link"]"#, |t| t == "내 주문")
                .await?;
            let painted = takes_over_in_place(b, &stack, &deal).await?;
            check(
                painted.contains("지금 구매") && painted.contains("US$"),
                format!("the painted card shows the deal in Korean: {painted}"),
            )
        })
        .await
}

/// Loads `/` twice: first with the Wasm blocked, so the app never starts, to read the edge's
/// card for `deal`; then whole, to check that the app removed the edge's page and shows the same
/// card, word for word, in the same box, with no layout shift. The painted card's text.
async fn takes_over_in_place(b: &Browser, stack: &Stack, deal: &Deal) -> Result<String, Failed> {
    b.cdp("Network.enable", json!({})).await?;
    b.cdp("Network.setBlockedURLs", json!({"urls": ["*.wasm"]}))
        .await?;
    b.client.goto(&stack.edge).await?;
    let painted = card_box(b, deal, ".deal-card").await?;

    b.cdp("Network.setBlockedURLs", json!({"urls": []})).await?;
    b.client.goto(&stack.edge).await?;
    b.wait_for(&format!(
        r#"[data-testid="deal-card"][data-deal-id="{}"]"#,
        deal.id
    ))
    .await?;
    let gone = b
        .client
        .execute(
            "return document.getElementById('first-paint') === null",
            vec![],
        )
        .await?;
    check(gone == json!(true), "the app removed the painted page")?;
    let live = card_box(b, deal, r#"[data-testid="deal-card"]"#).await?;
    check(
        live == painted,
        format!("the app's card is the painted one, in the same box: {live} / {painted}"),
    )?;
    let shift = layout_shift(b).await?;
    println!("first paint: cumulative layout shift {shift:.4} (at most {MOST_SHIFT})");
    check(
        shift < MOST_SHIFT,
        format!("the takeover shifted the page by {shift}"),
    )?;
    Ok(painted["text"].as_str().unwrap_or_default().to_owned())
}

/// `/` as a browser asking for `languages` gets it.
pub async fn page_for(stack: &Stack, languages: &str) -> Result<String, Failed> {
    let response = stack
        .http
        .get(format!("{}/", stack.edge))
        .header("accept-language", languages)
        .send()
        .await?;
    check(
        response.status() == 200,
        format!("GET / answered {}", response.status()),
    )?;
    Ok(response.text().await?)
}

/// The text and the box (rounded to whole pixels) of `deal`'s card matching `css`.
async fn card_box(b: &Browser, deal: &Deal, css: &str) -> Result<Value, Failed> {
    let script = r#"
        const card = document.querySelector(arguments[0]);
        if (!card) return null;
        const r = card.getBoundingClientRect();
        return {text: card.innerText, box: [r.x, r.y, r.width, r.height].map(Math.round)};
    "#;
    let selector = format!(r#"{css}[data-deal-id="{}"]"#, deal.id);
    let found = b.client.execute(script, vec![json!(selector)]).await?;
    check(!found.is_null(), format!("no card {selector}"))?;
    Ok(found)
}

/// The page's cumulative layout shift so far (shifts right after input excluded, as the
/// metric does), from the browser's own layout-shift entries.
pub async fn layout_shift(b: &Browser) -> Result<f64, Failed> {
    let script = r#"
        const done = arguments[0];
        new PerformanceObserver((list, observer) => {
            observer.disconnect();
            done(list.getEntries().filter(e => !e.hadRecentInput).reduce((s, e) => s + e.value, 0));
        }).observe({type: 'layout-shift', buffered: true});
        setTimeout(() => done(0), 1000);
    "#;
    let total = b.client.execute_async(script, vec![]).await?;
    total
        .as_f64()
        .ok_or_else(|| format!("layout shift read as {total}").into())
}
