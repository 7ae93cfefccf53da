//! Idempotency keys are the customer's across deals, as Stripe scopes them to an account.

use std::sync::Arc;
use std::time::Duration;

use festival_domain::token::SESSION_HEADER;
use festival_domain::{Deal, IdempotencyKey};
use futures::future::join_all;
use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{Shopper, Stack, check, eventually, order_body};

/// How long the queue may take to bring accepted orders to origin in these tests.
const DRAIN: Duration = Duration::from_secs(45);

/// A key used for one order answers that order on a retry and is refused 422
/// `idempotency_key_reused` for another quantity or another deal; another shopper's same key is
/// their own. Sent at once to two deals, a fresh key makes exactly one order.
pub async fn a_key_is_the_customers_across_deals(stack: Arc<Stack>) -> Result<(), Failed> {
    let lantern = stack.schedule_open("e2e-key-lantern", 20, 2).await?;
    let kettle = stack.schedule_open("e2e-key-kettle", 20, 2).await?;
    let ada = stack.shopper().await?;
    let key = "ada-one-key-for-one-order";
    one_order_per_key(&stack, &ada, key, [&lantern, &kettle]).await?;
    let bob = stack.shopper().await?;
    let (status, answer) = stack
        .post_order(&bob, &order_body(&kettle, 1, key, &bob))
        .await?;
    check(
        status == 202,
        format!("another shopper's same key: {status} {answer}"),
    )?;

    a_raced_key_makes_one_order(&stack, &ada, [&lantern, &kettle]).await?;
    a_key_that_names_its_deal_is_that_deals(&stack, &ada, [&kettle, &lantern]).await?;

    // Origin holds exactly the five orders made: ada's three, bob's and carol's.
    let stored = || async {
        Ok::<_, Failed>(stack.origin_rows(&lantern).await? + stack.origin_rows(&kettle).await?)
    };
    eventually(DRAIN, || async { Ok(stored().await? >= 5) }).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rows = stored().await?;
    check(
        rows == 5,
        format!("origin stored {rows} orders, expected 5"),
    )
}

/// A key that names its deal, as the storefront's do (it is claimed nowhere), holds the same
/// rule: another deal is refused before any object is asked. (On the kettle: ada holds one
/// lantern or more, one kettle at most.)
async fn a_key_that_names_its_deal_is_that_deals(
    stack: &Stack,
    ada: &Shopper,
    [kettle, lantern]: [&Deal; 2],
) -> Result<(), Failed> {
    let key = IdempotencyKey::naming(kettle.id.as_str(), "ada-storefront-purchase");
    one_order_per_key(stack, ada, &key, [kettle, lantern]).await?;
    listed_at_once_for_the_browser(stack, kettle).await
}

/// Claimed nowhere, a new shopper's first order joins their list when the queue's consumer
/// notes it, a second at the least after the order (the shard's send window); the answer's
/// `festival.recent` cookie names its deal, and a list asked with that cookie shows the order
/// at once.
async fn listed_at_once_for_the_browser(stack: &Stack, kettle: &Deal) -> Result<(), Failed> {
    let carol = &stack.shopper().await?;
    let key = IdempotencyKey::naming(kettle.id.as_str(), "carol-listed-at-once");
    let (status, headers, order) = stack
        .post_order_with_headers(carol, &order_body(kettle, 1, &key, carol))
        .await?;
    check(status == 202, format!("the order: {status} {order}"))?;
    let cookie = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("festival.recent="))
        .and_then(|v| v.split(';').next())
        .ok_or("no festival.recent cookie on the answer")?;
    check(
        cookie.split('.').next() == Some(kettle.id.as_str()),
        format!("the cookie names the deal first: {cookie}"),
    )?;
    let list_with_cookie = async |session: &str| -> Result<Value, Failed> {
        Ok(reqwest::Client::new()
            .get(format!("{}/api/orders", stack.edge))
            .header(SESSION_HEADER, session)
            .header("cookie", format!("festival.recent={cookie}"))
            .send()
            .await?
            .json()
            .await?)
    };
    let mine = list_with_cookie(&carol.session).await?;
    let listed = mine["orders"].as_array().into_iter().flatten();
    check(
        listed.into_iter().any(|o| o["id"] == order["id"]),
        format!("the list with the cookie: {mine}"),
    )?;
    // The cookie only names deals to look in: another session sending it sees none of carol's.
    let stranger = stack.shopper().await?;
    let theirs = list_with_cookie(&stranger.session).await?;
    check(
        theirs["orders"].as_array().is_some_and(|o| o.is_empty()),
        format!("a stranger with carol's cookie: {theirs}"),
    )
}

/// `key` orders one unit of `deal`; a retry answers that order; the key for another quantity
/// or for `other` is refused 422 `idempotency_key_reused`, with words.
async fn one_order_per_key(
    stack: &Stack,
    shopper: &Shopper,
    key: &str,
    [deal, other]: [&Deal; 2],
) -> Result<(), Failed> {
    let (status, first) = stack
        .post_order(shopper, &order_body(deal, 1, key, shopper))
        .await?;
    check(status == 202, format!("the first order: {status} {first}"))?;
    let (status, replay) = stack
        .post_order(shopper, &order_body(deal, 1, key, shopper))
        .await?;
    check(
        status == 202 && replay["id"] == first["id"],
        format!("a retry answers the same order: {status} {replay}"),
    )?;
    for (deal, quantity, what) in [(deal, 2, "another quantity"), (other, 1, "another deal")] {
        let (status, answer) = stack
            .post_order(shopper, &order_body(deal, quantity, key, shopper))
            .await?;
        check(
            status == 422
                && answer["code"] == "idempotency_key_reused"
                && answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            format!("{key} reused for {what}: {status} {answer}"),
        )?;
    }
    Ok(())
}

/// A fresh key sent ten times at once, alternating between the two deals: one order, the rest
/// refused `idempotency_key_reused`.
async fn a_raced_key_makes_one_order(
    stack: &Stack,
    ada: &Shopper,
    [lantern, kettle]: [&Deal; 2],
) -> Result<(), Failed> {
    let race_key = "ada-raced-over-two-deals";
    let bodies: Vec<Value> = (0..10)
        .map(|i| {
            let deal = if i % 2 == 0 { lantern } else { kettle };
            order_body(deal, 1, race_key, ada)
        })
        .collect();
    let posts = bodies.iter().map(|body| stack.post_order(ada, body));
    let answers = join_all(posts)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let accepted: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 202)
        .map(|(_, order)| order)
        .collect();
    let refused = answers
        .iter()
        .filter(|(status, answer)| *status == 422 && answer["code"] == "idempotency_key_reused")
        .count();
    check(
        !accepted.is_empty()
            && accepted
                .iter()
                .all(|order| order["id"] == accepted[0]["id"])
            && accepted.len() + refused == answers.len(),
        format!("one order for the raced key, the rest refused: {answers:?}"),
    )
}
