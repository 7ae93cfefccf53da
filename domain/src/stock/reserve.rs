//! Reserving a batch of orders on one shard, as a pure decision over what storage holds: for
//! each order in turn, a replay of the same (customer, key) gets the earlier order, the same
//! key with another body is refused, else the customer's units against the limit and the
//! shard's units against the quantity. The answer is one [`Attempt`] per order and one atomic
//! write: each new order, its key record and its pending record, each customer's record, the
//! ledger.

use std::collections::{BTreeMap, HashMap};

use crate::order::{Order, OrderId, OrderStatus, PricedOrder};
use crate::time::UnixMillis;

use super::records::{
    CustomerRecord, KeyRecord, LEDGER_KEY, Pending, customer_key, idempotency_key, order_key,
    pending_key,
};
use super::{Fault, Ledger, Reservation, ShardSpec, Writes};

/// Most orders in one batch: its write must fit one storage call of at most 128 keys — four per
/// order (order, key record, pending record, customer) and the ledger.
pub const MAX_BATCH: usize = 31;
const _: () = assert!(
    4 * MAX_BATCH < 128,
    "a batch (4 keys an order, and the ledger) must fit one write"
);

/// What became of one order of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Answered: accepted, replayed, refused.
    Done(Reservation),
    /// This shard has too few units for it: it may borrow and try again.
    Short,
    /// A damaged record fails this order alone; the rest of its batch goes on.
    Failed(String),
}

/// A batch's attempts, the write that makes them true, and the ledger after it.
#[derive(Debug)]
pub struct Decision {
    pub attempts: Vec<Attempt>,
    pub writes: Writes,
    pub ledger: Ledger,
}

/// The keys to read before deciding: each order's key record and each customer's record.
pub fn keys_to_read(orders: &[PricedOrder]) -> Vec<String> {
    let mut keys: Vec<String> = orders
        .iter()
        .flat_map(|order| [idempotency_key(order), customer_key(&order.customer_id)])
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The earlier orders that replays among `stored` key records need, read in a second step.
pub fn replay_keys(stored: &BTreeMap<String, String>) -> Vec<String> {
    stored
        .iter()
        .filter(|(key, _)| key.starts_with(super::records::IDEMPOTENCY_PREFIX))
        .filter_map(|(_, value)| KeyRecord::parse(value).map(|(id, _)| order_key(&id)))
        .collect()
}

/// Decides a batch against `ledger` (already pinned to `spec`). `stored` holds what storage had
/// under [`keys_to_read`] and [`replay_keys`]; `new_id` gives each new order its random bits.
pub fn decide(
    spec: ShardSpec,
    mut ledger: Ledger,
    orders: &[PricedOrder],
    limit: u32,
    stored: &BTreeMap<String, String>,
    now: UnixMillis,
    mut new_id: impl FnMut() -> u128,
) -> Result<Decision, Fault> {
    let mut customers: HashMap<String, CustomerRecord> = HashMap::new();
    let mut made: HashMap<String, (KeyRecord, Order)> = HashMap::new();
    let mut writes = Writes::default();
    let mut attempts = Vec::with_capacity(orders.len());
    for priced in orders {
        let key = idempotency_key(priced);
        if let Some(answer) = replay(&key, priced, &made, stored) {
            attempts.push(answer);
            continue;
        }
        // After replays: an order made before the sale stopped is still answered as made.
        if let Some(why) = ledger.live.stop() {
            attempts.push(Attempt::Done(Reservation::Stopped { why }));
            continue;
        }
        let customer_key = customer_key(&priced.customer_id);
        if !customers.contains_key(&customer_key) {
            match stored
                .get(&customer_key)
                .map(|json| serde_json::from_str(json))
            {
                None => customers.insert(customer_key.clone(), CustomerRecord::default()),
                Some(Ok(record)) => customers.insert(customer_key.clone(), record),
                Some(Err(error)) => {
                    attempts.push(Attempt::Failed(format!("{customer_key}: {error}")));
                    continue;
                }
            };
        }
        let customer = customers.get_mut(&customer_key).expect("inserted above");
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
            id: OrderId::new(&priced.deal_id, spec.index, new_id()),
            status: OrderStatus::Reserved,
            priced: priced.clone(),
        };
        ledger.stock_left -= quantity;
        ledger.reserved_units += quantity;
        ledger.reserved_orders += 1;
        customer.take(&order.id, quantity);
        let record = KeyRecord::of(&order.id, priced);
        writes.put(order_key(&order.id), &order)?;
        writes.put(key.clone(), &record)?;
        writes.put(
            pending_key(&order.id),
            &Pending::new(OrderStatus::Reserved, now),
        )?;
        made.insert(key, (record, order.clone()));
        attempts.push(Attempt::Done(Reservation::Accepted { order }));
    }
    if !made.is_empty() {
        writes.put(LEDGER_KEY.to_owned(), &ledger)?;
        for (key, record) in &customers {
            writes.put(key.clone(), record)?;
        }
    }
    Ok(Decision {
        attempts,
        writes,
        ledger,
    })
}

/// The answer for an order whose key already made an order — earlier in this batch or before —
/// or `None` for a new key.
fn replay(
    key: &str,
    priced: &PricedOrder,
    made: &HashMap<String, (KeyRecord, Order)>,
    stored: &BTreeMap<String, String>,
) -> Option<Attempt> {
    if let Some((record, order)) = made.get(key) {
        return Some(if record.matches(priced) {
            Attempt::Done(Reservation::Replayed {
                order: order.clone(),
            })
        } else {
            Attempt::Done(Reservation::KeyReused)
        });
    }
    let value = stored.get(key)?;
    let Some((id, record)) = KeyRecord::parse(value) else {
        return Some(Attempt::Failed(format!("{key} is damaged")));
    };
    if record.is_some_and(|record| !record.matches(priced)) {
        return Some(Attempt::Done(Reservation::KeyReused));
    }
    Some(
        match stored
            .get(&order_key(&id))
            .map(|json| serde_json::from_str(json))
        {
            Some(Ok(order)) => Attempt::Done(Reservation::Replayed { order }),
            Some(Err(error)) => Attempt::Failed(format!("order {id}: {error}")),
            None => Attempt::Failed(format!("key record {key} without its order {id}")),
        },
    )
}

#[cfg(test)]
mod tests;
