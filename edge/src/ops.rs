//! The operator's read-only routes (marketer token). `GET /api/ops/reconcile`: the edge's side of
//! `cargo xtask reconcile` — per deal, what its shards sold — and what waits in the dead-letter
//! store: how many letters, how many per reason, and a bounded sample of their order ids
//! (`cargo xtask redrive` sends them). `GET /api/ops/dead-letters`: that summary alone, which the
//! console polls without asking every shard for its ledger.

use festival_domain::reconcile::{DealAccount, EdgeAccounts};
use worker::{Env, Request, Response};

use crate::error::EdgeResult;
use crate::stock::{Backlog, BacklogReport, StockCommand};
use crate::{bindings, catalog, dead_letters, http, marketer, stock};

pub async fn reconcile(req: Request, env: &Env) -> EdgeResult<Response> {
    marketer::require(&req, env)?;
    let mut deals = Vec::new();
    for deal in catalog::deals(env).await? {
        let ledgers = stock::ledgers(env, &deal, Default::default()).await?;
        deals.push(DealAccount::of(&deal, &ledgers));
    }
    Ok(http::json(
        &EdgeAccounts {
            deals,
            dead_letters: dead_letters::summary(env).await?,
        },
        200,
    )?)
}

/// `GET /api/ops/backlog`: the orders and cancellations every shard of the catalog's deals holds
/// that origin has not confirmed yet, and the age of the oldest — what the console's live page
/// turns red when delivery falls behind.
pub async fn backlog(req: Request, env: &Env) -> EdgeResult<Response> {
    marketer::require(&req, env)?;
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
    Ok(http::json(
        &BacklogReport {
            backlog,
            oldest_age_ms,
        },
        200,
    )?)
}

/// `GET /api/ops/dead-letters`: the same [`Summary`] reconcile answers, from the one store.
pub async fn dead_letters(req: Request, env: &Env) -> EdgeResult<Response> {
    marketer::require(&req, env)?;
    Ok(http::json(&dead_letters::summary(env).await?, 200)?)
}
