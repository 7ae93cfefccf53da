//! Stock: each deal's units, reservations and orders live in one `DealStock` Durable Object,
//! named by the deal id. Durable Objects run one request at a time per object, which is what
//! makes "never oversell" and "one order per idempotency key" hold under any concurrency.
//!
//! This module is the Worker's side of that conversation: typed commands in, typed answers out.

pub mod shard;

use std::cell::RefCell;
use std::collections::HashMap;

use festival_domain::{Deal, DealId, Order, OrderId, PricedOrder, UnixMillis};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{Env, Method, Request, RequestInit, Result};

use crate::bindings::{self, DEAL_STOCK};

/// What the Worker asks of a deal's `DealStock`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum StockCommand {
    /// Reserve units for a priced order, once per (customer, idempotency key).
    Reserve {
        /// The order to reserve for.
        order: PricedOrder,
        /// The deal's scheduled stock, used once to initialise the object.
        stock: u32,
        /// The deal's per-customer limit.
        per_customer_limit: u32,
    },
    /// Look up an order.
    Lookup {
        /// The order's id.
        id: OrderId,
    },
    /// Origin has stored these orders.
    Confirm {
        /// Orders of this deal that origin stored.
        ids: Vec<OrderId>,
    },
    /// Units left.
    StockLeft {
        /// The deal's scheduled stock, reported while no order has been taken.
        stock: u32,
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
        /// Units left after it.
        stock_left: u32,
    },
    /// This idempotency key already made an order: here it is, and nothing more was reserved.
    Replayed {
        /// The earlier order.
        order: Order,
    },
    /// Not enough units left.
    SoldOut {
        /// Units left (fewer than asked).
        stock_left: u32,
    },
    /// The customer's units in this deal would exceed the limit.
    LimitReached {
        /// The deal's per-customer limit.
        limit: u32,
    },
}

/// Sends `command` to the `DealStock` of `deal` and reads its answer.
async fn ask<T: DeserializeOwned>(env: &Env, deal: &DealId, command: &StockCommand) -> Result<T> {
    let stub = env.durable_object(DEAL_STOCK)?.get_by_name(deal.as_str())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    let request = Request::new_with_init("https://deal-stock/", &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("deal stock answered {}: {text}", response.status_code()).into());
    }
    response.json().await
}

/// Reserves stock for `order` in `deal`.
pub async fn reserve(env: &Env, deal: &Deal, order: PricedOrder) -> Result<Reservation> {
    let command = StockCommand::Reserve {
        order,
        stock: deal.stock,
        per_customer_limit: deal.per_customer_limit,
    };
    let reservation = ask(env, &deal.id, &command).await?;
    if let Reservation::Accepted { stock_left, .. } | Reservation::SoldOut { stock_left } =
        &reservation
    {
        remember_stock_left(&deal.id, *stock_left);
    }
    Ok(reservation)
}

/// The order with this id, if its deal's object holds it.
pub async fn lookup(env: &Env, id: &OrderId) -> Result<Option<Order>> {
    ask(env, &id.deal_id(), &StockCommand::Lookup { id: id.clone() }).await
}

/// Marks orders of `deal` as stored by origin.
pub async fn confirm(env: &Env, deal: &DealId, ids: Vec<OrderId>) -> Result<()> {
    ask::<u32>(env, deal, &StockCommand::Confirm { ids })
        .await
        .map(|_| ())
}

/// How long an isolate reuses a deal's stock figure for the catalog.
const STOCK_LEFT_TTL_MS: i64 = 1_000;

thread_local! {
    /// Recent stock figures per deal in this isolate, from catalog reads and reservations.
    static STOCK_LEFT: RefCell<HashMap<DealId, (UnixMillis, u32)>> = RefCell::new(HashMap::new());
}

fn remember_stock_left(deal: &DealId, stock_left: u32) {
    STOCK_LEFT.with_borrow_mut(|map| map.insert(deal.clone(), (bindings::now(), stock_left)));
}

/// Units left in `deal`, at most a second old.
pub async fn stock_left(env: &Env, deal: &Deal) -> Result<u32> {
    let now = bindings::now();
    let recent = STOCK_LEFT.with_borrow(|map| {
        map.get(&deal.id)
            .filter(|(at, _)| at.millis_until(now) < STOCK_LEFT_TTL_MS)
            .map(|(_, left)| *left)
    });
    if let Some(left) = recent {
        return Ok(left);
    }
    let left: u32 = ask(
        env,
        &deal.id,
        &StockCommand::StockLeft { stock: deal.stock },
    )
    .await?;
    remember_stock_left(&deal.id, left);
    Ok(left)
}
