//! The promises, checked against what storage durably holds: after every step (the stock
//! equation, never oversold, limits, one order per key, cancels once, nothing answered and
//! lost) and once the night has healed (nothing stranded or in flight, origin holds every order
//! exactly once in its latest state).

use std::collections::BTreeMap;

use festival_domain::stock::records::{
    LEDGER_KEY, LENT_PREFIX, ORDER_PREFIX, PENDING_PREFIX, TRANSFER_PREFIX,
};
use festival_domain::stock::{Ledger, ShardSpec};
use festival_domain::{Order, OrderStatus};

use super::actors::{Book, Plan};
use super::world::World;

/// What every shard of one deal durably holds.
struct DealState {
    ledgers: Vec<Ledger>,
    /// Shards never written, which hold their initial share.
    unwritten: Vec<u32>,
    orders: Vec<Order>,
    pending: Vec<String>,
    transfers: usize,
    /// Units the lenders' `lent:` records say they gave: what the ledgers' `lent_units` must
    /// add up to, counted independently of them.
    lent_by_record: i64,
}

fn deal_state(world: &World, deal: usize, shards: u32) -> DealState {
    let objects = world.objects.borrow();
    let mut state = DealState {
        ledgers: Vec::new(),
        unwritten: Vec::new(),
        orders: Vec::new(),
        pending: Vec::new(),
        transfers: 0,
        lent_by_record: 0,
    };
    for index in 0..shards {
        let Some(object) = objects.get(&(deal, index)) else {
            state.unwritten.push(index);
            continue;
        };
        match object.storage.get(LEDGER_KEY) {
            Some(json) => state
                .ledgers
                .push(serde_json::from_str(json).expect("a ledger")),
            None => state.unwritten.push(index),
        }
        for (key, value) in &object.storage {
            if key.starts_with(ORDER_PREFIX) {
                state
                    .orders
                    .push(serde_json::from_str(value).expect("an order"));
            }
            if key.starts_with(PENDING_PREFIX) {
                state.pending.push(format!("{key} = {value}"));
            }
            state.transfers += usize::from(key.starts_with(TRANSFER_PREFIX));
            if key.starts_with(LENT_PREFIX) {
                state.lent_by_record += serde_json::from_str::<i64>(value).expect("units lent");
            }
        }
    }
    state
}

/// Every promise that holds at every moment; the first broken one.
pub fn always(world: &World, plans: &[Plan], book: &Book) -> Result<(), String> {
    if let Some(violation) = book.violations.first() {
        return Err(violation.clone());
    }
    for (deal, plan) in plans.iter().enumerate() {
        let shards = plan
            .older
            .iter()
            .map(|older| older.shard_count())
            .fold(plan.deal.shard_count(), u32::max);
        let state = deal_state(world, deal, shards);
        let added = book.live.get(&deal).map_or(0, |live| live.added_units);
        check_deal(&plan.deal.id.to_string(), &state, plan, added)?;
    }
    for id in &book.cancelled {
        let deal = world.object_index(&id.deal_id());
        let objects = world.objects.borrow();
        let stored = objects
            .get(&(deal, id.shard()))
            .and_then(|object| object.storage.get(&format!("{ORDER_PREFIX}{id}")))
            .and_then(|json| serde_json::from_str::<Order>(json).ok());
        if stored.is_none_or(|order| order.status != OrderStatus::Cancelled) {
            return Err(format!("{id} was answered cancelled and is not"));
        }
    }
    for order in book.answered.values() {
        let deal = world.object_index(&order.id.deal_id());
        let objects = world.objects.borrow();
        let stored = objects
            .get(&(deal, order.id.shard()))
            .and_then(|object| object.storage.get(&format!("{ORDER_PREFIX}{}", order.id)));
        if stored.is_none() {
            return Err(format!("{} was answered accepted and is gone", order.id));
        }
    }
    Ok(())
}

/// One deal's books; `recorded` is the units origin recorded as added to it (top-ups).
fn check_deal(name: &str, state: &DealState, plan: &Plan, recorded: u32) -> Result<(), String> {
    let Some(pinned) = pinned_schedule(name, state, plan)? else {
        return Ok(());
    };
    let (sold, stock) = stock_balances(name, state, pinned, recorded)?;
    orders_match_the_ledgers(name, state, sold, stock)?;
    limits_and_keys_hold(name, state, plan)
}

/// The schedule (stock, shards) every shard serves, one the deal had; `None` before any shard
/// has a ledger.
fn pinned_schedule(
    name: &str,
    state: &DealState,
    plan: &Plan,
) -> Result<Option<(u32, u32)>, String> {
    let Some(pinned) = state.ledgers.first().map(|l| (l.stock, l.shards)) else {
        return Ok(None);
    };
    if state.ledgers.iter().any(|l| (l.stock, l.shards) != pinned) {
        return Err(format!("{name}: shards serve different schedules"));
    }
    let scheduled = |deal: &festival_domain::Deal| (deal.stock, deal.shard_count());
    if scheduled(&plan.deal) != pinned && plan.older.as_ref().map(scheduled) != Some(pinned) {
        return Err(format!("{name}: shards serve {pinned:?}, never scheduled"));
    }
    Ok(Some(pinned))
}

/// `f` of every shard's ledger, summed.
fn ledgers_sum(state: &DealState, f: fn(&Ledger) -> u32) -> i64 {
    state.ledgers.iter().map(f).map(i64::from).sum::<i64>()
}

/// Every unit is somewhere: left, not yet written to a shard, sold or lent between shards, and
/// each top-up counted once. The units sold, and the stock with what was added.
fn stock_balances(
    name: &str,
    state: &DealState,
    (stock, shards): (u32, u32),
    recorded: u32,
) -> Result<(i64, i64), String> {
    let sum = |f: fn(&Ledger) -> u32| ledgers_sum(state, f);
    if state.lent_by_record != sum(|l| l.lent_units) {
        return Err(format!(
            "{name}: lenders recorded {} units given, their ledgers {}",
            state.lent_by_record,
            sum(|l| l.lent_units)
        ));
    }
    let in_transit = sum(|l| l.lent_units) - sum(|l| l.borrowed_units);
    if in_transit < 0 {
        return Err(format!(
            "{name}: {} units borrowed that nobody lent",
            -in_transit
        ));
    }
    let unwritten: i64 = state
        .unwritten
        .iter()
        .filter(|&&index| index < shards)
        .map(|&index| {
            i64::from(
                ShardSpec {
                    stock,
                    shards,
                    index,
                }
                .initial_units(),
            )
        })
        .sum();
    // Each top-up counts once: the shards' parts never add up to more than was recorded.
    let added = sum(|l| l.added_units);
    if added > i64::from(recorded) {
        return Err(format!(
            "{name}: shards added {added} units, origin recorded {recorded}"
        ));
    }
    let sold = sum(|l| l.reserved_units) - sum(|l| l.cancelled_units);
    let accounted = sum(|l| l.stock_left) + unwritten + sold + in_transit;
    if accounted != i64::from(stock) + added {
        return Err(format!(
            "{name}: stock {stock} + added {added}, but left {} + unwritten {unwritten} + sold \
             {sold} + in transit {in_transit} = {accounted}",
            sum(|l| l.stock_left)
        ));
    }
    Ok((sold, i64::from(stock) + added))
}

/// The orders hold what the ledgers sold, within the stock, and the cancelled ones what the
/// ledgers cancelled.
fn orders_match_the_ledgers(
    name: &str,
    state: &DealState,
    sold: i64,
    stock: i64,
) -> Result<(), String> {
    let units = |keep: fn(&Order) -> bool| -> i64 {
        state
            .orders
            .iter()
            .filter(|o| keep(o))
            .map(|o| i64::from(o.priced.quantity.get()))
            .sum()
    };
    let held = units(|o| o.status != OrderStatus::Cancelled);
    if held != sold || held > stock {
        return Err(format!(
            "{name}: orders hold {held} units, ledgers sold {sold} of {stock}"
        ));
    }
    if units(|o| o.status == OrderStatus::Cancelled) != ledgers_sum(state, |l| l.cancelled_units) {
        return Err(format!(
            "{name}: cancelled units differ from cancelled orders"
        ));
    }
    Ok(())
}

/// No customer holds more than the limit, and no key made two orders.
fn limits_and_keys_hold(name: &str, state: &DealState, plan: &Plan) -> Result<(), String> {
    let mut per_customer: BTreeMap<&str, u32> = BTreeMap::new();
    let mut per_key: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for order in &state.orders {
        let customer = order.priced.customer_id.as_str();
        *per_key
            .entry((customer, order.priced.idempotency_key.as_str()))
            .or_default() += 1;
        if order.status != OrderStatus::Cancelled {
            *per_customer.entry(customer).or_default() += order.priced.quantity.get();
        }
    }
    if let Some((customer, units)) = per_customer
        .iter()
        .find(|(_, units)| **units > plan.deal.per_customer_limit)
    {
        return Err(format!("{name}: {customer} holds {units}, over the limit"));
    }
    if let Some(((customer, key), _)) = per_key.iter().find(|(_, count)| **count > 1) {
        return Err(format!("{name}: {customer}'s key {key} made two orders"));
    }
    Ok(())
}

/// Once faults stopped and everything ran its course: nothing stranded, nothing in flight,
/// origin holds every order once, in the state the edge holds it.
pub fn healed(world: &World, plans: &[Plan], book: &Book) -> Result<(), String> {
    let mut edge: BTreeMap<String, Order> = BTreeMap::new();
    for (deal, plan) in plans.iter().enumerate() {
        let name = plan.deal.id.to_string();
        let state = deal_state(world, deal, plan.deal.shard_count().max(32));
        let in_transit: i64 = state
            .ledgers
            .iter()
            .map(|l| i64::from(l.lent_units) - i64::from(l.borrowed_units))
            .sum();
        let recorded = book.live.get(&deal).map_or(0, |live| live.added_units);
        let added: u32 = state.ledgers.iter().map(|l| l.added_units).sum();
        let pinned_now = state
            .ledgers
            .first()
            .is_some_and(|l| (l.stock, l.shards) == (plan.deal.stock, plan.deal.shard_count()));
        if pinned_now && added != recorded {
            return Err(format!(
                "{name}: origin recorded {recorded} units added, the shards hold {added}"
            ));
        }
        if in_transit != 0 || state.transfers > 0 {
            return Err(format!(
                "{name}: {in_transit} units stranded in transit ({} transfers open)",
                state.transfers
            ));
        }
        if let Some(first) = state.pending.first() {
            return Err(format!(
                "{name}: {} orders never confirmed, first {first}",
                state.pending.len()
            ));
        }
        for order in state.orders {
            if order.status == OrderStatus::Reserved {
                return Err(format!("{}: still reserved, never confirmed", order.id));
            }
            edge.insert(order.id.to_string(), order);
        }
    }
    if !book.dead_letters.is_empty() || !world.queue.borrow().is_empty() {
        return Err("letters or messages left".into());
    }
    let origin = &book.origin.orders;
    if origin.len() != edge.len() {
        return Err(format!(
            "edge holds {} orders, origin {}",
            edge.len(),
            origin.len()
        ));
    }
    for (id, order) in &edge {
        let at_origin = origin.values().find(|o| o.id.as_str() == id);
        let cancelled = |o: &Order| o.status == OrderStatus::Cancelled;
        match at_origin {
            Some(kept) if cancelled(kept) == cancelled(order) => {}
            Some(kept) => {
                return Err(format!(
                    "{id}: edge {:?}, origin {:?}",
                    order.status, kept.status
                ));
            }
            None => return Err(format!("{id}: never reached origin")),
        }
    }
    Ok(())
}
