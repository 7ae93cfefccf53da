//! Stock: a deal's units are split over N `DealStock` Durable Objects ("shards", named
//! `<deal>#<index>`). A customer always lands on the same shard (`Deal::shard_for`), so their
//! idempotency keys and units held live in one object, which runs one request at a time: that is
//! what makes "never oversell", "one order per key" and "limits hold" true under any
//! concurrency. A shard that runs short borrows units from its siblings, so a deal is sold out
//! only when its whole stock is gone.
//!
//! This module is the Worker's side of the conversation: typed commands in, typed answers out.
//! Reservations go through [`coalesce`], which sends an isolate's concurrent orders for one
//! shard in one batch.

pub mod coalesce;
pub mod line;
mod old_layout;
pub mod shard;
pub mod sold_out;

use festival_domain::{CustomerId, Deal, DealId, Order, OrderId, PricedOrder};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{Context, Env, Method, Request, RequestInit, Result};

use crate::bindings::DEAL_STOCK;

/// What a shard needs to know of its deal to set itself up on first use.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ShardSpec {
    /// The deal's scheduled stock, over all shards.
    pub stock: u32,
    /// Number of shards.
    pub shards: u32,
    /// This shard's index, `0..shards`.
    pub index: u32,
}

impl ShardSpec {
    /// Shard `index` of `deal`.
    pub fn of(deal: &Deal, index: u32) -> Self {
        ShardSpec {
            stock: deal.stock,
            shards: deal.shard_count(),
            index,
        }
    }

    /// The units this shard starts with (the stock split evenly).
    pub fn initial_units(&self) -> u32 {
        festival_domain::deal::share_of(self.stock, self.shards, self.index)
    }
}

/// What the Worker (or a sibling shard) asks of a shard.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum StockCommand {
    /// Reserve units for each of a batch of priced orders, in order, once per (customer,
    /// idempotency key). Answers one [`coalesce::Answer`] per order.
    Reserve {
        /// This shard.
        spec: ShardSpec,
        /// The orders to reserve for.
        orders: Vec<PricedOrder>,
        /// The deal's per-customer limit.
        per_customer_limit: u32,
    },
    /// Give up to about `want` units to a sibling that ran short.
    Lend {
        /// This shard.
        spec: ShardSpec,
        /// Units the sibling needs.
        want: u32,
    },
    /// Cancel the customer's order and return its units, once.
    Cancel {
        /// The order.
        id: OrderId,
        /// Who asks: only the order's customer may cancel it.
        customer: CustomerId,
    },
    /// Look up an order.
    Lookup {
        /// The order's id.
        id: OrderId,
    },
    /// The customer's orders held by this shard.
    Mine {
        /// Whose.
        customer: CustomerId,
    },
    /// Origin has stored these orders.
    Confirm {
        /// Orders of this shard that origin stored.
        ids: Vec<OrderId>,
    },
    /// This shard's ledger (units left, reserved, cancelled, lent, borrowed).
    Ledger {
        /// This shard.
        spec: ShardSpec,
    },
}

/// The answer to [`StockCommand::Reserve`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reservation {
    /// Units held; the order is on its way to origin.
    Accepted {
        /// The new order.
        order: Order,
    },
    /// This idempotency key already made an order: here it is, and nothing more was reserved.
    Replayed {
        /// The earlier order.
        order: Order,
    },
    /// Not enough units left for this quantity.
    SoldOut {
        /// Every shard of the deal had no unit left when asked.
        deal_sold_out: bool,
    },
    /// The customer's units in this deal would exceed the limit.
    LimitReached {
        /// The deal's per-customer limit.
        limit: u32,
    },
}

/// The answer to [`StockCommand::Cancel`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Cancellation {
    /// Cancelled now, or earlier (cancelling twice changes nothing).
    Cancelled {
        /// The cancelled order.
        order: Order,
    },
    /// No such order.
    Unknown,
    /// The order is another customer's.
    NotYours,
}

/// One shard's account of its units. Over all shards of a deal:
/// `stock == Σ stock_left + Σ reserved_units − Σ cancelled_units` (lending moves units between
/// shards and cancels out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Units this shard can still sell.
    pub stock_left: u32,
    /// Units in every order this shard accepted.
    pub reserved_units: u32,
    /// Orders this shard accepted.
    pub reserved_orders: u32,
    /// Units returned by cancellations.
    pub cancelled_units: u32,
    /// Orders cancelled.
    pub cancelled_orders: u32,
    /// Units given to siblings.
    pub lent_units: u32,
    /// Units received from siblings.
    pub borrowed_units: u32,
}

/// Units some shard of a deal has lent and its borrower has not yet counted in, over the
/// ledgers of all the deal's shards: a lender writes its side before it answers, a borrower its
/// own once its round of asking is done, so for that moment the units are in no `stock_left`.
pub fn units_in_transit(ledgers: &[Ledger]) -> u32 {
    let lent: u32 = ledgers.iter().map(|ledger| ledger.lent_units).sum();
    let borrowed: u32 = ledgers.iter().map(|ledger| ledger.borrowed_units).sum();
    lent.saturating_sub(borrowed)
}

/// The Durable Object name of shard `index` of `deal`.
pub fn shard_name(deal: &DealId, index: u32) -> String {
    format!("{deal}#{index}")
}

/// Sends `command` to shard `index` of `deal` and reads its answer.
pub async fn ask<T: DeserializeOwned>(
    env: &Env,
    deal: &DealId,
    index: u32,
    command: &StockCommand,
) -> Result<T> {
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
        .json()
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
pub async fn mine(env: &Env, deal: &Deal, customer: &CustomerId) -> Result<Vec<Order>> {
    let command = StockCommand::Mine {
        customer: customer.clone(),
    };
    ask(env, &deal.id, deal.shard_for(customer), &command).await
}

/// Marks orders as stored by origin, on the shard that holds them.
pub async fn confirm(env: &Env, deal: &DealId, shard: u32, ids: Vec<OrderId>) -> Result<()> {
    ask::<u32>(env, deal, shard, &StockCommand::Confirm { ids })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_lent_but_not_yet_borrowed_are_in_transit() {
        let lender = Ledger {
            lent_units: 3,
            ..Ledger::default()
        };
        let borrower = Ledger {
            borrowed_units: 1,
            ..Ledger::default()
        };
        assert_eq!(units_in_transit(&[lender, borrower]), 2);
        let settled = Ledger {
            borrowed_units: 3,
            ..Ledger::default()
        };
        assert_eq!(units_in_transit(&[lender, settled]), 0);
        assert_eq!(units_in_transit(&[]), 0);
    }
}
