//! A live sale's controls reaching a shard: merged into its ledger in one write, so a top-up
//! adds its units once however often (and in whatever order) its copies arrive, and an end or
//! a pause holds from the moment the shard has it. See [`crate::live`].

use crate::deal::DealId;
use crate::live::LiveControl;

use super::records::LEDGER_KEY;
use super::shard::Shard;
use super::{Fault, Host, Ledger, ShardSpec, Writes};

impl<H: Host> Shard<H> {
    /// Merges `live` into this shard's ledger (pinning it to `spec` first, as a reservation
    /// would): the ledger after, or why this shard refuses `spec`.
    pub(super) async fn control(
        &self,
        deal: &DealId,
        spec: ShardSpec,
        live: LiveControl,
    ) -> Result<Result<Ledger, String>, Fault> {
        let ledger = match self.ledger_for(deal, spec).await? {
            Ok(ledger) => ledger,
            Err(why) => return Ok(Err(why)),
        };
        let after = ledger.with_live(live, spec.index);
        // Written only when it changes something, or pins a shard never written.
        if self.stored_ledger().await? != Some(after) {
            let mut writes = Writes::default();
            writes.put(LEDGER_KEY.to_owned(), &after)?;
            self.write_with_ledger(writes, after).await?;
        }
        Ok(Ok(after))
    }
}
