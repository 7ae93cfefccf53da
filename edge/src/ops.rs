//! The operator's read-only routes (marketer token). `GET /api/ops/reconcile`: the edge's side of
//! `cargo xtask reconcile` — per deal, what its shards sold — and what waits in the dead-letter
//! store: how many letters, how many per reason, and a bounded sample of their order ids
//! (`cargo xtask redrive` sends them). `GET /api/ops/dead-letters`: that summary alone, which the
//! console polls without asking every shard for its ledger.

use festival_domain::DealId;
use festival_domain::dead_letter::Summary;
use serde::Serialize;
use worker::{Env, Request, Response, Result};

use crate::stock::{Backlog, BacklogReport, StockCommand};
use crate::{bindings, catalog, dead_letters, http, marketer, stock};

/// One deal as its shards account for it.
#[derive(Serialize)]
struct DealAccount {
    deal_id: DealId,
    stock: u32,
    shards: u32,
    stock_left: u32,
    reserved_units: u32,
    cancelled_units: u32,
    /// `reserved_units − cancelled_units`: what origin must hold as sold.
    sold_units: u32,
    /// `reserved_orders − cancelled_orders`.
    sold_orders: u32,
    /// Units that left one shard and never arrived in another (a lost transfer).
    units_in_transit: i64,
}

#[derive(Serialize)]
struct Reconciliation {
    deals: Vec<DealAccount>,
    dead_letters: Summary,
}

pub async fn reconcile(req: Request, env: &Env) -> Result<Response> {
    if !marketer::is_marketer(&req, env)? {
        return marketer::unauthorized();
    }
    let mut deals = Vec::new();
    for deal in catalog::deals(env).await? {
        let ledgers = stock::ledgers(env, &deal).await?;
        let sum = |f: fn(&stock::Ledger) -> u32| ledgers.iter().map(f).sum::<u32>();
        let (reserved, cancelled) = (sum(|l| l.reserved_units), sum(|l| l.cancelled_units));
        deals.push(DealAccount {
            stock: deal.stock,
            shards: deal.shard_count(),
            stock_left: sum(|l| l.stock_left),
            reserved_units: reserved,
            cancelled_units: cancelled,
            sold_units: reserved - cancelled,
            sold_orders: sum(|l| l.reserved_orders) - sum(|l| l.cancelled_orders),
            units_in_transit: i64::from(sum(|l| l.lent_units))
                - i64::from(sum(|l| l.borrowed_units)),
            deal_id: deal.id,
        });
    }
    http::json(
        &Reconciliation {
            deals,
            dead_letters: dead_letters::summary(env).await?,
        },
        200,
    )
}

/// `GET /api/ops/backlog`: the orders and cancellations every shard of the catalog's deals holds
/// that origin has not confirmed yet, and the age of the oldest — what the console's live page
/// turns red when delivery falls behind.
pub async fn backlog(req: Request, env: &Env) -> Result<Response> {
    if !marketer::is_marketer(&req, env)? {
        return marketer::unauthorized();
    }
    let mut backlog = Backlog::default();
    for deal in catalog::deals(env).await? {
        for index in 0..deal.shard_count() {
            let shard: Backlog = stock::ask(env, &deal.id, index, &StockCommand::Backlog).await?;
            backlog.add(&shard);
        }
    }
    let now = bindings::now();
    let oldest_age_ms = backlog
        .oldest_since
        .map(|since| since.millis_until(now).max(0));
    http::json(
        &BacklogReport {
            backlog,
            oldest_age_ms,
        },
        200,
    )
}

/// `GET /api/ops/dead-letters`: the same [`Summary`] reconcile answers, from the one store.
pub async fn dead_letters(req: Request, env: &Env) -> Result<Response> {
    if !marketer::is_marketer(&req, env)? {
        return marketer::unauthorized();
    }
    http::json(&dead_letters::summary(env).await?, 200)
}
