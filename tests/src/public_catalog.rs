//! The public catalog a million shoppers can poll: the same for everyone, built from the
//! isolate's board, and never a reason to call a shard; the sale token comes from its own route.

use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{Stack, check};

/// Polls spread over a stretch, as a crowd of shoppers would send them.
const POLLS: u32 = 500;
const POLLS_OVER: Duration = Duration::from_secs(5);

/// Anonymous and signed-in shoppers get the same catalog, with no token in it; the token comes
/// from `POST /api/sale-token`, which needs a session. Polls reach `CatalogStore` at most about
/// once a second, and every shard ledger read while they run is the store's own stock reading
/// (with the fix removed, the isolate read every shard itself once a second: the ledger reads
/// outrun the store's by a multiple of the shards in the catalog).
pub async fn catalog_is_public_and_polls_wake_no_shard(stack: Arc<Stack>) -> Result<(), Failed> {
    let deal = stack
        .schedule_open_sharded("e2e-public-catalog", 9, 1, 3)
        .await?;
    let shopper = stack.shopper().await?;
    let anonymous = stack.catalog_json(None).await?;
    let signed_in = stack.catalog_json(Some(&shopper.session)).await?;
    check(
        anonymous["deals"] == signed_in["deals"]
            && anonymous.get("sale_token").is_none()
            && signed_in.get("sale_token").is_none(),
        format!("one catalog for all, no token: {anonymous} / {signed_in}"),
    )?;
    let (status, answer) = stack
        .call_with_token(reqwest::Method::POST, "/api/sale-token", None, None)
        .await?;
    check(
        status == 401 && answer["code"] == "session_required",
        format!("a sale token without a session: {status} {answer}"),
    )?;
    check(
        !shopper.sale_token.is_empty(),
        "a session gets a sale token",
    )?;

    let shards_listed: u64 = stack
        .catalog()
        .await?
        .deals
        .iter()
        .map(|d| u64::from(d.deal.shard_count()))
        .sum();
    let before = stack.ops_costs().await?;
    let started = Instant::now();
    for i in 0..POLLS {
        let due = POLLS_OVER.mul_f64(f64::from(i) / f64::from(POLLS));
        tokio::time::sleep(due.saturating_sub(started.elapsed())).await;
        stack.catalog().await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = stack.ops_costs().await?;
    let spent = |object: &str, path: &[&str]| {
        let read = |report: &Value| {
            path.iter()
                .fold(&report[object], |value, key| &value[key])
                .as_u64()
                .unwrap_or(0)
        };
        read(&after).saturating_sub(read(&before))
    };
    let store_requests = spent("catalog", &["requests", "board"]);
    let ledger_reads = spent("deal_stock", &["requests", "ledger"]);
    let store_reads = spent("catalog", &["object_calls"]);
    check(
        (store_requests as f64) <= seconds + 2.0,
        format!("{POLLS} polls in {seconds:.1} s asked CatalogStore {store_requests} times"),
    )?;
    // Another test's reconcile may read every ledger meanwhile: two such passes are allowed.
    check(
        ledger_reads <= store_reads + 2 * shards_listed,
        format!(
            "{POLLS} polls: {ledger_reads} shard ledger reads, {store_reads} of them the \
             store's, {shards_listed} shards listed"
        ),
    )?;
    // The deal is on the board with its whole stock.
    let left = stack.stock_left(&deal).await?;
    check(left == 9, format!("the board shows {left} of 9"))
}

/// `/robots.txt` is a file of its own, not the storefront's HTML that every unknown path
/// answers (single-page application fallback), and keeps crawlers off the API and the console.
pub async fn robots_txt_is_a_real_file(stack: Arc<Stack>) -> Result<(), Failed> {
    let response = stack
        .http
        .get(format!("{}/robots.txt", stack.edge))
        .send()
        .await?;
    let status = response.status();
    let kind = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await?;
    check(
        status == 200 && kind.starts_with("text/plain"),
        format!("robots.txt answers {status} {kind:?}"),
    )?;
    check(
        body.contains("User-agent: *")
            && body.contains("Disallow: /api/")
            && !body.contains("<html"),
        format!("robots.txt is the crawler rules: {body:?}"),
    )
}
