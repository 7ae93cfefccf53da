//! One deal, one schedule: every shard of a deal serves the stock and shard count that shard 0
//! pinned. A shard's first write asks shard 0 (which pins the first spec it sees, in its own
//! ledger); a request carrying another spec — an isolate still holding an older schedule — is
//! refused, never served with other figures. Without this, shards set up from different
//! schedules could together sell more than either schedule's stock, and a changed shard count
//! would move customers to shards that know neither their keys nor their units.
//!
//! Origin refuses schedule edits inside a freeze window before the start, far longer than an
//! isolate keeps its copy, so the first spec pinned is the schedule's.

use crate::deal::DealId;

use super::records::LEDGER_KEY;
use super::shard::Shard;
use super::{Fault, Host, Ledger, ShardSpec, StockCommand, Writes, spec_changed};

impl<H: Host> Shard<H> {
    /// The ledger to change for `spec`, or why this shard refuses it.
    pub(super) async fn ledger_for(
        &self,
        deal: &DealId,
        spec: ShardSpec,
    ) -> Result<Result<Ledger, String>, Fault> {
        if spec.index != 0 && self.stored_ledger().await?.is_none() {
            let ask = StockCommand::Pin {
                spec: spec.sibling(0),
            };
            let pinned: ShardSpec = serde_json::from_str(&self.host.ask(deal, 0, &ask).await?)?;
            if (pinned.stock, pinned.shards) != (spec.stock, spec.shards) {
                return Ok(Err(spec_changed(&Ledger::fresh(pinned), spec)));
            }
        }
        // Read after the call: another event may have written the ledger meanwhile.
        let ledger = self.ledger_or_fresh(spec).await?;
        Ok(if ledger.serves(spec) {
            Ok(ledger.pinned(spec))
        } else {
            Err(spec_changed(&ledger, spec))
        })
    }

    /// (Shard 0.) The deal's spec: pinned now if this is the first ask.
    pub(super) async fn pin(&self, spec: ShardSpec) -> Result<ShardSpec, Fault> {
        let stored = self.stored_ledger().await?;
        let ledger = match stored {
            Some(ledger) if ledger.shards != 0 => ledger,
            _ => {
                let ledger = stored.unwrap_or_else(|| Ledger::fresh(spec)).pinned(spec);
                let mut writes = Writes::default();
                writes.put(LEDGER_KEY.to_owned(), &ledger)?;
                self.write_with_ledger(writes, ledger).await?;
                ledger
            }
        };
        Ok(ShardSpec {
            stock: ledger.stock,
            shards: ledger.shards,
            index: 0,
        })
    }
}
