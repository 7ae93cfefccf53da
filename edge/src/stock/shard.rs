//! `DealStock`: one shard of a deal — its units, the orders it accepted, its customers'
//! idempotency keys and units held.
//!
//! Every check-and-write below awaits only storage, and a Durable Object delivers no other event
//! while a storage operation is in flight (its input gate), so each reservation is atomic: no two
//! requests can both take the last unit. Reservations come in batches (see `coalesce`): a batch
//! is checked with one read, and its writes go in one `put` of many keys, which storage applies
//! all or nothing.
//!
//! Running short, a shard borrows from its siblings (`Lend`), then tries again from the start —
//! other requests may have run while it waited, so nothing checked before the wait is trusted.
//! A round that finds nothing while units remain in the deal (say, lent to another shard and
//! still on their way) is asked again, a few times, before its orders hear "sold out".
//!
//! Nothing lost, and no queue on the shopper's path: a batch's orders are written together with
//! one outbox entry holding them all, and the answers go out at once. An alarm (armed for
//! "now") sends the whole outbox to the queue, up to 100 orders a send, and removes the entries
//! the queue took; a failed send re-arms it.
//!
//! Storage keys per batch of n orders from n customers: each order and its idempotency record,
//! each customer's record (units held and order ids), the ledger and the outbox entry — 3n + 2
//! written in one `put`, after one `get` of 2n. Every key is a row written or read, locally and
//! on Cloudflare alike.

use std::cell::Cell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

use festival_domain::{CustomerId, DealId, Order, OrderId, OrderStatus, PricedOrder};
use js_sys::{Array, Object, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{
    Delay, DurableObject, Env, ListOptions, Request, Response, Result, State, console_warn,
    durable_object,
};

use super::coalesce::{Answer, MAX_BATCH};
use super::{Cancellation, Ledger, Reservation, ShardSpec, StockCommand, ask};
use crate::bindings::{self, ORDER_QUEUE};

/// Storage key of the [`Ledger`] (JSON); absent until the shard's first write.
const LEDGER_KEY: &str = "ledger";
/// Storage key prefixes: orders, idempotency records, customers' records, and batches of orders
/// not yet handed to the queue.
const ORDER_PREFIX: &str = "order:";
const IDEMPOTENCY_PREFIX: &str = "key:";
const CUSTOMER_PREFIX: &str = "customer:";
const OUTBOX_PREFIX: &str = "outbox:";
/// Retry delay for orders the queue did not take.
const OUTBOX_RETRY_MS: i64 = 2_000;
/// Most messages in one send to the queue (Cloudflare's limit per batch).
const QUEUE_BATCH: usize = 100;
/// Rounds of borrowing a batch's short orders try while units remain in the deal, and the pause
/// between two: units lent to another shard are in no ledger's `stock_left` until its round of
/// asking is done, a few Durable Object calls later.
const BORROW_ROUNDS: u32 = 5;
const BORROW_PAUSE: Duration = Duration::from_millis(20);

/// What a shard keeps of one customer: the units they hold here (which the limit counts) and
/// their order ids, oldest first.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CustomerRecord {
    pub held: u32,
    pub orders: Vec<String>,
}
#[durable_object]
pub struct DealStock {
    state: State,
    env: Env,
    /// Memory copy of the stored ledger.
    ledger: Cell<Option<Ledger>>,
    /// Whether an alarm is already set to flush the outbox.
    flush_armed: Cell<bool>,
    /// Whether this object made sure its storage has today's layout (see `old_layout`).
    layout_checked: Cell<bool>,
}

impl DurableObject for DealStock {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            ledger: Cell::new(None),
            flush_armed: Cell::new(false),
            layout_checked: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.check_layout().await?;
        match req.json::<StockCommand>().await? {
            StockCommand::Reserve {
                spec,
                orders,
                per_customer_limit,
            } => {
                // One write takes at most 128 keys: a larger batch (say, from another version of
                // the Worker) is reserved in parts.
                let mut answers = Vec::with_capacity(orders.len());
                for part in orders.chunks(MAX_BATCH) {
                    let part = part.to_vec();
                    answers.extend(self.reserve_batch(spec, part, per_customer_limit).await);
                }
                Response::from_json(&answers)
            }
            StockCommand::Lend { spec, want } => Response::from_json(&self.lend(spec, want).await?),
            StockCommand::Cancel { id, customer } => {
                Response::from_json(&self.cancel(&id, &customer).await?)
            }
            StockCommand::Lookup { id } => Response::from_json(&self.load_order(&id).await?),
            StockCommand::Mine { customer } => Response::from_json(&self.mine(&customer).await?),
            StockCommand::Confirm { ids } => Response::from_json(&self.confirm(&ids).await?),
            StockCommand::Ledger { spec } => Response::from_json(&self.ledger(spec).await?),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.check_layout().await?;
        self.flush_outbox().await?;
        Response::ok("")
    }
}

/// A reservation attempt: done, short of units, or failed on a damaged record (that order
/// alone: the rest of its batch goes on).
enum Attempt {
    Done(Reservation),
    Short,
    Failed(String),
}

impl DealStock {
    /// Once per start of this object, before anything reads a customer: converts storage written
    /// by an earlier version (see `old_layout`).
    async fn check_layout(&self) -> Result<()> {
        if !self.layout_checked.get() {
            super::old_layout::adopt(&self.state.storage()).await?;
            self.layout_checked.set(true);
        }
        Ok(())
    }

    /// Reserves for a batch of orders, in order: first all at once against the units this shard
    /// holds (one read, one write); then the orders that were short of units borrow what they
    /// need together, in one round over the siblings, and try again together.
    async fn reserve_batch(
        &self,
        spec: ShardSpec,
        orders: Vec<PricedOrder>,
        limit: u32,
    ) -> Vec<Answer> {
        let failed = |error: worker::Error, count: usize| -> Vec<Answer> {
            (0..count).map(|_| Err(error.to_string())).collect()
        };
        let attempts = match self.try_reserve_all(spec, &orders, limit).await {
            Ok(attempts) => attempts,
            Err(error) => return failed(error, orders.len()),
        };
        let mut answers: Vec<Answer> = Vec::with_capacity(orders.len());
        let mut short: Vec<(usize, PricedOrder)> = Vec::new();
        for (index, (priced, attempt)) in orders.into_iter().zip(attempts).enumerate() {
            match attempt {
                Attempt::Done(reservation) => answers.push(Ok(reservation)),
                Attempt::Failed(why) => answers.push(Err(why)),
                Attempt::Short => {
                    short.push((index, priced));
                    // Filled in below.
                    answers.push(Err(String::new()));
                }
            }
        }
        let Some((_, first)) = short.first() else {
            return answers;
        };
        let deal = first.deal_id.clone();
        let shorts: Vec<PricedOrder> = short.iter().map(|(_, order)| order.clone()).collect();
        let retried = match self.borrow_and_retry(spec, &deal, &shorts, limit).await {
            Ok(retried) => retried,
            Err(error) => failed(error, shorts.len()),
        };
        for ((index, _), answer) in short.into_iter().zip(retried) {
            answers[index] = answer;
        }
        answers
    }

    /// Borrows what `orders`, which were short, need together, and tries them again.
    async fn borrow_and_retry(
        &self,
        spec: ShardSpec,
        deal: &DealId,
        orders: &[PricedOrder],
        limit: u32,
    ) -> Result<Vec<Answer>> {
        let sold_out = |deal_sold_out| {
            orders
                .iter()
                .map(|_| Ok(Reservation::SoldOut { deal_sold_out }))
                .collect()
        };
        // What they want together, less what the rest of their batch left here.
        let wanted: u32 = orders.iter().map(|order| order.quantity.get()).sum();
        let mut round = 1;
        loop {
            let have = self.ledger(spec).await?.stock_left;
            let need = wanted.saturating_sub(have).max(1);
            // Borrowed units, or units here already (a cancel may have returned some): the
            // orders that fit take them.
            if self.borrow(spec, deal, need).await? > 0 || have > 0 {
                break;
            }
            if self.whole_deal_is_empty(spec, deal).await? {
                return Ok(sold_out(true));
            }
            // Units remain somewhere — maybe on their way to another borrower, which holds
            // them in a moment: ask again shortly rather than refuse while they exist.
            if round == BORROW_ROUNDS {
                return Ok(sold_out(false));
            }
            round += 1;
            Delay::from(BORROW_PAUSE).await;
        }
        let attempts = self.try_reserve_all(spec, orders, limit).await?;
        Ok(attempts
            .into_iter()
            .map(|attempt| match attempt {
                Attempt::Done(answer) => Ok(answer),
                Attempt::Failed(why) => Err(why),
                // Borrowed too little, or others took it meanwhile: units remain in the deal.
                Attempt::Short => Ok(Reservation::SoldOut {
                    deal_sold_out: false,
                }),
            })
            .collect())
    }

    /// Tries each order in turn against this shard's units, its customers' idempotency keys and
    /// units held, with one storage read and one write for all of them (at most 128 keys: see
    /// `coalesce::MAX_BATCH`). Awaiting only storage, it runs with no other event in between.
    async fn try_reserve_all(
        &self,
        spec: ShardSpec,
        orders: &[PricedOrder],
        limit: u32,
    ) -> Result<Vec<Attempt>> {
        let storage = self.state.storage();
        let mut keys: Vec<String> = orders
            .iter()
            .flat_map(|o| [idempotency_key(o), customer_key(o.customer_id.as_str())])
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let stored = storage.get_multiple(keys).await?;
        let stored_string = |key: &str| stored.get(&key.into()).as_string();

        let mut ledger = self.ledger(spec).await?;
        let mut customers: HashMap<String, CustomerRecord> = HashMap::new();
        let mut new_by_key: HashMap<String, Order> = HashMap::new();
        let mut outbox: Vec<String> = Vec::new();
        let writes = Object::new();
        let mut attempts = Vec::with_capacity(orders.len());
        for priced in orders {
            let key_key = idempotency_key(priced);
            if let Some(order) = new_by_key.get(&key_key) {
                attempts.push(Attempt::Done(Reservation::Replayed {
                    order: order.clone(),
                }));
                continue;
            }
            if let Some(id) = stored_string(&key_key) {
                let earlier = match OrderId::parse(&id) {
                    Some(id) => self.load_order(&id).await,
                    None => Ok(None),
                };
                attempts.push(match earlier {
                    Ok(Some(order)) => Attempt::Done(Reservation::Replayed { order }),
                    Ok(None) => {
                        Attempt::Failed(format!("idempotency record {id} without its order"))
                    }
                    Err(error) => Attempt::Failed(format!("order {id}: {error}")),
                });
                continue;
            }
            let customer = match customers.entry(customer_key(priced.customer_id.as_str())) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => {
                    let stored = stored_string(entry.key()).map(|json| serde_json::from_str(&json));
                    match stored.unwrap_or_else(|| Ok(CustomerRecord::default())) {
                        Ok(record) => entry.insert(record),
                        Err(error) => {
                            attempts.push(Attempt::Failed(format!("{}: {error}", entry.key())));
                            continue;
                        }
                    }
                }
            };
            let quantity = priced.quantity.get();
            if customer.held.saturating_add(quantity) > limit {
                attempts.push(Attempt::Done(Reservation::LimitReached { limit }));
                continue;
            }
            if quantity > ledger.stock_left {
                attempts.push(Attempt::Short);
                continue;
            }

            let order = Order {
                id: OrderId::new(&priced.deal_id, spec.index, random_u128()?),
                status: OrderStatus::Reserved,
                priced: priced.clone(),
            };
            let order_json = serde_json::to_string(&order)?;
            ledger.stock_left -= quantity;
            ledger.reserved_units += quantity;
            ledger.reserved_orders += 1;
            customer.held += quantity;
            customer.orders.push(order.id.to_string());
            set(
                &writes,
                &format!("{ORDER_PREFIX}{}", order.id),
                order_json.as_str().into(),
            )?;
            set(&writes, &key_key, order.id.as_str().into())?;
            outbox.push(order_json);
            new_by_key.insert(key_key, order.clone());
            attempts.push(Attempt::Done(Reservation::Accepted { order }));
        }
        if new_by_key.is_empty() {
            return Ok(attempts);
        }
        set(&writes, LEDGER_KEY, serde_json::to_string(&ledger)?.into())?;
        for (key, record) in &customers {
            set(&writes, key, serde_json::to_string(record)?.into())?;
        }
        let first = new_by_key.values().next().map(|order| order.id.as_str());
        set(
            &writes,
            &outbox_key(first.unwrap_or_default()),
            serde_json::to_string(&outbox)?.into(),
        )?;
        storage.put_multiple_raw(writes).await?;
        self.ledger.set(Some(ledger));
        self.flush_soon().await?;
        Ok(attempts)
    }

    /// Asks the siblings, in turn, for `need` units; answers how many arrived (now in this
    /// shard's ledger).
    async fn borrow(&self, spec: ShardSpec, deal: &DealId, need: u32) -> Result<u32> {
        let mut got = 0;
        let mut failure = None;
        for step in 1..spec.shards {
            let sibling = ShardSpec {
                index: (spec.index + step) % spec.shards,
                ..spec
            };
            let lend = StockCommand::Lend {
                spec: sibling,
                want: need - got,
            };
            match ask::<u32>(&self.env, deal, sibling.index, &lend).await {
                Ok(lent) => got += lent,
                Err(error) => {
                    // Keep what the siblings asked before already lent, then tell the failure.
                    failure = Some(error);
                    break;
                }
            }
            if got >= need {
                break;
            }
        }
        if got > 0 {
            // Read the ledger after the waits above: other requests may have changed it.
            let mut ledger = self.ledger(spec).await?;
            ledger.stock_left += got;
            ledger.borrowed_units += got;
            self.save_ledger(ledger).await?;
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(got),
        }
    }

    /// Whether this shard and every sibling have no unit left. The siblings are read once more
    /// after a borrowing round came back empty: units can move between two siblings while a
    /// round asks them in turn, and isolates answer "sold out" from memory on this word.
    async fn whole_deal_is_empty(&self, spec: ShardSpec, deal: &DealId) -> Result<bool> {
        let own = self.ledger(spec).await?;
        if own.stock_left > 0 {
            return Ok(false);
        }
        let mut ledgers = vec![own];
        for step in 1..spec.shards {
            let sibling = ShardSpec {
                index: (spec.index + step) % spec.shards,
                ..spec
            };
            let read = StockCommand::Ledger { spec: sibling };
            let ledger = ask::<Ledger>(&self.env, deal, sibling.index, &read).await?;
            if ledger.stock_left > 0 {
                return Ok(false);
            }
            ledgers.push(ledger);
        }
        // Read one after the other, a lender's side always comes before its borrower's: units
        // seen lent and not yet borrowed are on their way and not sold.
        Ok(super::units_in_transit(&ledgers) == 0)
    }

    /// Gives a sibling up to `want` units — exactly what it needs, so that no shard hoards units
    /// that another one's shoppers are asking for.
    async fn lend(&self, spec: ShardSpec, want: u32) -> Result<u32> {
        let mut ledger = self.ledger(spec).await?;
        let give = want.min(ledger.stock_left);
        if give > 0 {
            ledger.stock_left -= give;
            ledger.lent_units += give;
            self.save_ledger(ledger).await?;
        }
        Ok(give)
    }

    async fn cancel(&self, id: &OrderId, customer: &CustomerId) -> Result<Cancellation> {
        let Some(mut order) = self.load_order(id).await? else {
            return Ok(Cancellation::Unknown);
        };
        if &order.priced.customer_id != customer {
            return Ok(Cancellation::NotYours);
        }
        if order.status == OrderStatus::Cancelled {
            return Ok(Cancellation::Cancelled { order });
        }
        let storage = self.state.storage();
        let quantity = order.priced.quantity.get();
        let customer_key = customer_key(customer.as_str());
        let mut record = self.customer_record(&customer_key).await?;
        record.held = record.held.saturating_sub(quantity);
        // An order exists, so the ledger was written: no spec is needed to set it up.
        let mut ledger = self
            .stored_ledger()
            .await?
            .ok_or("an order without a ledger")?;
        ledger.stock_left += quantity;
        ledger.cancelled_units += quantity;
        ledger.cancelled_orders += 1;
        order.status = OrderStatus::Cancelled;
        let order_json = serde_json::to_string(&order)?;
        let writes = Object::new();
        set(&writes, LEDGER_KEY, serde_json::to_string(&ledger)?.into())?;
        set(
            &writes,
            &customer_key,
            serde_json::to_string(&record)?.into(),
        )?;
        set(
            &writes,
            &format!("{ORDER_PREFIX}{id}"),
            order_json.as_str().into(),
        )?;
        // Origin may learn of the order and its cancellation in either order: it never lets an
        // acceptance overwrite a cancellation.
        let cancellation = [order_json];
        set(
            &writes,
            &outbox_key(&format!("{id}-cancel")),
            serde_json::to_string(&cancellation)?.into(),
        )?;
        storage.put_multiple_raw(writes).await?;
        self.ledger.set(Some(ledger));
        self.flush_soon().await?;
        Ok(Cancellation::Cancelled { order })
    }

    /// The ledger; a shard never written starts with its share of the stock.
    async fn ledger(&self, spec: ShardSpec) -> Result<Ledger> {
        Ok(self.stored_ledger().await?.unwrap_or(Ledger {
            stock_left: spec.initial_units(),
            ..Ledger::default()
        }))
    }

    async fn stored_ledger(&self) -> Result<Option<Ledger>> {
        if let Some(ledger) = self.ledger.get() {
            return Ok(Some(ledger));
        }
        let stored = self.state.storage().get::<String>(LEDGER_KEY).await?;
        let ledger = stored
            .map(|json| serde_json::from_str::<Ledger>(&json))
            .transpose()?;
        self.ledger.set(ledger);
        if ledger.is_some() {
            // This object just (re)started with state: whatever its outbox still holds — say the
            // runtime restarted between a write and its alarm — goes out now.
            self.flush_soon().await?;
        }
        Ok(ledger)
    }

    async fn save_ledger(&self, ledger: Ledger) -> Result<()> {
        self.state
            .storage()
            .put(LEDGER_KEY, serde_json::to_string(&ledger)?)
            .await?;
        self.ledger.set(Some(ledger));
        Ok(())
    }

    async fn load_order(&self, id: &OrderId) -> Result<Option<Order>> {
        let stored = self
            .state
            .storage()
            .get::<String>(&format!("{ORDER_PREFIX}{id}"))
            .await?;
        Ok(stored.map(|json| serde_json::from_str(&json)).transpose()?)
    }

    /// The record stored under `key` (a [`customer_key`]); a customer never seen holds nothing.
    async fn customer_record(&self, key: &str) -> Result<CustomerRecord> {
        Ok(match self.state.storage().get::<String>(key).await? {
            Some(json) => serde_json::from_str(&json)?,
            None => CustomerRecord::default(),
        })
    }

    /// The customer's orders here, newest first.
    async fn mine(&self, customer: &CustomerId) -> Result<Vec<Order>> {
        let record = self
            .customer_record(&customer_key(customer.as_str()))
            .await?;
        let ids: Vec<OrderId> = record
            .orders
            .iter()
            .rev()
            .filter_map(|id| OrderId::parse(id))
            .collect();
        self.load_orders(&ids).await
    }

    /// The stored, readable orders among `ids`, in that order: one storage read per 128
    /// (storage's most).
    async fn load_orders(&self, ids: &[OrderId]) -> Result<Vec<Order>> {
        let mut orders = Vec::with_capacity(ids.len());
        for part in ids.chunks(128) {
            let keys: Vec<String> = part
                .iter()
                .map(|id| format!("{ORDER_PREFIX}{id}"))
                .collect();
            let stored = self.state.storage().get_multiple(keys.clone()).await?;
            for key in &keys {
                let Some(json) = stored.get(&key.into()).as_string() else {
                    continue;
                };
                // A damaged record is left out (and logged), not the whole answer.
                match serde_json::from_str(&json) {
                    Ok(order) => orders.push(order),
                    Err(error) => console_warn!("{key} is damaged: {error}"),
                }
            }
        }
        Ok(orders)
    }

    /// Marks reserved orders confirmed; answers how many changed.
    async fn confirm(&self, ids: &[OrderId]) -> Result<u32> {
        // One write for the whole batch: a batch holds at most 100 orders, within storage's
        // 128 keys per put.
        let writes = Object::new();
        let mut changed = 0;
        for mut order in self.load_orders(ids).await? {
            if order.status == OrderStatus::Reserved {
                order.status = OrderStatus::Confirmed;
                let json = serde_json::to_string(&order)?;
                set(
                    &writes,
                    &format!("{ORDER_PREFIX}{}", order.id),
                    json.as_str().into(),
                )?;
                changed += 1;
            }
        }
        if changed > 0 {
            self.state.storage().put_multiple_raw(writes).await?;
        }
        Ok(changed)
    }

    /// Arms the alarm that flushes the outbox, unless it is armed already.
    async fn flush_soon(&self) -> Result<()> {
        if !self.flush_armed.replace(true)
            && let Err(error) = self.state.storage().set_alarm(0).await
        {
            // Not armed after all: the next write tries again.
            self.flush_armed.set(false);
            return Err(error);
        }
        Ok(())
    }

    /// Sends everything in the outbox to the queue, up to 100 orders a send, removing the
    /// entries each send carried; re-arms the alarm in a moment if a send fails.
    async fn flush_outbox(&self) -> Result<()> {
        // Orders written from here on arm a new alarm.
        self.flush_armed.set(false);
        let storage = self.state.storage();
        let pending = storage
            .list_with_options(ListOptions::new().prefix(OUTBOX_PREFIX))
            .await?;
        let mut entries: Vec<(String, Vec<String>)> = Vec::new();
        for entry in pending.entries() {
            let pair: Array = entry?.into();
            if let (Some(key), Some(json)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                entries.push((key, outbox_orders(json)));
            }
        }
        let queue = self.env.queue(ORDER_QUEUE)?;
        for send in queue_sends(&entries) {
            let bodies: Vec<String> = send.iter().flat_map(|(_, orders)| orders.clone()).collect();
            let count = bodies.len();
            if let Err(error) = queue.send_batch(bodies).await {
                console_warn!("queue send of {count} orders failed; retrying: {error}");
                self.flush_armed.set(true);
                storage.set_alarm(OUTBOX_RETRY_MS).await?;
                return Ok(());
            }
            storage
                .delete_multiple(send.iter().map(|(key, _)| key.as_str()).collect())
                .await?;
        }
        Ok(())
    }
}

/// The messages of an outbox entry: its orders' JSON texts, from a JSON list of them. Anything
/// else — one order, as an earlier version wrote it, or a damaged entry — goes as it is, one
/// message: the consumer stores an order, or after its retries reports the message as a dead
/// letter; either way the shard's other entries still go.
fn outbox_orders(json: String) -> Vec<String> {
    match serde_json::from_str::<Vec<String>>(&json) {
        Ok(orders) if json.starts_with('[') => orders,
        _ => vec![json],
    }
}

/// Outbox entries grouped into sends of at most [`QUEUE_BATCH`] orders, in order. An entry is
/// never split (it holds at most `MAX_BATCH` orders), so it is removed once its send is taken.
fn queue_sends(entries: &[(String, Vec<String>)]) -> Vec<&[(String, Vec<String>)]> {
    let mut sends = Vec::new();
    let (mut start, mut orders) = (0, 0);
    for (index, (_, entry)) in entries.iter().enumerate() {
        if orders > 0 && orders + entry.len() > QUEUE_BATCH {
            sends.push(&entries[start..index]);
            (start, orders) = (index, 0);
        }
        orders += entry.len();
    }
    if start < entries.len() {
        sends.push(&entries[start..]);
    }
    sends
}

/// A new outbox entry's key: the moment (so the outbox lists roughly oldest first) and
/// something only this entry has — an order's id (random) for a batch, with `-cancel` for a
/// cancellation, which happens once per order. An entry is never overwritten.
fn outbox_key(unique: &str) -> String {
    format!("{OUTBOX_PREFIX}{:013}-{unique}", bindings::now().0)
}

/// Storage key of the order id made with this order's (customer, idempotency key).
fn idempotency_key(order: &PricedOrder) -> String {
    format!(
        "{IDEMPOTENCY_PREFIX}{}:{}",
        order.customer_id.as_str(),
        order.idempotency_key.as_str()
    )
}

/// Storage key of `customer`'s [`CustomerRecord`] in this shard (JSON).
pub(super) fn customer_key(customer: &str) -> String {
    format!("{CUSTOMER_PREFIX}{customer}")
}

pub(super) fn set(object: &Object, key: &str, value: JsValue) -> Result<()> {
    Reflect::set(object, &key.into(), &value)?;
    Ok(())
}

/// 128 bits from the platform's cryptographic random source, for order ids.
pub fn random_u128() -> Result<u128> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("random source: {e}"))?;
    Ok(u128::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, orders: usize) -> (String, Vec<String>) {
        (
            name.to_owned(),
            (0..orders).map(|i| format!("{{{i}}}")).collect(),
        )
    }

    #[test]
    fn outbox_entries_go_whole_in_sends_of_at_most_a_queue_batch() {
        let entries = [
            entry("a", 40),
            entry("b", 42),
            entry("c", 30),
            entry("d", 1),
        ];
        let sends = queue_sends(&entries);
        let names: Vec<Vec<&str>> = sends
            .iter()
            .map(|send| send.iter().map(|(key, _)| key.as_str()).collect())
            .collect();
        assert_eq!(names, [vec!["a", "b"], vec!["c", "d"]]);
        for send in &sends {
            assert!(send.iter().map(|(_, orders)| orders.len()).sum::<usize>() <= QUEUE_BATCH);
        }
        assert!(queue_sends(&[]).is_empty());
    }

    #[test]
    fn an_outbox_entry_is_a_list_of_orders_or_one_order_from_before() {
        let listed = outbox_orders(r#"["{\"id\":1}","{\"id\":2}"]"#.to_owned());
        assert_eq!(listed, [r#"{"id":1}"#, r#"{"id":2}"#]);
        let single = outbox_orders(r#"{"id":3}"#.to_owned());
        assert_eq!(single, [r#"{"id":3}"#]);
        // Damaged: goes as it is, to end as a dead letter rather than block the outbox.
        assert_eq!(outbox_orders("[not json".to_owned()), ["[not json"]);
    }
}
