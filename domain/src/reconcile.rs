//! Reconciliation's contract: what the edge says each deal's shards sold
//! (`GET /api/ops/reconcile`), what origin says it holds (`GET /admin/sold`), and the sums
//! behind the edge's figures — written once, read by `cargo xtask reconcile`, the console and
//! the tests.

use serde::{Deserialize, Serialize};

use crate::dead_letter::Summary;
use crate::deal::{Deal, DealId};
use crate::stock::{Ledger, units_in_transit};

/// One deal as its shards account for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealAccount {
    pub deal_id: DealId,
    pub stock: u32,
    pub shards: u32,
    pub stock_left: u32,
    pub reserved_units: u32,
    pub cancelled_units: u32,
    /// `reserved_units − cancelled_units`: what origin must hold as sold.
    pub sold_units: u32,
    /// `reserved_orders − cancelled_orders`.
    pub sold_orders: u32,
    /// Units that left one shard and never arrived in another (a lost transfer).
    pub units_in_transit: i64,
    /// Units top-ups added to the shards (each shard's part, summed).
    #[serde(default)]
    pub added_units: u32,
}

impl DealAccount {
    /// `deal`'s account from the ledgers of all its shards.
    pub fn of(deal: &Deal, ledgers: &[Ledger]) -> DealAccount {
        let sum = |f: fn(&Ledger) -> u32| ledgers.iter().map(f).sum::<u32>();
        let (reserved, cancelled) = (sum(|l| l.reserved_units), sum(|l| l.cancelled_units));
        DealAccount {
            deal_id: deal.id.clone(),
            stock: deal.stock,
            shards: deal.shard_count(),
            stock_left: sum(|l| l.stock_left),
            reserved_units: reserved,
            cancelled_units: cancelled,
            sold_units: reserved.saturating_sub(cancelled),
            sold_orders: sum(|l| l.reserved_orders).saturating_sub(sum(|l| l.cancelled_orders)),
            units_in_transit: units_in_transit(ledgers),
            added_units: sum(|l| l.added_units),
        }
    }

    /// Whether the shards' books balance: `stock + added == left + sold + in transit`. Every
    /// unit scheduled or added is for sale, sold, or on its way between two shards.
    pub fn balances(&self) -> bool {
        i64::from(self.stock) + i64::from(self.added_units)
            == i64::from(self.stock_left) + i64::from(self.sold_units) + self.units_in_transit
    }
}

/// The edge's answer to `GET /api/ops/reconcile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeAccounts {
    pub deals: Vec<DealAccount>,
    pub dead_letters: Summary,
}

/// One deal's orders origin holds as sold (not cancelled): `GET /admin/sold` answers a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealTotals {
    pub deal_id: String,
    /// Orders not cancelled.
    pub orders: i64,
    /// Units in those orders.
    pub units: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stock::ShardSpec;

    #[test]
    fn an_account_sums_its_shards_and_shows_a_lost_transfer() {
        let deal = Deal {
            shards: 2,
            ..crate::deal::tests::sample_deal()
        };
        let mut lender = Ledger::fresh(ShardSpec::of(&deal, 0));
        let mut borrower = Ledger::fresh(ShardSpec::of(&deal, 1));
        lender.reserved_units = 3;
        lender.reserved_orders = 2;
        lender.cancelled_units = 1;
        lender.cancelled_orders = 1;
        lender.lent_units = 2;
        borrower.borrowed_units = 1;
        let account = DealAccount::of(&deal, &[lender, borrower]);
        assert_eq!((account.sold_units, account.sold_orders), (2, 1));
        assert_eq!(account.units_in_transit, 1);
        assert_eq!(account.shards, 2);
    }

    #[test]
    fn a_top_up_counts_once_in_the_balance() {
        let deal = Deal {
            shards: 2,
            ..crate::deal::tests::sample_deal()
        };
        let live = crate::live::LiveControl {
            added_units: 5,
            ..Default::default()
        };
        let ledgers: Vec<Ledger> = (0..2)
            .map(|index| {
                let ledger = Ledger::fresh(ShardSpec::of(&deal, index)).with_live(live, index);
                // The same total again (a repeated push, the catalog's next read) adds nothing.
                ledger.with_live(live, index)
            })
            .collect();
        let account = DealAccount::of(&deal, &ledgers);
        assert_eq!(account.added_units, 5);
        assert_eq!(account.stock_left, deal.stock + 5);
        assert!(account.balances());
    }
}
