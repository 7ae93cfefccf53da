//! Costs measured by probing a stack with one kind of request at a time, so every count read
//! around the probe is that request's: the catalog's polls, and orders refused because their
//! deal is sold out. `cargo xtask rehearse` runs both around its burst.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use festival_domain::IdempotencyKey;
use festival_domain::costs::ObjectCosts;
use festival_domain::token::SESSION_HEADER;
use serde::Serialize;

use crate::costs::{self, Reading};
use crate::generator as load;
use festival_stack::local as local_stack;

/// Both probes' findings, for a report.
#[derive(Debug, Clone, Serialize)]
pub struct Probed {
    pub catalog_polls: PollCosts,
    pub sold_out: RefusalCosts,
}

impl Probed {
    pub fn to_markdown(&self) -> String {
        format!(
            "{}\n{}",
            self.catalog_polls.to_markdown(),
            self.sold_out.to_markdown()
        )
    }
}

/// What catalog polls cost: the objects the Worker called, what they called in turn, origin.
#[derive(Debug, Clone, Serialize)]
pub struct PollCosts {
    pub polls: usize,
    pub seconds: f64,
    /// Polls answered 200.
    pub answered: usize,
    /// Requests the Worker made to `CatalogStore`.
    pub catalog_store_requests: u64,
    /// Shard ledger reads (by the Worker or by `CatalogStore`, for stock figures).
    pub ledger_reads: u64,
    /// `CatalogStore`'s requests to origin.
    pub origin_calls: u64,
}

impl PollCosts {
    fn per_thousand(&self, count: u64) -> f64 {
        count as f64 * 1_000.0 / self.polls.max(1) as f64
    }

    /// The table, per 1,000 polls and per second (one isolate answers locally).
    pub fn to_markdown(&self) -> String {
        let mut md = format!(
            "| {} catalog polls in {:.1} s ({} answered 200) | count | per 1,000 polls | per second |\n|---|---:|---:|---:|\n",
            self.polls, self.seconds, self.answered
        );
        for (what, count) in [
            ("`CatalogStore` requests", self.catalog_store_requests),
            ("shard ledger reads", self.ledger_reads),
            ("origin calls", self.origin_calls),
        ] {
            let _ = writeln!(
                md,
                "| {what} | {count} | {:.1} | {:.2} |",
                self.per_thousand(count),
                count as f64 / self.seconds.max(0.001)
            );
        }
        md
    }
}

/// Sends `polls` anonymous `GET /api/catalog`, evenly spread over `over` by four pollers, and
/// counts what they cost.
pub fn catalog_polls(
    edge: &str,
    origin: &str,
    token: &str,
    polls: usize,
    over: Duration,
) -> Result<PollCosts, String> {
    const POLLERS: usize = 4;
    let before = costs::read(edge, origin, token)?;
    let started = Instant::now();
    let url = format!("{edge}/api/catalog");
    let answered: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..POLLERS)
            .map(|p| {
                let url = &url;
                scope.spawn(move || {
                    let agent = load::agent();
                    let mine = (p..polls).step_by(POLLERS);
                    let mut ok = 0;
                    for i in mine {
                        let due = over.mul_f64(i as f64 / polls as f64);
                        std::thread::sleep(due.saturating_sub(started.elapsed()));
                        let (_, answer) = load::send(&agent, url, &[], None);
                        ok += usize::from(answer.is_some_and(|a| a.status == 200));
                    }
                    ok
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let seconds = started.elapsed().as_secs_f64();
    let after = costs::read(edge, origin, token)?;
    let spent = after.objects().since(before.objects());
    Ok(PollCosts {
        polls,
        seconds,
        answered,
        catalog_store_requests: spent.catalog.requests_except(&[]),
        ledger_reads: ledger_reads(&spent.deal_stock),
        origin_calls: spent.catalog.origin_fetches,
    })
}

fn ledger_reads(costs: &ObjectCosts) -> u64 {
    costs.requests.get("ledger").copied().unwrap_or(0)
}

/// What orders refused as sold out cost.
#[derive(Debug, Clone, Serialize)]
pub struct RefusalCosts {
    pub orders: usize,
    /// Orders answered 409 `sold_out`.
    pub sold_out: usize,
    pub object_requests: u64,
    pub storage_writes: u64,
    pub queue_messages: u64,
}

impl RefusalCosts {
    pub fn to_markdown(&self) -> String {
        let per = |n: u64| n as f64 / self.sold_out.max(1) as f64;
        format!(
            "| per sold-out refusal ({} of {} orders answered `sold_out`) | count | per refusal | goal |\n|---|---:|---:|---|\n\
             | Durable Object requests | {} | {:.3} | 0 |\n\
             | storage writes | {} | {:.3} | — |\n\
             | queue messages | {} | {:.3} | — |\n",
            self.sold_out,
            self.orders,
            self.object_requests,
            per(self.object_requests),
            self.storage_writes,
            per(self.storage_writes),
            self.queue_messages,
            per(self.queue_messages),
        )
    }
}

/// Sends `orders` orders by new shoppers (sessions minted with `session_secret`) for `deals`,
/// which must be sold out, and counts what their refusals cost.
pub fn sold_out_orders(
    edge: &str,
    origin: &str,
    token: &str,
    session_secret: &str,
    deals: &[&str],
    orders: usize,
) -> Result<RefusalCosts, String> {
    let before: Reading = costs::read(edge, origin, token)?;
    let agent = load::agent();
    let url = format!("{edge}/api/orders");
    let mut sold_out = 0;
    for i in 0..orders {
        let (session, sale_token) = local_stack::minted(session_secret, &format!("refused-{i:05}"));
        let deal = deals[i % deals.len()];
        let body = serde_json::json!({
            "deal_id": deal,
            "quantity": 1,
            "idempotency_key": IdempotencyKey::naming(deal, &format!("refused-{i:05}")),
            "sale_token": sale_token,
        })
        .to_string();
        let (_, answer) = load::send(&agent, &url, &[(SESSION_HEADER, &session)], Some(&body));
        sold_out +=
            usize::from(answer.is_some_and(|a| a.status == 409 && a.body.contains("\"sold_out\"")));
    }
    let after = costs::read(edge, origin, token)?;
    let spent = after.objects().since(before.objects());
    // `CatalogStore`'s requests are left out: an isolate refreshes its schedule once a second
    // whatever it is asked, so they are the catalog's cost, not these orders'.
    let objects = [&spent.deal_stock, &spent.key_claims];
    Ok(RefusalCosts {
        orders,
        sold_out,
        object_requests: objects
            .iter()
            .map(|c| c.requests_except(&costs::OPERATOR_READS))
            .sum(),
        storage_writes: objects.iter().map(|c| c.storage_writes).sum(),
        queue_messages: objects.iter().map(|c| c.queue_messages).sum(),
    })
}
