//! Stock: a deal's units are split over N `DealStock` Durable Objects ("shards", named
//! `<deal>#<index>`). The protocol — what a shard decides, and why it never oversells, strands
//! or loses — is `festival_domain::stock`; this module is the Worker's side of the
//! conversation: typed commands in, typed answers out. Reservations go through
//! [`coalesce`](crate::coalesce), which sends an isolate's concurrent orders for one shard in
//! one batch.

mod old_layout;
pub mod shard;
pub mod sold_out;

use festival_domain::live::LiveControl;
use festival_domain::stock::reserve::MAX_BATCH;
pub use festival_domain::stock::{
    Answer, Backlog, BacklogReport, Cancellation, Ledger, Reservation, ShardSpec, StockCommand,
    shard_name,
};
use festival_domain::{CustomerId, Deal, DealId, Order, OrderId, OrderStatus, PricedOrder};
use futures_util::future::try_join_all;
use serde::de::DeserializeOwned;
use worker::{Context, Env, Result};

use crate::bindings::DEAL_STOCK;
use crate::coalesce::{self, Destination};
use crate::objects;

/// Sends `command` to shard `index` of `deal` and reads its answer.
pub async fn ask<T: DeserializeOwned>(
    env: &Env,
    deal: &DealId,
    index: u32,
    command: &StockCommand,
) -> Result<T> {
    objects::post(env, DEAL_STOCK, &shard_name(deal, index), command).await
}

/// Sends `command` to shard `index` of `deal`; its answer as JSON text.
pub async fn ask_text(
    env: &Env,
    deal: &DealId,
    index: u32,
    command: &StockCommand,
) -> Result<String> {
    objects::post_text(env, DEAL_STOCK, &shard_name(deal, index), command).await
}

/// Reserves stock for `order` on the customer's shard of `deal`; answers the reservation and
/// the size of the batch it travelled in. `ctx` is the request's: a batch leader may go on
/// sending the batches after its own (see [`coalesce`]).
pub async fn reserve(
    env: &Env,
    ctx: &Context,
    deal: &Deal,
    order: PricedOrder,
) -> Result<(Reservation, usize)> {
    let shard = ShardBatch {
        env: env.clone(),
        deal: deal.id.clone(),
        spec: ShardSpec::of(deal, deal.shard_for(&order.customer_id)),
        per_customer_limit: deal.per_customer_limit,
    };
    let failed = |error: String| format!("shard {} of {}: {error}", shard.spec.index, deal.id);
    let batched = coalesce::send(shard.clone(), ctx, order)
        .await
        .map_err(|error| failed(error.to_string()))?;
    let reservation = batched.answer.and_then(|answer| answer).map_err(failed)?;
    if let Reservation::SoldOut {
        deal_sold_out: true,
    } = reservation
    {
        sold_out::remember(&deal.id);
    }
    Ok((reservation, batched.batch_size))
}

/// A batch of reservations for one shard.
#[derive(Clone)]
struct ShardBatch {
    env: Env,
    deal: DealId,
    spec: ShardSpec,
    per_customer_limit: u32,
}

impl Destination for ShardBatch {
    type Item = PricedOrder;
    type Answer = Answer;
    /// What a shard writes in one storage call.
    const MOST: usize = MAX_BATCH;

    fn name(&self) -> String {
        shard_name(&self.deal, self.spec.index)
    }

    async fn send(&self, orders: Vec<PricedOrder>) -> Result<Vec<Answer>> {
        let command = StockCommand::Reserve {
            spec: self.spec,
            per_customer_limit: self.per_customer_limit,
            orders,
        };
        ask(&self.env, &self.deal, self.spec.index, &command).await
    }
}

/// The order with this id, if its shard holds it.
pub async fn lookup(env: &Env, id: &OrderId) -> Result<Option<Order>> {
    ask(
        env,
        &id.deal_id(),
        id.shard(),
        &StockCommand::Lookup { id: id.clone() },
    )
    .await
}

/// Cancels `customer`'s order `id`.
pub async fn cancel(env: &Env, id: &OrderId, customer: &CustomerId) -> Result<Cancellation> {
    let command = StockCommand::Cancel {
        id: id.clone(),
        customer: customer.clone(),
    };
    let answer = ask(env, &id.deal_id(), id.shard(), &command).await?;
    sold_out::forget(&id.deal_id());
    Ok(answer)
}

/// `customer`'s orders in `deal`.
pub async fn customer_orders(env: &Env, deal: &Deal, customer: &CustomerId) -> Result<Vec<Order>> {
    let command = StockCommand::CustomerOrders {
        customer: customer.clone(),
    };
    ask(env, &deal.id, deal.shard_for(customer), &command).await
}

/// Tells the shard that holds these orders that origin holds them in (at least) these states.
pub async fn confirm(
    env: &Env,
    deal: &DealId,
    shard: u32,
    orders: Vec<(OrderId, OrderStatus)>,
) -> Result<()> {
    ask::<u32>(env, deal, shard, &StockCommand::Confirm { orders })
        .await
        .map(|_| ())
}

/// Every shard's ledger of `deal`, read from all shards at once. A sale a marketer changed
/// live hands each shard its controls with the read (`StockCommand::Control`, merged once
/// however often it comes), so a shard that missed the console's push catches up here.
pub async fn ledgers(env: &Env, deal: &Deal, live: LiveControl) -> Result<Vec<Ledger>> {
    if !live.is_untouched() {
        return control(env, deal, live).await;
    }
    try_join_all((0..deal.shard_count()).map(|index| {
        let spec = ShardSpec::of(deal, index);
        async move { ask(env, &deal.id, index, &StockCommand::Ledger { spec }).await }
    }))
    .await
}

/// Hands `live` to every shard of `deal` at once: when this returns, every shard refuses
/// orders if the sale is ended or paused, and holds its part of the units added. Answers
/// their ledgers after it.
pub async fn control(env: &Env, deal: &Deal, live: LiveControl) -> Result<Vec<Ledger>> {
    let answers =
        try_join_all((0..deal.shard_count()).map(|index| {
            let command = StockCommand::Control {
                deal: deal.id.clone(),
                spec: ShardSpec::of(deal, index),
                live,
            };
            async move {
                ask::<std::result::Result<Ledger, String>>(env, &deal.id, index, &command).await
            }
        }))
        .await?;
    // Units added: this isolate's "sold out" memory of the deal no longer holds.
    sold_out::forget(&deal.id);
    answers
        .into_iter()
        .map(|answer| answer.map_err(worker::Error::RustError))
        .collect()
}
