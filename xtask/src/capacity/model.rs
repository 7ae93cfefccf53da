//! The capacity model: a load, what an order costs and the platform's limits in, the deployment
//! that takes the load and the limits that bind out. Pure arithmetic, so every figure it prints
//! can be traced to a measured cost times a rate, held against a published limit.

use super::limits::{Deployment, Limits};

/// The burst to plan for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Accepted orders per second, over the whole shop.
    pub orders_per_s: f64,
    /// Deals the orders go to, evenly: each one's shards take its share.
    pub hot_deals: u32,
    /// Units of each hot deal.
    pub stock: u32,
}

impl Load {
    pub fn per_deal_orders_per_s(&self) -> f64 {
        self.orders_per_s / f64::from(self.hot_deals.max(1))
    }
}

/// What one accepted order costs the platform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerOrder {
    /// Requests to its deal's `DealStock` shards (reserve, lend, confirm, pin…).
    pub shard_requests: f64,
    /// Requests to `KeyClaims` objects (claims of keys that name no deal, the consumer's notes).
    pub claim_requests: f64,
    pub storage_writes: f64,
    pub queue_messages: f64,
    pub origin_transactions: f64,
}

/// Issue 15's goals per accepted order.
pub const GOAL_OBJECT_REQUESTS: f64 = 0.1;
pub const GOAL_QUEUE_MESSAGES: f64 = 0.05;
pub const GOAL_ORIGIN_TRANSACTIONS: f64 = 0.02;

impl PerOrder {
    pub fn object_requests(&self) -> f64 {
        self.shard_requests + self.claim_requests
    }

    /// These costs brought down to issue 15's goals where they are above them. Object requests
    /// keep the measured split between shards and key claims (nothing measured says how a
    /// batched design would split them); storage writes have no goal and stay as measured.
    pub fn at_goals(&self) -> PerOrder {
        let down = |cost: f64, goal: f64| if cost > goal { goal / cost } else { 1.0 };
        let objects = down(self.object_requests(), GOAL_OBJECT_REQUESTS);
        PerOrder {
            shard_requests: self.shard_requests * objects,
            claim_requests: self.claim_requests * objects,
            storage_writes: self.storage_writes,
            queue_messages: self.queue_messages.min(GOAL_QUEUE_MESSAGES),
            origin_transactions: self.origin_transactions.min(GOAL_ORIGIN_TRANSACTIONS),
        }
    }
}

/// A platform limit a load can run into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Limit {
    /// A deal's shards: ~1,000 requests/s each, at most `MAX_SHARDS` and never more than units.
    DealShards,
    /// `KeyClaims` objects: ~1,000 requests/s each, customers hashed over them.
    KeyClaims,
    /// A queue's 5,000 messages/s at the measured orders per message.
    QueueMessages,
    /// A queue's 5,000 messages/s even with every message full (128 KB: 100 orders).
    QueueMessageSize,
    /// Origin's measured ingest.
    OriginIngest,
}

/// Where one limit stands against the load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub limit: Limit,
    /// Accepted orders/s today's deployment takes before this limit binds.
    pub ceiling: f64,
    /// How many of the thing that scales (shards a deal, objects, queues, origins' worth of
    /// ingest) the load needs, and how many today's deployment has or can have.
    pub needed: u32,
    pub today: u32,
}

impl Bound {
    /// Whether the load runs into this limit on today's deployment.
    pub fn binds(&self, load: &Load) -> bool {
        self.ceiling < load.orders_per_s
    }
}

/// The deployment that takes a load, and what it costs each part.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub load: Load,
    pub costs: PerOrder,
    /// Seconds a hot deal takes to sell out at its share of the load.
    pub sells_out_s: f64,
    /// Shards a deal can use: one unit each at least, and `MAX_SHARDS` at most.
    pub useful_shards: u32,
    /// Shards a hot deal needs to keep each under the object limit.
    pub shards_needed: u32,
    pub shards_per_deal: u32,
    pub hottest_shard_requests_per_s: f64,
    pub claim_objects: u32,
    pub hottest_claims_requests_per_s: f64,
    pub queues: u32,
    pub queue_messages_per_s: f64,
    /// Consumer invocations a second, per queue, each taking a full batch of messages.
    pub consumer_invocations_per_s: f64,
    /// How long one delivery round may take before a queue needs more consumers at once than
    /// the platform runs.
    pub delivery_round_budget_s: f64,
    pub origin_rows_per_s: f64,
    pub origin_transactions_per_s: f64,
    /// Seconds from the start until origin, at its measured ingest, has stored every unit the
    /// hot deals sell (never before they are sold): the queue holds what it has not stored yet.
    pub origin_drain_s: f64,
    pub storage_writes_per_s: f64,
    /// Every limit, the lowest ceiling first.
    pub bounds: Vec<Bound>,
}

impl Plan {
    /// The limits the load runs into on today's deployment, the first to bind first.
    pub fn binding(&self) -> Vec<&Bound> {
        self.bounds.iter().filter(|b| b.binds(&self.load)).collect()
    }

    pub fn bound(&self, limit: Limit) -> &Bound {
        self.bounds
            .iter()
            .find(|b| b.limit == limit)
            .expect("every limit has a bound")
    }

    pub fn hottest_object_requests_per_s(&self) -> f64 {
        self.hottest_shard_requests_per_s
            .max(self.hottest_claims_requests_per_s)
    }
}

/// Orders/s a resource takes: its capacity over what an order costs it (unbounded when an
/// order costs it nothing).
fn ceiling(capacity: f64, per_order: f64) -> f64 {
    if per_order > 0.0 {
        capacity / per_order
    } else {
        f64::INFINITY
    }
}

fn count(x: f64) -> u32 {
    (x.ceil() as u32).max(1)
}

/// The deployment that takes `load` at `costs`, held against `limits` and today's deployment.
pub fn plan(load: Load, costs: PerOrder, limits: &Limits, today: &Deployment) -> Plan {
    let rate = load.orders_per_s;
    let per_deal = load.per_deal_orders_per_s();
    let object = limits.object_requests_per_s;
    // Customers hash evenly over a deal's shards, so a hot deal's requests spread over them;
    // past its units a shard would start empty, past `MAX_SHARDS` the schedule refuses it.
    let useful_shards = load.stock.clamp(1, today.max_shards_per_deal);
    let shards_needed = count(per_deal * costs.shard_requests / object);
    let shards_per_deal = shards_needed.min(useful_shards);
    let claims_per_s = rate * costs.claim_requests;
    let claim_objects = count(claims_per_s / object).max(today.claim_objects);
    // A message carries at most a full batch, so no design sends fewer messages than that.
    let messages_per_s = rate * messages_per_order(&costs, limits);
    let queues = count(messages_per_s / limits.queue_messages_per_s);
    let consumer_invocations_per_s =
        messages_per_s / f64::from(queues) / f64::from(limits.consumer_batch);
    let transactions_per_order = costs
        .origin_transactions
        .max(1.0 / f64::from(limits.orders_per_transaction));
    let units = f64::from(load.hot_deals) * f64::from(load.stock);
    let sells_out_s = f64::from(load.stock) / per_deal;
    Plan {
        load,
        costs,
        sells_out_s,
        useful_shards,
        shards_needed,
        shards_per_deal,
        hottest_shard_requests_per_s: per_deal * costs.shard_requests / f64::from(shards_per_deal),
        claim_objects,
        hottest_claims_requests_per_s: claims_per_s / f64::from(claim_objects),
        queues,
        queue_messages_per_s: messages_per_s,
        consumer_invocations_per_s,
        delivery_round_budget_s: f64::from(limits.consumer_concurrency)
            / consumer_invocations_per_s,
        origin_rows_per_s: rate,
        origin_transactions_per_s: rate * transactions_per_order,
        origin_drain_s: (units / limits.origin_orders_per_s).max(sells_out_s),
        storage_writes_per_s: rate * costs.storage_writes,
        bounds: bounds(load, &costs, limits, today),
    }
}

/// Queue messages an order: as measured, but never fewer than a full message's share.
fn messages_per_order(costs: &PerOrder, limits: &Limits) -> f64 {
    costs
        .queue_messages
        .max(1.0 / f64::from(limits.orders_per_message))
}

/// Every limit against today's deployment, the lowest ceiling first.
fn bounds(load: Load, costs: &PerOrder, limits: &Limits, today: &Deployment) -> Vec<Bound> {
    let rate = load.orders_per_s;
    let object = limits.object_requests_per_s;
    let useful_shards = load.stock.clamp(1, today.max_shards_per_deal);
    let messages_per_order = messages_per_order(costs, limits);
    let full_queue = limits.queue_messages_per_s * f64::from(limits.orders_per_message);
    // `capacity` is what `today` of the thing that scales take, in what `per_order` counts.
    let bound = |limit, capacity: f64, per_order: f64, today: u32| Bound {
        limit,
        ceiling: ceiling(capacity, per_order),
        needed: count(rate * per_order / (capacity / f64::from(today))),
        today,
    };
    let mut bounds = vec![
        // A hot deal's share of the rate concentrates on its shards.
        bound(
            Limit::DealShards,
            object * f64::from(useful_shards) * f64::from(load.hot_deals),
            costs.shard_requests,
            useful_shards,
        ),
        bound(
            Limit::KeyClaims,
            object * f64::from(today.claim_objects),
            costs.claim_requests,
            today.claim_objects,
        ),
        bound(
            Limit::QueueMessages,
            limits.queue_messages_per_s * f64::from(today.queues),
            messages_per_order,
            today.queues,
        ),
        bound(
            Limit::QueueMessageSize,
            full_queue * f64::from(today.queues),
            1.0,
            today.queues,
        ),
        bound(Limit::OriginIngest, limits.origin_orders_per_s, 1.0, 1),
    ];
    bounds.sort_by(|a, b| a.ceiling.total_cmp(&b.ceiling).then(a.limit.cmp(&b.limit)));
    bounds
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
