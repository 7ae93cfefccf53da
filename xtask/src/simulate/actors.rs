//! Everyone around the shards: shoppers' isolates (orders, retries, cancels, catalog reads),
//! the queue and its consumer, origin's idempotent store, the dead letters and redrive. Each
//! keeps what it was told, so the checks can hold the shards to their answers. The shoppers and
//! what all share are here; the queue's side, from the consumer to redrive, is in `delivery`.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use festival_domain::stock::{Answer, Cancellation, Reservation, ShardSpec, StockCommand};
use festival_domain::{
    BatchReceipt, CustomerId, Deal, IdempotencyKey, Order, OrderId, OrderStatus,
};
use festival_domain::{PricedOrder, Quantity, UnixMillis};

use super::faults::Kind;
use super::world::{Owner, World};

mod delivery;
pub use delivery::{Message, consume, redrive};

pub const CUSTOMERS: u64 = 12;
const ORDERS_PER_BATCH: u64 = 4;

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
    /// Origin's record of each deal's live controls (by the deal's index).
    pub live: BTreeMap<usize, festival_domain::live::LiveControl>,
    /// When each shard (deal, index) first answered that its sale was ended.
    pub ended_answered: BTreeMap<(usize, u32), i64>,
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
            && super::claims::admit(world, &mut book.borrow_mut().claims, &order)
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
    let sent_at = world.now.get();
    world.spawn(Owner::Client, async move {
        let Ok(text) = answer.await else { return };
        let Ok(answers) = serde_json::from_str::<Vec<Answer>>(&text) else {
            book.borrow_mut()
                .violations
                .push(format!("unreadable answer {text}"));
            return;
        };
        let mut book = book.borrow_mut();
        let ended_before = book
            .ended_answered
            .get(&(deal, index))
            .is_some_and(|&ended| ended < sent_at);
        for (order, answer) in orders.iter().zip(answers) {
            if ended_before && matches!(answer, Ok(Reservation::Accepted { .. })) {
                book.violations.push(format!(
                    "{}#{index} accepted an order sent after it answered that the sale ended",
                    order.deal_id
                ));
            }
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
    // Half the keys name their deal, as the storefront's do; the rest are claimed.
    let key = if faults.choices.below(2) == 0 {
        IdempotencyKey::naming(deal.id.as_str(), &key)
    } else {
        key
    };
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

/// The catalog reads a shard's ledger (which also wakes the object), handing it the deal's
/// live controls when a marketer changed any, as `CatalogStore` does.
pub fn read_ledger(world: &Rc<World>, book: &Shared, plans: &[Plan], deal: usize) {
    let spec_of = &plans[deal].deal;
    let index = world
        .faults
        .borrow_mut()
        .choices
        .below(spec_of.shard_count().into()) as u32;
    let spec = ShardSpec::of(spec_of, index);
    let live = super::marketer::recorded(book, deal);
    let command = if live.is_untouched() {
        StockCommand::Ledger { spec }
    } else {
        StockCommand::Control {
            deal: spec_of.id.clone(),
            spec,
            live,
        }
    };
    let answer = world.call((deal, index), command);
    world.spawn(Owner::Client, async move {
        let _ = answer.await;
    });
}
