//! Issue 13: faults a festival night brings, on the real stack. Each fails if its fix is taken
//! away (the closing note of issue 13 says what each showed without it).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{MARKETER_TOKEN, Shopper, Stack, UNLIMITED, check, eventually, order_body};

/// Orders in flight at once; the edge is killed after this many answers.
const IN_FLIGHT: usize = 24;
const KILL_AFTER: usize = 90;

/// What one order's request came to: the order id on a 202, else nothing (refused, or no
/// answer because the edge died under it).
async fn place(stack: &Stack, shopper: &Shopper, body: &Value) -> (u16, Option<String>) {
    match stack.post_order(shopper, body).await {
        Ok((202, order)) => (202, order["id"].as_str().map(str::to_owned)),
        Ok((status, _)) => (status, None),
        Err(_) => (0, None),
    }
}

/// The edge's workerd is killed with SIGKILL mid-burst, as a machine failure would, and started
/// again on the same state folder. Every order answered 202 — before the kill, or on a retry
/// with the same key after it — reaches origin exactly once, and reconcile is clean. (Shards
/// re-send what origin has not confirmed: `RESEND_AFTER_S` is short here.)
pub async fn edge_killed_mid_burst_loses_nothing() -> Result<(), Failed> {
    let vars: Vec<(&str, &str)> = UNLIMITED
        .iter()
        .copied()
        .chain([("RESEND_AFTER_S", "3")])
        .collect();
    let stack = Arc::new(Stack::start("killed", &vars).await?);
    let deal = stack.schedule_open_sharded("e2e-killed", 500, 1, 4).await?;
    let shoppers: Vec<Shopper> = (0..240)
        .map(|i| Shopper::minted(&format!("killed-{i}")))
        .collect();
    let bodies: Vec<Value> = (0..shoppers.len())
        .map(|i| order_body(&deal, 1, &format!("killed-key-{i:05}"), &shoppers[i]))
        .collect();
    let mut accepted: BTreeSet<String> = BTreeSet::new();
    let mut unanswered = Vec::new();
    let mut answers = futures::stream::iter(0..shoppers.len())
        .map(|i| {
            let (stack, shopper, body) = (stack.clone(), &shoppers[i], &bodies[i]);
            async move { (i, place(&stack, shopper, body).await) }
        })
        .buffer_unordered(IN_FLIGHT);
    let mut answered = 0;
    while let Some((i, (status, id))) = answers.next().await {
        answered += 1;
        if answered == KILL_AFTER {
            stack.kill_edge();
        }
        match id {
            Some(id) => drop(accepted.insert(id)),
            None if status != 409 => unanswered.push(i),
            None => {}
        }
    }
    drop(answers);
    let before_kill = accepted.len();
    check(before_kill > 0, "some orders were accepted before the kill")?;
    stack.restart_edge().await?;
    // The shoppers whose requests died with the edge try again with the same keys: an order
    // the edge took before it died answers as a replay.
    for i in unanswered {
        let (status, id) = place(&stack, &shoppers[i], &bodies[i]).await;
        check(
            status == 202,
            format!("a retry after the restart answers {status}"),
        )?;
        accepted.extend(id);
    }
    let expected = accepted.len() as i64;
    let arrived = eventually(Duration::from_secs(90), || {
        let (stack, deal) = (stack.clone(), deal.clone());
        async move { Ok(stack.origin_rows(&deal).await? == expected) }
    })
    .await;
    let rows = stack.origin_rows(&deal).await?;
    check(
        arrived.is_ok(),
        format!("origin holds {rows} of the {expected} orders answered 202"),
    )?;
    for id in &accepted {
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(&stack.db)
            .await?;
        check(rows == 1, format!("{id} is at origin {rows} times"))?;
    }
    let report = tokio::task::block_in_place(|| {
        festival_stack::reconcile::compare(&stack.edge, &stack.origin, MARKETER_TOKEN)
    })?;
    check(report.is_clean(), format!("reconcile:\n{report}"))?;
    eprintln!(
        "killed mid-burst: {before_kill} accepted before the kill, {expected} in all, every one \
         at origin once"
    );
    Ok(())
}
