//! Stock: a deal's units are split over N `DealStock` Durable Objects ("shards", named
//! `<deal>#<index>`). The protocol — what a shard decides, and why it never oversells, strands
//! or loses — is `festival_domain::stock`; this module is the Worker's side of the
//! conversation: typed commands in, typed answers out. Reservations go through [`coalesce`],
//! which sends an isolate's concurrent orders for one shard in one batch.

pub mod coalesce;
pub mod line;
mod old_layout;
pub mod shard;
pub mod sold_out;

pub use festival_domain::stock::{
    Answer, Cancellation, Ledger, Reservation, ShardSpec, StockCommand, shard_name,
};
use festival_domain::{CustomerId, Deal, DealId, Order, OrderId, OrderStatus, PricedOrder};
use serde::de::DeserializeOwned;
use worker::{Context, Env, Method, Request, RequestInit, Result};

use crate::bindings::DEAL_STOCK;

/// Sends `command` to shard `index` of `deal` and reads its answer.
pub async fn ask<T: DeserializeOwned>(
    env: &Env,
    deal: &DealId,
    index: u32,
    command: &StockCommand,
) -> Result<T> {
    let text = ask_text(env, deal, index, command).await?;
    serde_json::from_str(&text)
        .map_err(|error| format!("reading the shard's answer: {error}").into())
}

/// Sends `command` to shard `index` of `deal`; its answer as JSON text.
pub async fn ask_text(
    env: &Env,
    deal: &DealId,
    index: u32,
    command: &StockCommand,
) -> Result<String> {
    let stub = env
        .durable_object(DEAL_STOCK)?
        .get_by_name(&shard_name(deal, index))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    let request = Request::new_with_init("https://deal-stock/", &init)?;
    let mut response = stub
        .fetch_with_request(request)
        .await
        .map_err(|error| format!("calling the shard: {error}"))?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("deal stock answered {}: {text}", response.status_code()).into());
    }
    response
        .text()
        .await
        .map_err(|error| format!("reading the shard's answer: {error}").into())
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
    let spec = ShardSpec::of(deal, deal.shard_for(&order.customer_id));
    let failed = |error: String| format!("shard {} of {}: {error}", spec.index, deal.id);
    let batched = coalesce::reserve(env, ctx, &deal.id, spec, deal.per_customer_limit, order)
        .await
        .map_err(|error| failed(error.to_string()))?;
    let reservation = batched.answer.map_err(failed)?;
    if let Reservation::SoldOut {
        deal_sold_out: true,
    } = reservation
    {
        sold_out::remember(&deal.id);
    }
    Ok((reservation, batched.batch_size))
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

/// Every shard's ledger of `deal`.
pub async fn ledgers(env: &Env, deal: &Deal) -> Result<Vec<Ledger>> {
    let mut ledgers = Vec::with_capacity(deal.shard_count() as usize);
    for index in 0..deal.shard_count() {
        let spec = ShardSpec::of(deal, index);
        ledgers.push(ask(env, &deal.id, index, &StockCommand::Ledger { spec }).await?);
    }
    Ok(ledgers)
}
