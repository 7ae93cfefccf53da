//! What an order costs the platform, counted: the Durable Objects' own counts
//! (`GET /api/ops/costs`, see `festival_domain::costs`) and origin's stored batches (its
//! `/metrics`), read before and after a stretch of load and divided by the orders it accepted.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use festival_domain::costs::CostsReport;
use serde::Serialize;

use crate::generator as load;

/// Request kinds that are the operator's, not the orders': reconcile's ledger reads and the
/// console's backlog reads.
pub const OPERATOR_READS: [&str; 2] = ["ledger", "backlog"];

/// The counts at one moment.
pub struct Reading {
    objects: CostsReport,
    origin_batches: u64,
}

impl Reading {
    /// The objects' counts.
    pub fn objects(&self) -> &CostsReport {
        &self.objects
    }
}

/// Reads the counts of the stack at `edge` and `origin`.
pub fn read(edge: &str, origin: &str, token: &str) -> Result<Reading, String> {
    let agent = load::agent();
    let bearer = format!("Bearer {token}");
    let headers = [("authorization", bearer.as_str())];
    let get = |url: String| {
        let (_, answer) = load::send(&agent, &url, &headers, None);
        answer
            .filter(|a| a.status == 200)
            .map(|a| a.body)
            .ok_or_else(|| format!("{url} did not answer 200"))
    };
    let objects = serde_json::from_str(&get(format!("{edge}/api/ops/costs"))?)
        .map_err(|e| format!("reading the objects' costs: {e}"))?;
    let metrics = get(format!("{origin}/metrics"))?;
    let origin_batches = metrics
        .lines()
        .find_map(|line| line.strip_prefix("festival_batches_stored_total "))
        .and_then(|n| n.trim().parse::<f64>().ok())
        .ok_or("origin's /metrics has no festival_batches_stored_total")?
        as u64;
    Ok(Reading {
        objects,
        origin_batches,
    })
}

/// What the orders accepted between two readings cost, in all and per order.
#[derive(Debug, Clone, Serialize)]
pub struct OrderCosts {
    pub accepted: usize,
    /// Requests to the deals' shards and to the key claims, by kind (the operator's reads
    /// left out).
    pub requests: BTreeMap<String, u64>,
    pub object_requests: u64,
    pub storage_writes: u64,
    pub queue_messages: u64,
    pub origin_transactions: u64,
}

impl OrderCosts {
    pub fn between(before: &Reading, after: &Reading, accepted: usize) -> OrderCosts {
        let objects = after.objects.since(&before.objects);
        let mut requests = BTreeMap::new();
        for costs in [&objects.deal_stock, &objects.key_claims] {
            for (kind, n) in &costs.requests {
                if !OPERATOR_READS.contains(&kind.as_str()) {
                    *requests.entry(kind.clone()).or_default() += n;
                }
            }
        }
        let sum = |f: fn(&festival_domain::costs::ObjectCosts) -> u64| {
            f(&objects.deal_stock) + f(&objects.key_claims)
        };
        OrderCosts {
            accepted,
            object_requests: requests.values().sum(),
            requests,
            storage_writes: sum(|c| c.storage_writes),
            queue_messages: sum(|c| c.queue_messages),
            origin_transactions: after.origin_batches.saturating_sub(before.origin_batches),
        }
    }

    fn per_order(&self, count: u64) -> f64 {
        count as f64 / self.accepted.max(1) as f64
    }

    /// The table: each count, per accepted order, and its goal (issue 15).
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "| per accepted order ({} accepted) | count | per order | goal |\n|---|---:|---:|---|",
            self.accepted
        );
        let rows = [
            ("Durable Object requests", self.object_requests, "≤ 0.1"),
            ("storage writes", self.storage_writes, "—"),
            ("queue messages", self.queue_messages, "≤ 0.05"),
            (
                "origin transactions (batches stored)",
                self.origin_transactions,
                "≤ 0.02",
            ),
        ];
        for (what, count, goal) in rows {
            let _ = writeln!(
                md,
                "| {what} | {count} | {:.3} | {goal} |",
                self.per_order(count)
            );
        }
        let kinds: Vec<String> = self
            .requests
            .iter()
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect();
        let _ = writeln!(md, "\nObject requests by kind: {}.", kinds.join(", "));
        md
    }
}
