//! How a shard reads and writes its storage: the ledger through its memory copy, orders and
//! other records as JSON.

use std::collections::BTreeMap;

use crate::order::{Order, OrderId};

use super::Shard;
use crate::stock::records::{LEDGER_KEY, order_key};
use crate::stock::{Fault, Host, Ledger, ShardSpec, Writes};

impl<H: Host> Shard<H> {
    /// The order `id`, if this shard holds it.
    pub(in crate::stock) async fn load_order(&self, id: &OrderId) -> Result<Option<Order>, Fault> {
        self.read_json(&order_key(id)).await
    }

    /// The ledger, if this shard was ever written.
    pub(in crate::stock) async fn stored_ledger(&self) -> Result<Option<Ledger>, Fault> {
        if let Some(ledger) = self.ledger.get() {
            return Ok(Some(ledger));
        }
        let ledger = self.read_json::<Ledger>(LEDGER_KEY).await?;
        self.ledger.set(ledger);
        Ok(ledger)
    }

    /// The ledger, or the share a shard never written starts with.
    pub(in crate::stock) async fn ledger_or_fresh(&self, spec: ShardSpec) -> Result<Ledger, Fault> {
        Ok(self
            .stored_ledger()
            .await?
            .unwrap_or_else(|| Ledger::fresh(spec)))
    }

    /// Writes `writes`, whose ledger is `ledger`, and keeps the copy in memory.
    pub(in crate::stock) async fn write_with_ledger(
        &self,
        writes: Writes,
        ledger: Ledger,
    ) -> Result<(), Fault> {
        self.host.write(writes).await?;
        self.ledger.set(Some(ledger));
        Ok(())
    }

    /// The record under `key`, if stored; one that does not read is a fault.
    pub(in crate::stock) async fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, Fault> {
        let stored = self.host.read(vec![key.to_owned()]).await?;
        stored
            .get(key)
            .map(|json| serde_json::from_str(json).map_err(|e| Fault(format!("{key}: {e}"))))
            .transpose()
    }
}

/// The record under `key` among `stored`, if present and readable.
pub(in crate::stock) fn parse<T: serde::de::DeserializeOwned>(
    stored: &BTreeMap<String, String>,
    key: &str,
) -> Option<T> {
    stored
        .get(key)
        .and_then(|json| serde_json::from_str(json).ok())
}
