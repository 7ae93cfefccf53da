//! What the platform did for the shop, counted by the Durable Objects themselves: requests by
//! kind, alarms, storage writes, queue sends and messages, calls to origin. `GET /api/ops/costs` sums them over
//! the objects; `cargo xtask rehearse` divides a burst's counts by the orders it accepted — what
//! an order costs, counted, not estimated. Counters live in each object's memory since it
//! started (an evicted object starts again at zero), so a reading is a difference of two taken
//! around a stretch of load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One object's counts, or the sum of several.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCosts {
    /// Requests received, by command (`reserve`, `confirm`, `ledger`, `claim`, …).
    pub requests: BTreeMap<String, u64>,
    pub alarms: u64,
    /// Atomic storage writes (one per `put`/`delete` turn).
    pub storage_writes: u64,
    /// Queue send calls, and the messages they carried.
    pub queue_sends: u64,
    pub queue_messages: u64,
    /// Requests the object itself sent to origin (the catalog's refreshes).
    #[serde(default)]
    pub origin_fetches: u64,
    /// Requests the object itself sent to other objects (the catalog's stock readings).
    #[serde(default)]
    pub object_calls: u64,
}

impl ObjectCosts {
    /// Counts one request of `kind`.
    pub fn request(&mut self, kind: &str) {
        *self.requests.entry(kind.to_owned()).or_default() += 1;
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &ObjectCosts) {
        for (kind, count) in &other.requests {
            *self.requests.entry(kind.clone()).or_default() += count;
        }
        self.alarms += other.alarms;
        self.storage_writes += other.storage_writes;
        self.queue_sends += other.queue_sends;
        self.queue_messages += other.queue_messages;
        self.origin_fetches += other.origin_fetches;
        self.object_calls += other.object_calls;
    }

    /// What happened between `before` and these counts (a counter that went backwards — its
    /// object restarted — counts from zero).
    pub fn since(&self, before: &ObjectCosts) -> ObjectCosts {
        let less = |now: u64, then: u64| now.checked_sub(then).unwrap_or(now);
        ObjectCosts {
            requests: self
                .requests
                .iter()
                .map(|(kind, &n)| {
                    let then = before.requests.get(kind).copied().unwrap_or(0);
                    (kind.clone(), less(n, then))
                })
                .collect(),
            alarms: less(self.alarms, before.alarms),
            storage_writes: less(self.storage_writes, before.storage_writes),
            queue_sends: less(self.queue_sends, before.queue_sends),
            queue_messages: less(self.queue_messages, before.queue_messages),
            origin_fetches: less(self.origin_fetches, before.origin_fetches),
            object_calls: less(self.object_calls, before.object_calls),
        }
    }

    /// Requests of every kind but `except` (an operator's reads, say).
    pub fn requests_except(&self, except: &[&str]) -> u64 {
        self.requests
            .iter()
            .filter(|(kind, _)| !except.contains(&kind.as_str()))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The shop's counts, by kind of object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostsReport {
    pub deal_stock: ObjectCosts,
    pub key_claims: ObjectCosts,
    /// The one `CatalogStore`: what isolates asked it, and its refreshes.
    #[serde(default)]
    pub catalog: ObjectCosts,
    /// The `WaitingRoom`: its joins (a shopper's polls answer from the ticket, never here).
    #[serde(default)]
    pub waiting_room: ObjectCosts,
}

impl CostsReport {
    pub fn since(&self, before: &CostsReport) -> CostsReport {
        CostsReport {
            deal_stock: self.deal_stock.since(&before.deal_stock),
            key_claims: self.key_claims.since(&before.key_claims),
            catalog: self.catalog.since(&before.catalog),
            waiting_room: self.waiting_room.since(&before.waiting_room),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_a_restart_counts_from_zero() {
        let mut a = ObjectCosts::default();
        a.request("reserve");
        a.request("ledger");
        a.storage_writes = 3;
        let mut sum = ObjectCosts::default();
        sum.add(&a);
        sum.add(&a);
        assert_eq!(sum.requests["reserve"], 2);
        assert_eq!(sum.storage_writes, 6);
        assert_eq!(sum.requests_except(&["ledger"]), 2);
        let later = sum.since(&a);
        assert_eq!((later.requests["reserve"], later.storage_writes), (1, 3));
        let restarted = a.since(&sum);
        assert_eq!(
            restarted.storage_writes, 3,
            "a counter that went back starts over"
        );
    }
}
