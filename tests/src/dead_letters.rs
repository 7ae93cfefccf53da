//! Issue 13: orders whose delivery gave up are kept as dead letters, one storage key each and
//! whatever their number, reported by reconcile, and sent to origin again by `redrive` — after
//! an outage longer than the queue's retries, after origin refused every batch (a wrong batch
//! secret, shown in the console while the letters wait), and beyond the 2 MB that one stored
//! value can hold. Each test runs on a stack of its own, since it stops origin.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use festival_domain::Deal;
use festival_domain::dead_letter::{self, DeadLetter, RETRIES_RAN_OUT, Summary};
use libtest_mimic::Failed;
use reqwest::Method;

use crate::burst::{DRAIN, burst};
use crate::chromium::Browser;
use crate::console_dead_letters;
use crate::stack::{MARKETER_TOKEN, Shopper, Stack, UNLIMITED, check};

/// Orders whose confirmation at their shard is checked after a redrive (each is one request).
const CONFIRMATIONS_CHECKED: usize = 10;

/// What waits in the edge's dead-letter store, from the route the console polls (which needs no
/// origin).
async fn letters_waiting(stack: &Stack) -> Result<Summary, Failed> {
    let (status, summary) = stack
        .call_with_token(
            Method::GET,
            "/api/ops/dead-letters",
            Some(MARKETER_TOKEN),
            None,
        )
        .await?;
    check(
        status == 200,
        format!("the dead letters: {status} {summary}"),
    )?;
    Ok(serde_json::from_value(summary)?)
}

/// Waits until `count` letters wait, at most `limit`; answers what waits then.
async fn letters_reach(stack: &Stack, count: usize, limit: Duration) -> Result<Summary, Failed> {
    let deadline = Instant::now() + limit;
    loop {
        let summary = letters_waiting(stack).await?;
        if summary.letters >= count as u64 {
            return Ok(summary);
        }
        if Instant::now() > deadline {
            return Err(
                format!("{count} dead letters not kept within {limit:?}: {summary:?}").into(),
            );
        }
        // Each look reads every letter: not too often, while thousands arrive.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The reason codes of `summary` with their counts.
fn reason_counts(summary: &Summary) -> Vec<(&str, u64)> {
    summary
        .reasons
        .iter()
        .map(|reason| (reason.code.as_str(), reason.letters))
        .collect()
}

/// One order of one unit per shopper, all at once; each must be accepted. Answers each
/// shopper with its order's id.
async fn accept_all(
    stack: &Arc<Stack>,
    deal: &Deal,
    shoppers: Vec<Shopper>,
) -> Result<Vec<(Shopper, String)>, Failed> {
    let answers = burst(stack, deal, &shoppers, |_| 1).await?;
    let mut by_customer: HashMap<String, Shopper> = shoppers
        .into_iter()
        .map(|shopper| (shopper.customer.clone(), shopper))
        .collect();
    let mut orders = Vec::with_capacity(answers.len());
    for (_, status, order) in answers {
        check(
            status == 202,
            format!("every order is accepted: {status} {order}"),
        )?;
        let customer = order["customer_id"].as_str().unwrap_or_default();
        let shopper = by_customer
            .remove(customer)
            .ok_or("an order of no shopper")?;
        orders.push((shopper, order["id"].as_str().unwrap_or_default().to_owned()));
    }
    Ok(orders)
}

/// Runs `redrive` (the library function `cargo xtask redrive` calls) and checks that it healed
/// everything: each of `orders` stored exactly once at origin (and nothing else of `deal`),
/// confirmed at its shard, no letter left, reconcile clean.
async fn redrive_heals(
    stack: &Stack,
    deal: &Deal,
    orders: &[(Shopper, String)],
) -> Result<(), Failed> {
    let started = Instant::now();
    let report =
        tokio::task::block_in_place(|| xtask::redrive::redrive(&stack.edge, MARKETER_TOKEN))?;
    println!(
        "redrive of {} letters in {:.1?}:\n{report}",
        orders.len(),
        started.elapsed()
    );
    check(
        report.is_done() && report.stored_now + report.already_stored == orders.len(),
        format!("redrive stores every order:\n{report}"),
    )?;
    let stored: Vec<String> = sqlx::query_scalar("SELECT id FROM orders WHERE deal_id = $1")
        .bind(deal.id.as_str())
        .fetch_all(&stack.db)
        .await?;
    let accepted: BTreeSet<&str> = orders.iter().map(|(_, id)| id.as_str()).collect();
    check(
        stored.len() == orders.len() && stored.iter().all(|id| accepted.contains(id.as_str())),
        format!(
            "origin stores the {} orders once each: {} rows",
            orders.len(),
            stored.len()
        ),
    )?;
    for (shopper, id) in orders.iter().take(CONFIRMATIONS_CHECKED) {
        let (status, order) = stack
            .call(shopper, Method::GET, &format!("/api/orders/{id}"))
            .await?;
        check(
            status == 200 && order["status"] == "confirmed",
            format!("the shard knows {id} is confirmed: {status} {order}"),
        )?;
    }
    let waiting = letters_waiting(stack).await?;
    check(waiting.letters == 0, format!("no letter left: {waiting:?}"))?;
    let reconciled = tokio::task::block_in_place(|| {
        festival_stack::reconcile::compare(&stack.edge, &stack.origin, MARKETER_TOKEN)
    })?;
    check(
        reconciled.is_clean(),
        format!("reconcile is clean:\n{reconciled}"),
    )
}

/// The redrive route refuses, each with its code, what it must not do, and moves nothing.
async fn redrive_refuses_bad_requests(stack: &Stack) -> Result<(), Failed> {
    const PATH: &str = "/api/ops/redrive";
    let cases = [
        (None, r#"{}"#, 401, "unauthorized"),
        (Some("not-the-token"), r#"{}"#, 401, "unauthorized"),
        (
            Some(MARKETER_TOKEN),
            r#"{"limit":0}"#,
            400,
            "invalid_redrive_request",
        ),
        (
            Some(MARKETER_TOKEN),
            r#"{"limit":101}"#,
            400,
            "invalid_redrive_request",
        ),
        (
            Some(MARKETER_TOKEN),
            r#"{"letters":[]}"#,
            400,
            "invalid_redrive_request",
        ),
        (
            Some(MARKETER_TOKEN),
            r#"{"after":"#,
            400,
            "invalid_redrive_request",
        ),
    ];
    for (token, body, status, code) in cases {
        let (got, answer) = stack
            .call_with_token(Method::POST, PATH, token, Some(body))
            .await?;
        check(
            got == status && answer["code"] == code && answer["message"].is_string(),
            format!("{body} with {token:?}: {got} {answer}"),
        )?;
    }
    let (got, answer) = stack
        .call_with_token(Method::GET, PATH, Some(MARKETER_TOKEN), None)
        .await?;
    check(got == 405, format!("redrive is a POST: {got} {answer}"))
}

/// With origin down until every retry has run out, each accepted order goes to the dead-letter
/// queue and is kept; reconcile reports the letters (count, reason, order ids) and the deal as a
/// difference; then `redrive` brings every order to origin exactly once and leaves no letter.
/// The queue gives a message up after one retry (the real one, after 100).
pub async fn dead_letters_are_kept_reported_and_redriven() -> Result<(), Failed> {
    const STOCK: usize = 5;
    let stack = Arc::new(Stack::start_giving_up_after("dead-letters", 1).await?);
    let deal = stack
        .schedule_open_sharded("e2e-dead-letters", STOCK as u32, 1, 1)
        .await?;
    stack.stop_origin();
    let shoppers = (0..STOCK)
        .map(|i| Shopper::minted(&format!("dead-letter-{i}")))
        .collect();
    let orders = accept_all(&stack, &deal, shoppers).await?;
    letters_reach(&stack, STOCK, DRAIN).await?;
    stack.restart_origin().await?;
    let report = tokio::task::block_in_place(|| {
        festival_stack::reconcile::compare(&stack.edge, &stack.origin, MARKETER_TOKEN)
    })?;
    let letters = &report.dead_letters;
    check(
        letters.letters == STOCK as u64
            && reason_counts(letters) == [(RETRIES_RAN_OUT, STOCK as u64)],
        format!("one dead letter per accepted order, its retries run out:\n{report}"),
    )?;
    for (_, id) in &orders {
        check(
            letters.sample.contains(id),
            format!("order {id} is among the dead letters:\n{report}"),
        )?;
    }
    let polled = letters_waiting(&stack).await?;
    check(
        polled == *letters,
        format!("the console's route answers reconcile's summary: {polled:?}"),
    )?;
    let line = report
        .differences()
        .into_iter()
        .find(|line| line.deal_id == deal.id.as_str())
        .map(|line| (line.edge_orders, line.origin_orders));
    check(
        line == Some((STOCK as i64, 0)),
        format!("reconcile shows what origin never got:\n{report}"),
    )?;
    redrive_refuses_bad_requests(&stack).await?;
    check(
        letters_waiting(&stack).await?.letters == STOCK as u64,
        "a refused redrive moves no letter",
    )?;
    redrive_heals(&stack, &deal, &orders).await
}

/// Origin started with another batch secret refuses every batch (401 `bad_signature`): the
/// orders become dead letters at once, with origin's reason — on the real configuration, whose
/// 100 growing retries would hold them for over an hour if a refusal were retried like an
/// outage. While they wait, the console's live dashboard shows how many, origin's reason and
/// what to do. With origin restarted on the right secret, `redrive` heals it, and the console's
/// panel goes with the letters.
pub async fn a_refused_batch_is_a_dead_letter_at_once() -> Result<(), Failed> {
    const STOCK: usize = 5;
    /// Far below the retry budget; a refusal's letters arrive within a second or two.
    const AT_ONCE: Duration = Duration::from_secs(20);
    let stack = Arc::new(Stack::start("wrong-secret", UNLIMITED).await?);
    let deal = stack
        .schedule_open_sharded("e2e-wrong-secret", STOCK as u32, 1, 1)
        .await?;
    stack
        .restart_origin_with_batch_secret("not-the-edge-batch-secret")
        .await?;
    let shoppers = (0..STOCK)
        .map(|i| Shopper::minted(&format!("wrong-secret-{i}")))
        .collect();
    let orders = accept_all(&stack, &deal, shoppers).await?;
    let started = Instant::now();
    let summary = letters_reach(&stack, STOCK, AT_ONCE).await?;
    println!(
        "{STOCK} letters kept {:.1?} after the burst",
        started.elapsed()
    );
    check(
        reason_counts(&summary) == [("bad_signature", STOCK as u64)]
            && summary.reasons[0].message == "the signature does not match",
        format!("the letters carry origin's reason: {summary:?}"),
    )?;
    check(
        stack.origin_rows(&deal).await? == 0,
        "origin stored nothing it refused",
    )?;
    let reason = ("bad_signature", "the signature does not match");
    Browser::open("dead-letters")
        .await?
        .run("dead-letters", async |browser: &Browser| {
            console_dead_letters::shows_dead_letters(&stack, browser, STOCK as u64, reason).await?;
            stack.stop_origin();
            stack.restart_origin().await?;
            redrive_heals(&stack, &deal, &orders).await?;
            console_dead_letters::dead_letters_panel_leaves(browser).await
        })
        .await
}

/// More dead letters than one 2 MB value holds (the store's limit when it kept every letter in
/// one value) are all kept and all redriven. No test-only path makes letters bigger: the orders
/// are real, with long ids the API takes (customer ids and idempotency keys of 64 characters), and
/// their count is chosen from the measured size of one letter so that the letters pass 2 MiB by
/// 10 %. Origin is down and the queue gives a message up at its first failure.
pub async fn dead_letters_beyond_2_mb_survive_and_redrive() -> Result<(), Failed> {
    const VALUE_LIMIT: usize = 2 * 1024 * 1024;
    const STOCK: u32 = 8_000;
    let stack = Arc::new(Stack::start_giving_up_after("dead-letters-2mb", 0).await?);
    // 54 characters: `burst`'s idempotency keys, "<deal>-key-<5 digits>", are then 64 long.
    let deal_id = format!("e2e-dead-letters-beyond-2-mb-{}", "x".repeat(25));
    // Four shards: each sends its outbox to the queue on its own, as a hot deal's would.
    let deal = stack.schedule_open_sharded(&deal_id, STOCK, 1, 4).await?;
    stack.stop_origin();
    let shopper = |i: usize| Shopper::minted(&format!("shopper-beyond-2-mb-{i:044}"));

    let first = accept_all(&stack, &deal, vec![shopper(0)]).await?;
    let (_, answer) = stack
        .call(
            &first[0].0,
            Method::GET,
            &format!("/api/orders/{}", first[0].1),
        )
        .await?;
    // The queue message is the order's JSON, as the edge answers it.
    let body = serde_json::to_string(&answer)?;
    let letter = DeadLetter {
        body: body.clone(),
        reason: dead_letter::retries_ran_out(),
        dead_at: festival_origin::now(),
    };
    let letter_size = serde_json::to_string(&letter)?.len();
    let count = VALUE_LIMIT / letter_size * 11 / 10;
    check(
        count <= STOCK as usize,
        format!("{count} letters fit the stock"),
    )?;

    let started = Instant::now();
    let mut orders = first;
    orders.extend(accept_all(&stack, &deal, (1..count).map(shopper).collect()).await?);
    println!(
        "one message {} B, one letter {letter_size} B: {count} letters make {:.2} MiB; \
         {count} orders accepted in {:.1?}",
        body.len(),
        (count * letter_size) as f64 / VALUE_LIMIT as f64 * 2.0,
        started.elapsed()
    );
    let summary = letters_reach(&stack, count, Duration::from_secs(90)).await?;
    println!("all kept {:.1?} after the burst began", started.elapsed());
    check(
        reason_counts(&summary) == [(RETRIES_RAN_OUT, count as u64)],
        format!("every order is kept once: {summary:?}"),
    )?;
    stack.restart_origin().await?;
    redrive_heals(&stack, &deal, &orders).await
}
