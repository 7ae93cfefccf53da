//! The waiting room (issue 3, item 9): at admission rate R, a burst of 10·R shoppers is admitted
//! in arrival order and never faster than R per second by the edge's clock; a waiting shopper
//! learns at once when everything is sold out. Runs on a stack of its own with R = 5.

use std::time::Duration;

use festival_domain::token::{ADMISSION_HEADER, SESSION_HEADER};
use libtest_mimic::Failed;
use serde_json::Value;

use crate::chromium::Browser;
use crate::stack::{Shopper, Stack, check, eventually, order_body};

/// Admissions per second in this test.
const RATE: f64 = 5.0;

async fn join(stack: &Stack, shopper: &Shopper) -> Result<Value, Failed> {
    let response = stack
        .http
        .post(format!("{}/api/waiting-room", stack.edge))
        .header(SESSION_HEADER, &shopper.session)
        .send()
        .await?;
    check(
        response.status() == 200,
        format!("joining: {}", response.status()),
    )?;
    Ok(response.json().await?)
}

async fn order_with_pass(
    stack: &Stack,
    shopper: &Shopper,
    pass: Option<&str>,
    key: &str,
    deal: &festival_domain::Deal,
) -> Result<(u16, Value), Failed> {
    let mut request = stack
        .http
        .post(format!("{}/api/orders", stack.edge))
        .header(SESSION_HEADER, &shopper.session)
        .json(&order_body(deal, 1, key, shopper));
    if let Some(pass) = pass {
        request = request.header(ADMISSION_HEADER, pass);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

pub async fn waiting_room_admits_in_order_at_the_rate() -> Result<(), Failed> {
    let mut vars = crate::stack::UNLIMITED.to_vec();
    vars.push(("ADMISSION_PER_S", "5"));
    let stack = Stack::start("waiting", &vars).await?;
    let deal = stack.schedule_open("e2e-waiting", 2, 1).await?;
    let browser_deal = stack.schedule_open("e2e-waiting-browser", 1, 1).await?;

    let first = stack.shopper().await?;
    let (status, answer) = order_with_pass(&stack, &first, None, "no-pass-key-0001", &deal).await?;
    check(
        status == 403 && answer["code"] == "not_admitted",
        format!("without a pass: {status} {answer}"),
    )?;

    // 10·R shoppers arrive one after another, 50 ms apart: four times faster than R per second.
    let shoppers: Vec<Shopper> = (0..50)
        .map(|i| Shopper::minted(&format!("queued-{i:02}")))
        .collect();
    let arrivals = shoppers.iter().enumerate().map(|(i, shopper)| {
        let stack = &stack;
        async move {
            tokio::time::sleep(Duration::from_millis(50 * i as u64)).await;
            join(stack, shopper).await
        }
    });
    let places = futures::future::join_all(arrivals)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let admitted_now = places
        .iter()
        .take_while(|p| p["status"] == "admitted")
        .count();
    check(admitted_now >= 1, "the first arrival walks in")?;
    let waiting = &places[admitted_now..];
    check(
        waiting.iter().all(|p| p["status"] == "waiting"),
        "after the first to wait, everyone waits",
    )?;
    check(
        waiting.len() >= 30,
        format!("a queue forms: {} waiting", waiting.len()),
    )?;
    let moments: Vec<i64> = waiting
        .iter()
        .map(|p| p["admit_at"].as_i64().unwrap_or_default())
        .collect();
    let interval = (1000.0 / RATE) as i64;
    check(
        moments.windows(2).all(|w| w[1] - w[0] >= interval),
        format!("admitted in arrival order, at most {RATE}/s: {moments:?}"),
    )?;
    let positions: Vec<u64> = waiting
        .iter()
        .map(|p| p["position"].as_u64().unwrap_or_default())
        .collect();
    check(
        positions.windows(2).all(|w| w[1] >= w[0]),
        format!("later arrivals stand further back: {positions:?}"),
    )?;
    check(
        waiting
            .iter()
            .all(|p| p["estimated_wait_ms"].as_i64().is_some_and(|ms| ms > 0)),
        "each has a wait",
    )?;

    // The first waiting shopper is let in at its moment, and its pass opens the shop.
    let next = &shoppers[admitted_now];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let pass = loop {
        let place = join(&stack, next).await?;
        if let Some(pass) = place["pass"].as_str() {
            break pass.to_owned();
        }
        check(
            tokio::time::Instant::now() < deadline,
            format!("never admitted: {place}"),
        )?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (status, answer) =
        order_with_pass(&stack, next, Some(&pass), "admitted-key-0001", &deal).await?;
    check(
        status == 202,
        format!("an admitted shopper orders: {status} {answer}"),
    )?;
    let (status, answer) = order_with_pass(
        &stack,
        &shoppers[0],
        Some(&pass),
        "borrowed-pass-key",
        &deal,
    )
    .await?;
    check(
        status == 403 && answer["code"] == "not_admitted",
        format!("another's pass: {status} {answer}"),
    )?;

    // A shopper in the browser joins behind the whole line and is told their place in words;
    // while they wait, both deals sell out, and the page says so at once, not at their turn.
    let first_pass = places[0]["pass"]
        .as_str()
        .ok_or("the first arrival has a pass")?
        .to_owned();
    let sell_out = async || -> Result<(), Failed> {
        let (status, answer) = order_with_pass(
            &stack,
            &shoppers[0],
            Some(&first_pass),
            "first-in-key-001",
            &deal,
        )
        .await?;
        check(
            status == 202,
            format!("the first arrival orders: {status} {answer}"),
        )?;
        let (status, answer) = order_with_pass(
            &stack,
            next,
            Some(&pass),
            "admitted-key-0002",
            &browser_deal,
        )
        .await?;
        check(
            status == 202,
            format!("the last unit of the other deal: {status} {answer}"),
        )
    };
    Browser::open("waiting")
        .await?
        .run("waiting-room", async |browser: &Browser| {
            browser.client.goto(&stack.edge).await?;
            let card = format!(
                r#"[data-testid="deal-card"][data-deal-id="{}"]"#,
                browser_deal.id
            );
            let buy = format!(r#"{card} [data-testid="buy-button"]:not([disabled])"#);
            browser.wait_for(&buy).await?.click().await?;
            let words = browser
                .text_until(r#"[data-testid="waiting-room"]"#, |t| t.contains("queue"))
                .await?;
            check(
                words.contains("number"),
                format!("the place in line, in words: {words:?}"),
            )?;
            browser.screenshot("waiting-room-1280.png").await?;
            sell_out().await?;
            browser
                .text_until(r#"[data-testid="refusal"]"#, |t| {
                    t.contains("Sold out") || t.contains("sold out")
                })
                .await?;
            Ok(())
        })
        .await?;

    // The last in line hears "sold out" long before its turn.
    let last = shoppers.last().ok_or("shoppers")?;
    let last_turn = *moments.last().ok_or("moments")?;
    eventually(Duration::from_secs(3), || async {
        Ok(join(&stack, last).await?["status"] == "sold_out")
    })
    .await?;
    check(
        festival_origin::now().0 < last_turn,
        "told before its turn came",
    )
}
