//! `DealStock`: one deal's stock, its orders and its idempotency records, in one Durable Object.
//!
//! Every check-and-write below awaits only storage, and a Durable Object delivers no other event
//! while a storage operation is in flight (its input gate), so each reservation is atomic: no two
//! requests can both see the last unit. The writes of one reservation go in one `put` of many keys,
//! which storage applies all or nothing.
//!
//! Nothing lost: the order is written together with an outbox entry, then sent to the queue; the
//! entry is removed only once the queue has the order. If the send fails, an alarm retries it.

use std::cell::Cell;

use festival_domain::{Order, OrderId, OrderStatus, PricedOrder};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use worker::{
    DurableObject, Env, ListOptions, Request, Response, Result, State, console_warn, durable_object,
};

use super::{Reservation, StockCommand};
use crate::bindings::ORDER_QUEUE;

/// Storage key: units not yet reserved (absent until the first reservation).
const STOCK_LEFT_KEY: &str = "stock_left";
/// Storage key prefixes.
const ORDER_PREFIX: &str = "order:";
const IDEMPOTENCY_PREFIX: &str = "key:";
const HELD_PREFIX: &str = "held:";
const OUTBOX_PREFIX: &str = "outbox:";
/// Retry delay for orders the queue did not take.
const OUTBOX_RETRY_MS: i64 = 2_000;

#[durable_object]
pub struct DealStock {
    state: State,
    env: Env,
    /// Memory copy of [`STOCK_LEFT_KEY`], so a reservation reads no storage for it.
    stock_left: Cell<Option<u32>>,
}

impl DurableObject for DealStock {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            stock_left: Cell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        match req.json::<StockCommand>().await? {
            StockCommand::Reserve {
                order,
                stock,
                per_customer_limit,
            } => Response::from_json(&self.reserve(order, stock, per_customer_limit).await?),
            StockCommand::Lookup { id } => Response::from_json(&self.load_order(&id).await?),
            StockCommand::Confirm { ids } => Response::from_json(&self.confirm(&ids).await?),
            StockCommand::StockLeft { stock } => {
                Response::from_json(&self.stock_left(stock).await?)
            }
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.flush_outbox().await?;
        Response::ok("")
    }
}

impl DealStock {
    async fn reserve(&self, priced: PricedOrder, stock: u32, limit: u32) -> Result<Reservation> {
        let storage = self.state.storage();
        let key_key = format!(
            "{IDEMPOTENCY_PREFIX}{}:{}",
            priced.customer_id.as_str(),
            priced.idempotency_key.as_str()
        );
        if let Some(id) = storage.get::<String>(&key_key).await? {
            let id = OrderId::parse(&id).ok_or("stored idempotency record is not an order id")?;
            let order = self
                .load_order(&id)
                .await?
                .ok_or("idempotency record without its order")?;
            return Ok(Reservation::Replayed { order });
        }

        let stock_left = self.stock_left(stock).await?;
        let held_key = format!("{HELD_PREFIX}{}", priced.customer_id.as_str());
        let held: u32 = storage.get(&held_key).await?.unwrap_or(0);
        let quantity = priced.quantity.get();
        if held.saturating_add(quantity) > limit {
            return Ok(Reservation::LimitReached { limit });
        }
        if quantity > stock_left {
            return Ok(Reservation::SoldOut { stock_left });
        }

        let order = Order {
            id: OrderId::new(&priced.deal_id, random_u128()?),
            status: OrderStatus::Reserved,
            priced,
        };
        let order_json = serde_json::to_string(&order)?;
        let stock_left = stock_left - quantity;
        let writes = Object::new();
        set(&writes, STOCK_LEFT_KEY, stock_left.into())?;
        set(&writes, &held_key, (held + quantity).into())?;
        set(
            &writes,
            &format!("{ORDER_PREFIX}{}", order.id),
            order_json.as_str().into(),
        )?;
        set(&writes, &key_key, order.id.as_str().into())?;
        set(
            &writes,
            &format!("{OUTBOX_PREFIX}{}", order.id),
            order_json.as_str().into(),
        )?;
        storage.put_multiple_raw(writes).await?;
        self.stock_left.set(Some(stock_left));

        // The reservation is durable; from here the queue send may interleave with other
        // requests, and a failed send is retried from the outbox.
        if let Err(error) = self.send_to_queue(&order.id, order_json).await {
            console_warn!(
                "queue send of {} failed, retrying from the outbox: {error}",
                order.id
            );
            storage.set_alarm(OUTBOX_RETRY_MS).await?;
        }
        Ok(Reservation::Accepted { order, stock_left })
    }

    /// Units left; `stock` (the schedule's) until the first reservation writes a figure.
    async fn stock_left(&self, stock: u32) -> Result<u32> {
        if let Some(left) = self.stock_left.get() {
            return Ok(left);
        }
        let left = self.state.storage().get::<u32>(STOCK_LEFT_KEY).await?;
        if left.is_some() {
            self.stock_left.set(left);
        }
        Ok(left.unwrap_or(stock))
    }

    async fn load_order(&self, id: &OrderId) -> Result<Option<Order>> {
        let stored = self
            .state
            .storage()
            .get::<String>(&format!("{ORDER_PREFIX}{id}"))
            .await?;
        Ok(stored.map(|json| serde_json::from_str(&json)).transpose()?)
    }

    /// Marks reserved orders confirmed; answers how many changed.
    async fn confirm(&self, ids: &[OrderId]) -> Result<u32> {
        let storage = self.state.storage();
        let mut changed = 0;
        for id in ids {
            let Some(mut order) = self.load_order(id).await? else {
                continue;
            };
            if order.status == OrderStatus::Reserved {
                order.status = OrderStatus::Confirmed;
                let json = serde_json::to_string(&order)?;
                storage.put(&format!("{ORDER_PREFIX}{id}"), json).await?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn send_to_queue(&self, id: &OrderId, order_json: String) -> Result<()> {
        self.env.queue(ORDER_QUEUE)?.send(order_json).await?;
        self.state
            .storage()
            .delete(&format!("{OUTBOX_PREFIX}{id}"))
            .await?;
        Ok(())
    }

    /// Sends every order still in the outbox; re-arms the alarm while any send fails.
    async fn flush_outbox(&self) -> Result<()> {
        let storage = self.state.storage();
        let pending = storage
            .list_with_options(ListOptions::new().prefix(OUTBOX_PREFIX))
            .await?;
        let mut failed = false;
        for entry in pending.entries() {
            let pair: Array = entry?.into();
            let (Some(key), Some(order_json)) = (pair.get(0).as_string(), pair.get(1).as_string())
            else {
                continue;
            };
            let Some(id) = key.strip_prefix(OUTBOX_PREFIX).and_then(OrderId::parse) else {
                continue;
            };
            if let Err(error) = self.send_to_queue(&id, order_json).await {
                console_warn!("outbox retry of {id} failed: {error}");
                failed = true;
            }
        }
        if failed {
            storage.set_alarm(OUTBOX_RETRY_MS).await?;
        }
        Ok(())
    }
}

fn set(object: &Object, key: &str, value: JsValue) -> Result<()> {
    Reflect::set(object, &key.into(), &value)?;
    Ok(())
}

/// 128 bits from the platform's cryptographic random source, for order ids.
fn random_u128() -> Result<u128> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("random source: {e}"))?;
    Ok(u128::from_le_bytes(bytes))
}
