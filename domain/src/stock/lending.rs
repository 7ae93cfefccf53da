//! Lending units between a deal's shards, in two phases, so that no unit is ever in no ledger
//! for good.
//!
//! The borrower writes a [`Transfer`] record first, then asks the lender with its id. The
//! lender gives at most what it has and records what it gave under that id, in the same write
//! as its ledger; asked again with the same id it answers the same units and changes nothing.
//! The borrower counts the units in and removes the record in one write, once: a second
//! answer finds no record and counts nothing. A lost request, a lost reply or a reset between
//! the two phases leaves the record, and the alarm (armed when the object starts) asks again.

use crate::deal::DealId;
use crate::time::UnixMillis;

use super::records::{LEDGER_KEY, TRANSFER_PREFIX, Transfer, lent_key, transfer_key};
use super::shard::Shard;
use super::{Fault, Host, Ledger, ShardSpec, StockCommand, Writes, units_in_transit};

/// Transfers finished per alarm run.
const TRANSFERS_PER_RUN: usize = 32;

impl<H: Host> Shard<H> {
    /// Asks the siblings, in turn, for `need` units; answers how many arrived (now counted in).
    pub(super) async fn borrow(
        &self,
        spec: ShardSpec,
        deal: &DealId,
        need: u32,
    ) -> Result<u32, Fault> {
        let mut got = 0;
        for step in 1..spec.shards {
            let lender = (spec.index + step) % spec.shards;
            got += self.borrow_from(spec, deal, lender, need - got).await?;
            if got >= need {
                break;
            }
        }
        Ok(got)
    }

    /// One transfer from `lender`: the record, the ask, the count.
    async fn borrow_from(
        &self,
        spec: ShardSpec,
        deal: &DealId,
        lender: u32,
        want: u32,
    ) -> Result<u32, Fault> {
        let id = format!("{}-{:032x}", spec.index, self.host.random());
        let transfer = Transfer {
            deal: deal.clone(),
            lender,
            want,
            spec,
        };
        // The ledger goes with the record, so that a restart finds state and arms the alarm
        // that finishes the transfer.
        let ledger = self.ledger_or_fresh(spec).await?.pinned(spec);
        let mut writes = Writes::default();
        writes.put(transfer_key(&id), &transfer)?;
        writes.put(LEDGER_KEY.to_owned(), &ledger)?;
        self.write_with_ledger(writes, ledger).await?;
        // Armed before the ask, not after it fails: a reset while the ask is out runs no code
        // after it, and the open record must not wait for the object's next event.
        let retry = UnixMillis(self.host.now().0 + super::outbox::ALARM_RETRY_MS);
        self.arm_alarm(retry).await;
        self.finish_transfer(&id, &transfer).await
    }

    /// Asks the lender for transfer `id` (again) and counts its units in, unless another task
    /// already did.
    async fn finish_transfer(&self, id: &str, transfer: &Transfer) -> Result<u32, Fault> {
        let lend = StockCommand::Lend {
            deal: transfer.deal.clone(),
            spec: transfer.spec.sibling(transfer.lender),
            transfer: id.to_owned(),
            want: transfer.want,
        };
        let answer = self
            .host
            .ask(&transfer.deal, transfer.lender, &lend)
            .await?;
        let given: u32 = serde_json::from_str(&answer)?;
        // Only storage is awaited from here to the write: the record is read and removed in one
        // turn, so two answers to one transfer count once.
        let key = transfer_key(id);
        if self.host.read(vec![key.clone()]).await?.is_empty() {
            return Ok(0);
        }
        let mut ledger = self
            .ledger_or_fresh(transfer.spec)
            .await?
            .pinned(transfer.spec);
        ledger.stock_left += given;
        ledger.borrowed_units += given;
        let mut writes = Writes::default();
        writes.put(LEDGER_KEY.to_owned(), &ledger)?;
        writes.delete(key);
        self.write_with_ledger(writes, ledger).await?;
        Ok(given)
    }

    /// Gives a sibling up to `want` units for transfer `id` — exactly what it needs, so that no
    /// shard hoards units another's shoppers ask for. What it gave, even nothing, is recorded:
    /// a late copy of this request must not lend again after the borrower closed the transfer.
    pub(super) async fn lend(
        &self,
        deal: &DealId,
        spec: ShardSpec,
        id: &str,
        want: u32,
    ) -> Result<u32, Fault> {
        // First, as it may call shard 0: nothing read before a call is trusted after it.
        let ledger = self.ledger_for(deal, spec).await?;
        let key = lent_key(id);
        if let Some(given) = self.read_json::<u32>(&key).await? {
            return Ok(given);
        }
        let Ok(mut ledger) = ledger else {
            return Ok(0);
        };
        let give = want.min(ledger.stock_left);
        ledger.stock_left -= give;
        ledger.lent_units += give;
        let mut writes = Writes::default();
        writes.put(key, &give)?;
        if give > 0 {
            writes.put(LEDGER_KEY.to_owned(), &ledger)?;
            self.write_with_ledger(writes, ledger).await?;
        } else {
            self.host.write(writes).await?;
        }
        Ok(give)
    }

    /// Finishes transfers a reset or a lost answer left open; answers whether any remain.
    pub(super) async fn finish_open_transfers(&self) -> bool {
        let open = match self
            .host
            .list(TRANSFER_PREFIX, None, TRANSFERS_PER_RUN)
            .await
        {
            Ok(open) => open,
            Err(_) => return true,
        };
        let mut remain = open.len() == TRANSFERS_PER_RUN;
        for (key, json) in open {
            let id = &key[TRANSFER_PREFIX.len()..];
            let finished = match serde_json::from_str::<Transfer>(&json) {
                Ok(transfer) => self.finish_transfer(id, &transfer).await,
                Err(error) => Err(error.into()),
            };
            if let Err(fault) = &finished {
                self.host
                    .log(&format!("transfer {id} is still open: {fault}"));
            }
            let finished = finished.is_ok();
            remain |= !finished;
        }
        remain
    }

    /// Whether this shard and every sibling have no unit left and none is on its way between
    /// two. Isolates answer "sold out" from memory on this word.
    pub(super) async fn whole_deal_is_empty(
        &self,
        spec: ShardSpec,
        deal: &DealId,
    ) -> Result<bool, Fault> {
        let own = self.ledger_or_fresh(spec).await?;
        if own.stock_left > 0 {
            return Ok(false);
        }
        let mut ledgers = vec![own];
        for step in 1..spec.shards {
            let index = (spec.index + step) % spec.shards;
            let read = StockCommand::Ledger {
                spec: spec.sibling(index),
            };
            let ledger: Ledger = serde_json::from_str(&self.host.ask(deal, index, &read).await?)?;
            if ledger.stock_left > 0 {
                return Ok(false);
            }
            ledgers.push(ledger);
        }
        Ok(units_in_transit(&ledgers) <= 0)
    }
}
