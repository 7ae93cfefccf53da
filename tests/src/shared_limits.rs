//! Limits that bind across isolates (issue 15, item 5): the Workers Rate Limiting binding, as
//! `wrangler dev` emulates it, bounds new sessions, waiting-room joins and orders per address,
//! and each route has its own, so a shopper behind an address whose session starts are spent
//! still joins and orders. Runs on a stack of its
//! own whose isolate buckets are lifted (`UNLIMITED`) and whose bindings count
//! (`SHARED_LIMITS=on`): whatever is refused here, the binding refused.

use std::time::{Duration, Instant};

use festival_domain::Deal;
use festival_domain::token::SESSION_HEADER;
use futures::StreamExt;
use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{Shopper, Stack, UNLIMITED, check};
use crate::waiting::{join, order_with_pass};

/// `simple.limit` of `SESSION_START_LIMIT` and `JOIN_LIMIT`, and of `ORDER_LIMIT`, in
/// `edge/wrangler.toml`, per `PERIOD_S` seconds.
const LIMIT: usize = 20;
const ORDER_LIMIT: usize = 500;
const PERIOD_S: u64 = 10;
/// Requests in flight at once (wrangler's dev proxy resets connections past a few hundred).
const IN_FLIGHT: usize = 100;

/// What wrangler's dev proxy answers, instead of the Worker, to a POST in flight when the local
/// runtime restarts the Worker (a 503 with `Retry-After: 0` and these words): the request never
/// reached Festival, so it is sent again, once.
const RESTARTED_MID_REQUEST: &str = "Your worker restarted mid-request";

/// Sends `count` requests made by `request` with at most [`IN_FLIGHT`] at once; the statuses,
/// and the `Retry-After` and code of every 429. A request the dev proxy answered for a restarted
/// Worker is sent again, and said so.
async fn burst<F>(count: usize, request: F) -> Result<Vec<(u16, Option<String>, Value)>, Failed>
where
    F: Fn(usize) -> reqwest::RequestBuilder,
{
    let request = &request;
    let answers = futures::stream::iter(0..count)
        .map(|i| async move {
            let answer = send(request, i).await?;
            if answer.0 == 503 && answer.2 == RESTARTED_MID_REQUEST {
                println!("request {i}: the dev proxy says the Worker restarted; sent again");
                return send(request, i).await;
            }
            Ok(answer)
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    answers.into_iter().collect()
}

/// Sends request `i`: its status, `Retry-After`, and body (JSON, or the text of one that is
/// not). A connection the dev proxy dropped before any answer ("error sending request", seen
/// once in 1,000 orders) is sent again, once, and said so: were the first counted, the binding
/// counts both, so no more pass than its limit.
async fn send<F>(request: &F, i: usize) -> Result<(u16, Option<String>, Value), Failed>
where
    F: Fn(usize) -> reqwest::RequestBuilder,
{
    let response = match request(i).send().await {
        Err(error) if (error.is_request() || error.is_connect()) && !error.is_timeout() => {
            println!("request {i}: the dev proxy dropped its connection ({error}); sent again");
            request(i).send().await?
        }
        sent => sent?,
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| {
        let words = text.split('.').next().unwrap_or_default();
        Value::String(words.to_owned())
    });
    Ok((status, retry_after, body))
}

/// How many of `answers` passed the limit (answered `passed`), after checking every other one is
/// a 429 `rate_limited` with `Retry-After` = the binding's period.
fn accepted(
    answers: &[(u16, Option<String>, Value)],
    what: &str,
    passed: u16,
) -> Result<usize, Failed> {
    for (status, retry_after, body) in answers.iter().filter(|(s, _, _)| *s != passed) {
        check(
            *status == 429
                && body["code"] == "rate_limited"
                && retry_after.as_deref() == Some(&PERIOD_S.to_string()),
            format!(
                "{what}: a refusal is 429 rate_limited, Retry-After {PERIOD_S}: {status} {retry_after:?} {body}"
            ),
        )?;
    }
    Ok(answers.iter().filter(|(s, _, _)| *s == passed).count())
}

/// The most a fixed-window limit of `limit` per [`PERIOD_S`] lets through in `elapsed`.
fn bound(limit: usize, elapsed: Duration) -> usize {
    limit * (elapsed.as_secs() / PERIOD_S + 2) as usize
}

pub async fn shared_limits_bind_per_address_and_route() -> Result<(), Failed> {
    let mut vars = UNLIMITED.to_vec();
    vars.extend([("SHARED_LIMITS", "on"), ("ADMISSION_PER_S", "1000")]);
    let stack = Stack::start("shared-limits", &vars).await?;
    let deal = stack.schedule_open("e2e-shared-limits", 100, 10).await?;
    // A shopper behind this address who started a session and joined before the crowd came.
    let shopper = stack.shopper().await?;
    let place = join(&stack, &shopper).await?;
    let pass = place["pass"]
        .as_str()
        .ok_or(format!("admitted: {place}"))?
        .to_owned();
    session_starts_are_bounded(&stack).await?;
    the_address_still_renews_and_orders(&stack, &shopper, &pass, &deal).await?;
    joins_are_bounded(&stack).await?;
    orders_are_bounded(&stack).await
}

/// 1,000 session starts from the same address: at least one, at most the limit's share.
async fn session_starts_are_bounded(stack: &Stack) -> Result<(), Failed> {
    let started = Instant::now();
    let answers = burst(1_000, |_| {
        stack.http.post(format!("{}/api/session", stack.edge))
    })
    .await?;
    let elapsed = started.elapsed();
    let starts = accepted(&answers, "session starts", 200)?;
    println!(
        "1,000 session starts from one address in {elapsed:?}: {starts} accepted, {} refused",
        1_000 - starts
    );
    check(
        starts >= 1 && starts <= bound(LIMIT, elapsed),
        format!("1,000 session starts are bounded: {starts} accepted in {elapsed:?}"),
    )
}

/// The same address's sessions still renew, join and order: other routes, other limits.
async fn the_address_still_renews_and_orders(
    stack: &Stack,
    shopper: &Shopper,
    pass: &str,
    deal: &Deal,
) -> Result<(), Failed> {
    let (status, _) = stack
        .call(shopper, reqwest::Method::POST, "/api/session")
        .await?;
    check(
        status == 200,
        format!("a renewal mints nothing and is not limited: {status}"),
    )?;
    for i in 0..5 {
        let key = format!("shared-limit-key-{i}");
        let (status, answer) = order_with_pass(stack, shopper, Some(pass), &key, deal).await?;
        check(
            status == 202,
            format!("orders from the address whose starts are spent: {status} {answer}"),
        )?;
    }
    Ok(())
}

/// Joins of the waiting room are limited per address too, and apart from session starts.
async fn joins_are_bounded(stack: &Stack) -> Result<(), Failed> {
    let started = Instant::now();
    let joiners: Vec<Shopper> = (0..100)
        .map(|i| Shopper::minted(&format!("joiner-{i:03}")))
        .collect();
    let answers = burst(joiners.len(), |i| {
        stack
            .http
            .post(format!("{}/api/waiting-room", stack.edge))
            .header(SESSION_HEADER, &joiners[i].session)
    })
    .await?;
    let elapsed = started.elapsed();
    let joins = accepted(&answers, "joins", 200)?;
    println!("100 joins from one address in {elapsed:?}: {joins} accepted");
    check(
        joins >= 1 && joins <= bound(LIMIT, elapsed),
        format!("joins are bounded: {joins} of 100 accepted in {elapsed:?}"),
    )
}

/// Orders are limited per address before anything else is read: 1,000 without a session, and
/// only the binding's share reaches the session check (401); the rest are 429.
async fn orders_are_bounded(stack: &Stack) -> Result<(), Failed> {
    let started = Instant::now();
    let answers = burst(1_000, |_| {
        stack
            .http
            .post(format!("{}/api/orders", stack.edge))
            .body("{}")
    })
    .await?;
    let elapsed = started.elapsed();
    let passed = accepted(&answers, "orders", 401)?;
    println!("1,000 orders from one address in {elapsed:?}: {passed} past the limit");
    check(
        passed >= 1 && passed <= bound(ORDER_LIMIT, elapsed),
        format!("orders are bounded: {passed} of 1,000 in {elapsed:?}"),
    )
}
