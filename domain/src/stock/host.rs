//! What a shard needs from the world: its storage, its siblings, the queue, its alarm, a clock
//! and randomness. The Worker implements it over a Durable Object; the simulator over a seeded
//! world that loses, fails and reorders.

use std::collections::BTreeMap;
use std::fmt;

use crate::deal::DealId;
use crate::time::UnixMillis;

use super::StockCommand;

/// Something the world failed to do: a storage operation, a call, a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault(pub String);

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<serde_json::Error> for Fault {
    fn from(error: serde_json::Error) -> Self {
        Fault(format!("JSON: {error}"))
    }
}

/// One atomic write: every put and every delete, or none.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Writes {
    /// Keys and their new values (JSON text).
    pub puts: BTreeMap<String, String>,
    /// Keys to remove.
    pub deletes: Vec<String>,
}

impl Writes {
    /// Adds `value`, as JSON, under `key`.
    pub fn put(&mut self, key: String, value: &impl serde::Serialize) -> Result<(), Fault> {
        self.puts.insert(key, serde_json::to_string(value)?);
        Ok(())
    }

    pub fn delete(&mut self, key: String) {
        self.deletes.push(key);
    }

    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }

    /// Keys written, puts and deletes (storage bills and limits per key).
    pub fn len(&self) -> usize {
        self.puts.len() + self.deletes.len()
    }
}

/// The world as one shard sees it. Every method but the clock and randomness may fail.
///
/// Between two awaits on storage nothing else of the object runs (a Durable Object's input
/// gate); a sibling call, a queue send or a pause lets other events of the same object run.
/// The shard relies on exactly that, and the simulator keeps to it.
#[allow(async_fn_in_trait)] // One thread per object: the futures are never sent across threads.
pub trait Host {
    /// The stored values of those of `keys` that exist.
    async fn read(&self, keys: Vec<String>) -> Result<BTreeMap<String, String>, Fault>;
    /// Up to `limit` stored (key, value) pairs under `prefix`, in key order, after `start_after`.
    async fn list(
        &self,
        prefix: &str,
        start_after: Option<String>,
        limit: usize,
    ) -> Result<Vec<(String, String)>, Fault>;
    /// Applies `writes` atomically.
    async fn write(&self, writes: Writes) -> Result<(), Fault>;
    /// Asks shard `index` of `deal`; its answer as JSON text.
    async fn ask(&self, deal: &DealId, index: u32, command: &StockCommand)
    -> Result<String, Fault>;
    /// Sends messages (order JSON texts) to the order queue, all or none.
    async fn send(&self, messages: Vec<String>) -> Result<(), Fault>;
    /// Sets this object's one alarm to `at` (replacing any set before), or clears it.
    async fn set_alarm(&self, at: Option<UnixMillis>) -> Result<(), Fault>;
    /// Waits `ms` milliseconds, letting other events of this object run.
    async fn pause(&self, ms: u32);
    /// The host's clock.
    fn now(&self) -> UnixMillis;
    /// 128 random bits.
    fn random(&self) -> u128;
    /// Notes something an operator should see (a failure the shard got over).
    fn log(&self, message: &str);
}
