//! Firing a burst of orders and reading what came of it: the answers counted by kind, and
//! origin's units once the queue has brought every accepted order there.

use std::sync::Arc;
use std::time::Duration;

use festival_domain::IdempotencyKey;
use futures::StreamExt;
use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{MARKETER_TOKEN, Shopper, Stack, check, order_body};

/// Orders in flight at once in a burst.
const IN_FLIGHT: usize = 100;

/// How long the queue may take to bring accepted orders to origin in these tests.
pub(crate) const DRAIN: Duration = Duration::from_secs(60);

/// One order per shopper, [`IN_FLIGHT`] at a time, shopper `i` ordering `quantity(i)` units
/// with a key of its own.
pub(crate) async fn burst(
    stack: &Arc<Stack>,
    deal: &festival_domain::Deal,
    shoppers: &[Shopper],
    quantity: impl Fn(usize) -> i64,
) -> Result<Vec<(i64, u16, Value)>, Failed> {
    let requests: Vec<_> = shoppers
        .iter()
        .enumerate()
        .map(|(i, shopper)| {
            // Keys that name their deal, as the storefront's do.
            let key = IdempotencyKey::naming(deal.id.as_str(), &format!("key-{i:05}"));
            let body = order_body(deal, quantity(i), &key, shopper);
            let stack = stack.clone();
            let shopper = shopper.clone();
            let quantity = quantity(i);
            async move {
                let (status, answer) = stack.post_order_retrying(&shopper, &body).await?;
                Ok::<_, Failed>((quantity, status, answer))
            }
        })
        .collect();
    let answers: Vec<_> = futures::stream::iter(requests)
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    answers.into_iter().collect()
}

/// How many answers were a 202.
pub(super) fn accepted_orders(answers: &[(i64, u16, Value)]) -> usize {
    answers
        .iter()
        .filter(|(_, status, _)| *status == 202)
        .count()
}

/// How many answers were a 409 with `code`.
pub(super) fn refused(answers: &[(i64, u16, Value)], code: &str) -> usize {
    answers
        .iter()
        .filter(|(_, status, answer)| *status == 409 && answer["code"] == code)
        .count()
}

/// Waits until reconciliation shows the edge and origin agree on `deal`, and answers origin's
/// sold units.
pub(crate) async fn drained(stack: &Stack, deal: &festival_domain::Deal) -> Result<i64, Failed> {
    let deadline = tokio::time::Instant::now() + DRAIN;
    loop {
        let report = tokio::task::block_in_place(|| {
            festival_stack::reconcile::compare(&stack.edge, &stack.origin, MARKETER_TOKEN)
        })?;
        let line = report
            .deals
            .iter()
            .find(|l| l.deal_id == deal.id.as_str())
            .cloned();
        if let Some(line) = line.filter(|l| l.agrees() && l.origin_units > 0) {
            check(
                line.units_in_transit == 0,
                format!("units lost between shards: {line:?}"),
            )?;
            return Ok(line.origin_units);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("not drained within {DRAIN:?}:\n{report}").into());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
