//! The capacity model's answer in words and Markdown tables: the costs it used and where they
//! came from, the deployment, each limit with its published figure, what binds first and what
//! would have to change to pass each limit that binds.

use std::fmt::Write as _;

use super::limits::{self, Deployment, Limits};
use super::measured::{self, Measured};
use super::model::{Bound, Limit, Plan};

/// `1234567.8` as `1,234,568`.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "unbounded".into();
    }
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < -0.5 { format!("-{out}") } else { out }
}

/// A duration in seconds, to a tenth below ten.
fn seconds(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1} s")
    } else {
        format!("{x:.0} s")
    }
}

/// `n` of `thing`, `thing` in the plural unless there is one (`1 queue`, `6 queues`).
fn many(n: u32, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The whole answer: `plans` are the same load at the measured costs and at issue 15's goals.
pub fn render(
    measured: &Measured,
    limits: &Limits,
    today: &Deployment,
    plans: [&Plan; 2],
) -> String {
    let [now, goals] = plans;
    let load = &now.load;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Capacity for {} accepted orders/s over {} hot deals of {} units each: {} orders/s a \
         deal, each sold out in {:.1} s.\n",
        thousands(load.orders_per_s),
        load.hot_deals,
        thousands(f64::from(load.stock)),
        thousands(load.per_deal_orders_per_s()),
        now.sells_out_s
    );
    let r = &measured.rehearsal;
    let _ = writeln!(
        md,
        "Per-order costs: counted by `cargo xtask rehearse` on {}: {} accepted orders of {} \
         shoppers on {} deals × {} units, {} shards a deal, {} in flight ({}); read from `{}`. \
         \"At the goals\" brings each cost down to issue 15's goal where it is above it.\n",
        measured.measured_at,
        measured.accepted,
        thousands(r.shoppers as f64),
        r.deals,
        r.stock,
        r.shards,
        r.concurrency,
        if r.passed { "passed" } else { "FAILED" },
        measured::FILE
    );
    costs_table(&mut md, measured, plans);
    deployment_table(&mut md, limits, today, plans);
    limits_table(&mut md, limits, plans);
    verdict(&mut md, now, "the measured costs");
    verdict(&mut md, goals, "the goals' costs");
    remedies(&mut md, limits, plans);
    md
}

fn costs_table(md: &mut String, measured: &Measured, [now, goals]: [&Plan; 2]) {
    let (a, b) = (now.costs, goals.costs);
    let _ = writeln!(
        md,
        "| per accepted order | measured | at the goals | goal |\n|---|---:|---:|---|"
    );
    let rows = [
        (
            "Durable Object requests",
            a.object_requests(),
            b.object_requests(),
            "≤ 0.1".to_owned(),
        ),
        (
            "… at the deal's shards",
            a.shard_requests,
            b.shard_requests,
            measured.kinds_where(false),
        ),
        (
            "… at KeyClaims",
            a.claim_requests,
            b.claim_requests,
            measured.kinds_where(true),
        ),
        (
            "queue messages",
            a.queue_messages,
            b.queue_messages,
            "≤ 0.05".into(),
        ),
        (
            "origin transactions",
            a.origin_transactions,
            b.origin_transactions,
            "≤ 0.02".into(),
        ),
        (
            "storage writes",
            a.storage_writes,
            b.storage_writes,
            "— (kept as measured)".into(),
        ),
    ];
    for (what, x, y, goal) in rows {
        let _ = writeln!(md, "| {what} | {x:.3} | {y:.3} | {goal} |");
    }
    md.push('\n');
}

fn deployment_table(md: &mut String, limits: &Limits, today: &Deployment, plans: [&Plan; 2]) {
    let _ = writeln!(
        md,
        "| the deployment that takes it | measured costs | at the goals |\n|---|---:|---:|"
    );
    let row = |md: &mut String, what: &str, cell: &dyn Fn(&Plan) -> String| {
        let _ = writeln!(md, "| {what} | {} | {} |", cell(plans[0]), cell(plans[1]));
    };
    row(md, "DealStock shards a deal (needed; usable)", &|p| {
        format!(
            "{} ({}; {})",
            p.shards_per_deal, p.shards_needed, p.useful_shards
        )
    });
    row(md, "requests/s at the hottest shard", &|p| {
        thousands(p.hottest_shard_requests_per_s)
    });
    let claims = format!("KeyClaims objects ({} today)", today.claim_objects);
    row(md, &claims, &|p| thousands(f64::from(p.claim_objects)));
    row(md, "requests/s at the hottest KeyClaims object", &|p| {
        thousands(p.hottest_claims_requests_per_s)
    });
    row(
        md,
        "Durable Object requests/s at the hottest object",
        &|p| thousands(p.hottest_object_requests_per_s()),
    );
    let queues = format!("order queues ({} today)", today.queues);
    row(md, &queues, &|p| thousands(f64::from(p.queues)));
    row(md, "queue messages/s", &|p| {
        thousands(p.queue_messages_per_s)
    });
    let consumer = format!(
        "consumer invocations/s a queue ({} messages each)",
        limits.consumer_batch
    );
    row(md, &consumer, &|p| {
        format!("{:.0}", p.consumer_invocations_per_s)
    });
    let round = format!(
        "a delivery round may take (≤ {} at once a queue)",
        limits.consumer_concurrency
    );
    row(md, &round, &|p| {
        format!("{:.1} s", p.delivery_round_budget_s)
    });
    row(md, "origin rows/s", &|p| thousands(p.origin_rows_per_s));
    row(md, "origin transactions/s", &|p| {
        thousands(p.origin_transactions_per_s)
    });
    let drain = format!(
        "origin stores the sale's units in ({}, measured)",
        limits.engine.name()
    );
    row(md, &drain, &|p| seconds(p.origin_drain_s));
    row(md, "Worker requests/s (one order each, at least)", &|p| {
        thousands(p.origin_rows_per_s)
    });
    row(md, "storage writes/s", &|p| {
        thousands(p.storage_writes_per_s)
    });
    md.push('\n');
}

/// A limit's published (or measured) figure and where it is published.
fn figure(limit: Limit, limits: &Limits) -> (String, &'static str) {
    match limit {
        Limit::DealShards | Limit::KeyClaims => (
            format!(
                "~{} requests/s an object (soft)",
                thousands(limits.object_requests_per_s)
            ),
            limits::DURABLE_OBJECTS_LIMITS,
        ),
        Limit::QueueMessages => (
            format!(
                "{} messages/s a queue",
                thousands(limits.queue_messages_per_s)
            ),
            limits::QUEUES_LIMITS,
        ),
        Limit::QueueMessageSize => (
            format!(
                "{} KB a message: {} orders at most",
                limits::QUEUE_MESSAGE_BYTES / 1_000,
                limits.orders_per_message
            ),
            limits::QUEUES_LIMITS,
        ),
        Limit::OriginIngest => (
            format!(
                "{} orders/s measured ({})",
                thousands(limits.origin_orders_per_s),
                limits.engine.name()
            ),
            "BENCHMARKS.md (g)",
        ),
    }
}

fn name(limit: Limit) -> &'static str {
    match limit {
        Limit::DealShards => "a hot deal's DealStock shards",
        Limit::KeyClaims => "the KeyClaims objects",
        Limit::QueueMessages => "the order queue's throughput",
        Limit::QueueMessageSize => "the order queue's message size",
        Limit::OriginIngest => "origin's ingest",
    }
}

fn limits_table(md: &mut String, limits: &Limits, [now, goals]: [&Plan; 2]) {
    let rate = thousands(now.load.orders_per_s);
    let _ = writeln!(
        md,
        "| limit | figure | source | today's deployment takes, orders/s (measured costs) | \
         (at the goals) | needed at {rate}/s (today) |\n|---|---|---|---:|---:|---|"
    );
    for bound in &now.bounds {
        let (figure, source) = figure(bound.limit, limits);
        let at_goals = goals.bound(bound.limit);
        let _ = writeln!(
            md,
            "| {} | {figure} | {source} | {} | {} | {} ({}) |",
            name(bound.limit),
            thousands(bound.ceiling),
            thousands(at_goals.ceiling),
            bound.needed,
            bound.today
        );
    }
    let _ = writeln!(
        md,
        "| Workers requests | no limit on Workers Paid (100,000/day on Free) | {} | unbounded | \
         unbounded | — |",
        limits::WORKERS_LIMITS
    );
    let _ = writeln!(
        md,
        "| consumer batch and concurrency | ≤ {} messages, ≤ {} invocations at once a queue | \
         {} | a round's time decides (not measured) | | see the round above |\n",
        limits.consumer_batch,
        limits.consumer_concurrency,
        limits::QUEUES_LIMITS
    );
}

fn verdict(md: &mut String, plan: &Plan, costs: &str) {
    let _ = match plan.binding().first() {
        None => writeln!(
            md,
            "At {costs}, today's deployment takes {} orders/s: no limit binds.",
            thousands(plan.load.orders_per_s)
        ),
        Some(first) => writeln!(
            md,
            "At {costs}, {} binds first, at {} orders/s (limits that bind before {} \
             orders/s: {}).",
            name(first.limit),
            thousands(first.ceiling),
            thousands(plan.load.orders_per_s),
            plan.binding().len()
        ),
    };
}

fn remedies(md: &mut String, limits: &Limits, [now, goals]: [&Plan; 2]) {
    let binding = now.binding();
    if binding.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "\nWhat would have to change to pass each limit that binds before {} orders/s:\n",
        thousands(now.load.orders_per_s)
    );
    for bound in binding {
        let _ = writeln!(
            md,
            "- **{}** ({} orders/s): {}",
            name(bound.limit),
            thousands(bound.ceiling),
            remedy(bound, limits, now, goals)
        );
    }
}

fn remedy(bound: &Bound, limits: &Limits, now: &Plan, goals: &Plan) -> String {
    let at_goals = goals.bound(bound.limit);
    match bound.limit {
        Limit::QueueMessages => format!(
            "{} instead of {} (a shard always sends to the same one, chosen by its name; a \
             consumer each), or fewer messages an order: at the goal's {:.2}, {}, one taking \
             {} orders/s.",
            many(bound.needed, "queue"),
            bound.today,
            goals.costs.queue_messages,
            many(at_goals.needed, "queue"),
            thousands(at_goals.ceiling)
        ),
        Limit::QueueMessageSize => format!(
            "no batching passes it: a full message carries {} orders, so one queue carries {} \
             orders/s at most, and this load needs {} whatever the costs.",
            limits.orders_per_message,
            thousands(bound.ceiling),
            many(bound.needed, "queue")
        ),
        Limit::KeyClaims => format!(
            "{} objects instead of {} (`CLAIM_OBJECTS`; customers hash over them, so the count \
             may change only between festivals, once no claim is younger than two days), or \
             fewer requests an order: the storefront's orders make no claim, and the queue's \
             consumer notes them one request an object a delivery round, so at a festival's \
             rounds (up to 100 messages) the notes fall far below the rehearsal's; at the \
             goal's {:.3} requests an order, today's {} take {} orders/s.",
            bound.needed,
            bound.today,
            goals.costs.claim_requests,
            bound.today,
            thousands(at_goals.ceiling)
        ),
        Limit::DealShards => format!(
            "a hot deal takes {} orders/s and needs {} shards, of which it can have {} (one \
             unit each at least, `MAX_SHARDS` at most): more shards a deal, or fewer shard \
             requests an order — reservations, lending and confirmations batched more: at \
             the goal's {:.3}, {} a deal.",
            thousands(now.load.per_deal_orders_per_s()),
            bound.needed,
            bound.today,
            goals.costs.shard_requests,
            many(goals.shards_per_deal, "shard")
        ),
        Limit::OriginIngest => format!(
            "origin stores every accepted order, {} rows/s, against {} measured on {} (on the \
             shared 2-core box): {}× that, from a database measured on production hardware, \
             orders partitioned by deal over databases; or the queue holds the difference and \
             the sale's orders all reach origin {} after it starts. No per-order cost \
             changes this: a row is an order (in {} transactions/s).",
            thousands(now.origin_rows_per_s),
            thousands(limits.origin_orders_per_s),
            limits.engine.name(),
            bound.needed,
            seconds(now.origin_drain_s),
            thousands(now.origin_transactions_per_s),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(544_000.0), "544,000");
        assert_eq!(thousands(999.6), "1,000");
        assert_eq!(thousands(12.0), "12");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(f64::INFINITY), "unbounded");
    }
}
