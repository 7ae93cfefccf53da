//! Everyone around the shards: shoppers' isolates (orders, retries, cancels, catalog reads),
//! the queue and its consumer, origin's idempotent store, the dead letters and redrive. Each
//! keeps what it was told, so the checks can hold the shards to their answers.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use festival_domain::batch::{confirmations, orders_in_message, sent_states};
use festival_domain::stock::{Answer, Cancellation, Reservation, ShardSpec, StockCommand};
use festival_domain::{
    BatchReceipt, CustomerId, Deal, IdempotencyKey, Order, OrderId, OrderStatus,
};
use festival_domain::{PricedOrder, Quantity, UnixMillis};

use super::faults::Kind;
use super::world::{Owner, World};

/// Deliveries before the queue gives a message up to the dead letters (small, to get there).
const MAX_DELIVERIES: u32 = 4;
/// How long a message taken by the consumer stays invisible to others.
const VISIBILITY_MS: i64 = 30_000;
pub const CUSTOMERS: u64 = 12;
const ORDERS_PER_BATCH: u64 = 4;

pub struct Message {
    pub id: u64,
    pub body: String,
    pub deliveries: u32,
    pub visible_at: i64,
}

impl Message {
    pub fn new(body: String, now: i64) -> Self {
        Message {
            id: 0,
            body,
            deliveries: 0,
            visible_at: now,
        }
    }
}

/// Origin's store, as `origin/src/db.rs` keeps it: one row per order id; a cancellation
/// overwrites a sale once, a sale never overwrites a cancellation.
#[derive(Default)]
pub struct Origin {
    pub orders: BTreeMap<OrderId, Order>,
    pub down_until: i64,
    pub refusing_until: i64,
    pub transactions: u64,
}

impl Origin {
    pub fn store(&mut self, orders: &[Order]) -> BatchReceipt {
        self.transactions += 1;
        let mut receipt = BatchReceipt::default();
        for order in orders {
            let changed = match self.orders.get_mut(&order.id) {
                None => {
                    self.orders.insert(order.id.clone(), order.clone());
                    true
                }
                Some(kept) if order.status == OrderStatus::Cancelled => {
                    let changed = kept.status != OrderStatus::Cancelled;
                    kept.status = OrderStatus::Cancelled;
                    changed
                }
                Some(_) => false,
            };
            if changed {
                receipt.stored.push(order.id.clone());
            } else {
                receipt.already_stored.push(order.id.clone());
            }
        }
        receipt
    }
}

/// A deal as the schedule has it, and as isolates with an older copy still have it.
pub struct Plan {
    pub deal: Deal,
    pub older: Option<Deal>,
}

/// Everything the actors share and the checks read.
#[derive(Default)]
pub struct Book {
    pub origin: Origin,
    pub dead_letters: Vec<String>,
    /// The order each (customer, key) was answered with.
    pub answered: BTreeMap<(String, String), Order>,
    /// What each (customer, key) was first sent as: retries send the same.
    pub sent: Vec<PricedOrder>,
    /// The `KeyClaims` objects' storage (claims are keyed by customer, so one store holds
    /// them all).
    pub claims: BTreeMap<String, String>,
    /// Cancels answered "cancelled".
    pub cancelled: BTreeSet<OrderId>,
    /// What shards answered that they must not have.
    pub violations: Vec<String>,
    pub next_message: u64,
}

pub type Shared = Rc<std::cell::RefCell<Book>>;

/// A shopper's isolate sends one batch of orders for one shard.
pub fn order_batch(world: &Rc<World>, book: &Shared, plans: &[Plan], deal: usize) {
    let plan = &plans[deal];
    let stale = plan.older.is_some() && world.fault(Kind::StaleSchedule);
    let schedule = if stale { plan.older.as_ref() } else { None }.unwrap_or(&plan.deal);
    let mut orders: Vec<PricedOrder> = Vec::new();
    let mut shard = None;
    let count = 1 + world.faults.borrow_mut().choices.below(ORDERS_PER_BATCH);
    for _ in 0..count {
        let order = next_order(world, book, schedule);
        let index = schedule.shard_for(&order.customer_id);
        if *shard.get_or_insert(index) == index
            && super::claims::claim(world, &mut book.borrow_mut().claims, &order)
        {
            orders.push(order);
        }
    }
    let index = shard.unwrap_or(0);
    let command = StockCommand::Reserve {
        spec: ShardSpec::of(schedule, index),
        orders: orders.clone(),
        per_customer_limit: schedule.per_customer_limit,
    };
    world.note(format!(
        "order {} on {}#{index}{}",
        orders.len(),
        schedule.id,
        if stale { " (stale schedule)" } else { "" }
    ));
    let answer = world.call((deal, index), command);
    let book = book.clone();
    world.spawn(Owner::Client, async move {
        let Ok(text) = answer.await else { return };
        let Ok(answers) = serde_json::from_str::<Vec<Answer>>(&text) else {
            book.borrow_mut()
                .violations
                .push(format!("unreadable answer {text}"));
            return;
        };
        let mut book = book.borrow_mut();
        for (order, answer) in orders.iter().zip(answers) {
            record(&mut book, order, answer);
        }
    });
}

/// A new order, a retry of one sent before (same body), or its key reused for another body:
/// another quantity, or another deal.
fn next_order(world: &Rc<World>, book: &Shared, deal: &Deal) -> PricedOrder {
    let mut faults = world.faults.borrow_mut();
    let choice = faults.choices.below(10);
    let book = book.borrow();
    let earlier: Vec<&PricedOrder> = book
        .sent
        .iter()
        .filter(|o| (o.deal_id == deal.id) == (choice < 2))
        .collect();
    if choice < 3 && !earlier.is_empty() {
        let mut again = earlier[faults.choices.below(earlier.len() as u64) as usize].clone();
        if choice == 1 {
            let other = again.quantity.get() % deal.per_customer_limit + 1;
            again.quantity = Quantity::new(i64::from(other)).expect("at least 1");
        }
        if choice == 2 {
            again.deal_id = deal.id.clone();
            again.unit_price_minor = deal.price_minor;
            again.total_minor = deal.price_minor * i64::from(again.quantity.get());
        }
        return again;
    }
    let customer = format!("c{}", faults.choices.below(CUSTOMERS));
    let quantity = 1 + faults.choices.below(u64::from(deal.per_customer_limit)) as i64;
    let key = format!("key-{:012x}", faults.choices.next_u64() >> 16);
    drop(book);
    PricedOrder {
        deal_id: deal.id.clone(),
        customer_id: CustomerId::new(&customer).expect("a valid id"),
        idempotency_key: IdempotencyKey::new(&key).expect("a valid key"),
        quantity: Quantity::new(quantity).expect("at least 1"),
        unit_price_minor: deal.price_minor,
        total_minor: deal.price_minor * quantity,
        currency: deal.currency.clone(),
        priced_at: UnixMillis(world.now.get()),
    }
}

fn record(book: &mut Book, order: &PricedOrder, answer: Answer) {
    if !book.sent.contains(order) {
        book.sent.push(order.clone());
    }
    let key = (
        order.customer_id.as_str().to_owned(),
        order.idempotency_key.as_str().to_owned(),
    );
    let made = match answer {
        Ok(Reservation::Accepted { order: made }) => made,
        Ok(Reservation::Replayed { order: made }) => made,
        _ => return,
    };
    if made.priced.quantity != order.quantity || made.priced.deal_id != order.deal_id {
        book.violations
            .push(format!("{} answered for another body", made.id));
    }
    match book.answered.get(&key) {
        Some(earlier) if earlier.id != made.id => book.violations.push(format!(
            "one key, two orders: {} and {}",
            earlier.id, made.id
        )),
        Some(_) => {}
        None => {
            book.answered.insert(key, made);
        }
    }
}

/// A shopper cancels one of their orders.
pub fn cancel(world: &Rc<World>, book: &Shared) {
    let chosen = {
        let book = book.borrow();
        let orders: Vec<&Order> = book.answered.values().collect();
        if orders.is_empty() {
            return;
        }
        let pick = world.faults.borrow_mut().choices.below(orders.len() as u64) as usize;
        orders[pick].clone()
    };
    let to = (world.object_index(&chosen.id.deal_id()), chosen.id.shard());
    world.note(format!("cancel {}", chosen.id));
    let answer = world.call(
        to,
        StockCommand::Cancel {
            id: chosen.id.clone(),
            customer: chosen.priced.customer_id.clone(),
        },
    );
    let book = book.clone();
    world.spawn(Owner::Client, async move {
        if let Ok(text) = answer.await
            && let Ok(Cancellation::Cancelled { order }) = serde_json::from_str(&text)
        {
            book.borrow_mut().cancelled.insert(order.id);
        }
    });
}

/// The catalog reads a shard's ledger (which also wakes the object).
pub fn read_ledger(world: &Rc<World>, plans: &[Plan], deal: usize) {
    let spec_of = &plans[deal].deal;
    let index = world
        .faults
        .borrow_mut()
        .choices
        .below(spec_of.shard_count().into()) as u32;
    let spec = ShardSpec::of(spec_of, index);
    let answer = world.call((deal, index), StockCommand::Ledger { spec });
    world.spawn(Owner::Client, async move {
        let _ = answer.await;
    });
}

/// The consumer takes up to ten visible messages, in any order, and delivers them.
pub fn consume(world: &Rc<World>, book: &Shared) {
    let now = world.now.get();
    let mut taken = Vec::new();
    {
        let mut queue = world.queue.borrow_mut();
        for message in queue.iter_mut() {
            if message.id == 0 {
                let mut book = book.borrow_mut();
                book.next_message += 1;
                message.id = book.next_message;
            }
        }
        let mut faults = world.faults.borrow_mut();
        let mut visible: Vec<usize> = (0..queue.len())
            .filter(|&i| queue[i].visible_at <= now)
            .collect();
        while taken.len() < 10 && !visible.is_empty() {
            let pick = visible.remove(faults.choices.below(visible.len() as u64) as usize);
            queue[pick].visible_at = now + VISIBILITY_MS;
            queue[pick].deliveries += 1;
            taken.push((queue[pick].id, queue[pick].body.clone()));
        }
    }
    if taken.is_empty() {
        return;
    }
    if world.fault(Kind::QueueLoses) {
        let (id, _) = taken.remove(0);
        world.queue.borrow_mut().retain(|message| message.id != id);
        world.note(format!("queue loses message {id}"));
    }
    world.note(format!("consumer takes {}", taken.len()));
    let (world, book) = (world.clone(), book.clone());
    let task_world = world.clone();
    world.spawn(Owner::Consumer, async move {
        deliver(&task_world, &book, taken).await;
    });
}

async fn deliver(world: &Rc<World>, book: &Shared, taken: Vec<(u64, String)>) {
    let ids: Vec<u64> = taken.iter().map(|(id, _)| *id).collect();
    let orders: Vec<Order> = taken
        .iter()
        .filter_map(|(_, body)| orders_in_message(body))
        .flatten()
        .collect();
    let now = world.now.get();
    let receipt = {
        let mut book = book.borrow_mut();
        if book.origin.down_until > now {
            None
        } else if book.origin.refusing_until > now {
            // A permanent refusal: the messages become dead letters at once.
            let bodies = taken.iter().flat_map(|(_, body)| letters_of(body));
            book.dead_letters.extend(bodies);
            drop(book);
            world.queue.borrow_mut().retain(|m| !ids.contains(&m.id));
            return;
        } else {
            Some(book.origin.store(&orders))
        }
    };
    let confirmed = match receipt {
        // Origin stored the batch, and its answer was lost on the way back: the consumer
        // retries a batch origin already holds.
        Some(_) if world.fault(Kind::LostReply) => {
            world.note("origin's answer to the consumer lost".into());
            false
        }
        Some(receipt) => confirm(world, &orders, receipt).await,
        None => false,
    };
    let mut queue = world.queue.borrow_mut();
    if confirmed {
        let duplicate = world.fault(Kind::QueueDuplicates);
        queue.retain(|m| !ids.contains(&m.id) || (duplicate && m.id == ids[0]));
        return;
    }
    // Retry later; past the budget, the dead-letter queue keeps it.
    let mut book = book.borrow_mut();
    queue.retain(|message| {
        if ids.contains(&message.id) && message.deliveries >= MAX_DELIVERIES {
            book.dead_letters.extend(letters_of(&message.body));
            return false;
        }
        true
    });
    for message in queue.iter_mut().filter(|m| ids.contains(&m.id)) {
        message.visible_at = now + 1_000 * i64::from(message.deliveries.min(60));
    }
}

/// A dead message's letters, one per order, as the edge keeps them.
fn letters_of(body: &str) -> Vec<String> {
    orders_in_message(body)
        .unwrap_or_default()
        .iter()
        .filter_map(|order| serde_json::to_string(order).ok())
        .collect()
}

/// Tells the shards what origin stored; false when any of them did not hear it.
async fn confirm(world: &Rc<World>, orders: &[Order], receipt: BatchReceipt) -> bool {
    let sent = sent_states(orders);
    let mut all = true;
    for ((deal, shard), orders) in confirmations(&sent, receipt) {
        let to = (world.object_index(&deal), shard);
        all &= world
            .call(to, StockCommand::Confirm { orders })
            .await
            .is_ok();
    }
    all
}

/// `cargo xtask redrive`: every dead letter to origin again, removed once its shard heard.
pub fn redrive(world: &Rc<World>, book: &Shared) {
    let now = world.now.get();
    let letters = {
        let mut book = book.borrow_mut();
        if book.dead_letters.is_empty() || book.origin.down_until > now {
            return;
        }
        if book.origin.refusing_until > now {
            return;
        }
        std::mem::take(&mut book.dead_letters)
    };
    world.note(format!("redrive {} letters", letters.len()));
    let (task_world, book) = (world.clone(), book.clone());
    world.spawn(Owner::Consumer, async move {
        let orders: Vec<Order> = letters
            .iter()
            .filter_map(|body| serde_json::from_str(body).ok())
            .collect();
        let receipt = book.borrow_mut().origin.store(&orders);
        if !confirm(&task_world, &orders, receipt).await {
            book.borrow_mut().dead_letters.extend(letters);
        }
    });
}
