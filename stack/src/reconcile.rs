//! `cargo xtask reconcile`: compares, per deal, what the edge sold (reserved − cancelled, from
//! every shard's ledger) with what origin stored (orders not cancelled), and lists every
//! difference and how many dead letters wait, per reason, with a sample of their order ids. Run
//! it after the queue has drained.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use festival_domain::dead_letter::Summary;
use festival_domain::reconcile::{DealTotals, EdgeAccounts};
use serde_json::Value;

/// One deal's figures on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealLine {
    /// The deal.
    pub deal_id: String,
    /// Units the edge sold (reserved − cancelled).
    pub edge_units: i64,
    /// Orders the edge sold.
    pub edge_orders: i64,
    /// Units origin holds as sold.
    pub origin_units: i64,
    /// Orders origin holds as sold.
    pub origin_orders: i64,
    /// Units that left a shard and never arrived at another.
    pub units_in_transit: i64,
    /// Units top-ups added to the edge's shards.
    pub added_units: i64,
    /// Whether the edge's books balance: stock + added == left + sold + in transit
    /// (`DealAccount::balances`).
    pub balances: bool,
}

impl DealLine {
    /// Whether both sides agree, and the edge's books balance.
    pub fn agrees(&self) -> bool {
        self.edge_units == self.origin_units
            && self.edge_orders == self.origin_orders
            && self.balances
    }
}

/// The comparison.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every deal either side knows.
    pub deals: Vec<DealLine>,
    /// What waits in the edge's dead-letter store.
    pub dead_letters: Summary,
}

impl Report {
    /// Deals where the edge and origin disagree.
    pub fn differences(&self) -> Vec<&DealLine> {
        self.deals.iter().filter(|line| !line.agrees()).collect()
    }

    /// Nothing differs and nothing is dead.
    pub fn is_clean(&self) -> bool {
        self.differences().is_empty() && self.dead_letters.letters == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<32} {:>10} {:>12} {:>10} {:>12}  status",
            "deal", "edge units", "origin units", "edge orders", "origin orders"
        )?;
        for line in &self.deals {
            let status = match (line.agrees(), line.balances) {
                (true, _) => "ok",
                (false, true) => "DIFFERS",
                (false, false) => "UNBALANCED (stock + added ≠ left + sold + in transit)",
            };
            writeln!(
                f,
                "{:<32} {:>10} {:>12} {:>10} {:>12}  {status}",
                line.deal_id,
                line.edge_units,
                line.origin_units,
                line.edge_orders,
                line.origin_orders
            )?;
        }
        writeln!(
            f,
            "\n{} difference(s), {} dead letter(s)",
            self.differences().len(),
            self.dead_letters.letters
        )?;
        for reason in &self.dead_letters.reasons {
            writeln!(
                f,
                "  {:>8} dead: {}: {}",
                reason.letters, reason.code, reason.message
            )?;
        }
        if self.dead_letters.letters > 0 {
            let sample = &self.dead_letters.sample;
            let more = self.dead_letters.letters - sample.len() as u64;
            writeln!(f, "  orders: {}", sample.join(", "))?;
            if more > 0 {
                writeln!(f, "          and {more} more")?;
            }
            writeln!(f, "  `cargo xtask redrive` sends them to origin again.")?;
        }
        Ok(())
    }
}

fn get(url: &str, token: &str) -> Result<Value, String> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent();
    agent
        .get(url)
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .map_err(|e| format!("{url}: {e}"))?
        .body_mut()
        .read_json::<Value>()
        .map_err(|e| format!("{url}: {e}"))
}

/// Reads both sides and compares them.
pub fn compare(edge_url: &str, origin_url: &str, token: &str) -> Result<Report, String> {
    let edge: EdgeAccounts =
        serde_json::from_value(get(&format!("{edge_url}/api/ops/reconcile"), token)?)
            .map_err(|e| format!("the edge's reconciliation: {e}"))?;
    let origin: Vec<DealTotals> =
        serde_json::from_value(get(&format!("{origin_url}/admin/sold"), token)?)
            .map_err(|e| format!("origin's sold orders: {e}"))?;
    let mut lines: BTreeMap<String, DealLine> = BTreeMap::new();
    let blank = |deal_id: &str| DealLine {
        deal_id: deal_id.to_owned(),
        edge_units: 0,
        edge_orders: 0,
        origin_units: 0,
        origin_orders: 0,
        units_in_transit: 0,
        added_units: 0,
        balances: true,
    };
    for deal in edge.deals {
        let id = deal.deal_id.as_str();
        let line = lines.entry(id.to_owned()).or_insert_with(|| blank(id));
        line.edge_units = i64::from(deal.sold_units);
        line.edge_orders = i64::from(deal.sold_orders);
        line.units_in_transit = deal.units_in_transit;
        line.added_units = i64::from(deal.added_units);
        line.balances = deal.balances();
    }
    for sold in origin {
        let line = lines
            .entry(sold.deal_id.clone())
            .or_insert_with(|| blank(&sold.deal_id));
        line.origin_units = sold.units;
        line.origin_orders = sold.orders;
    }
    Ok(Report {
        deals: lines.into_values().collect(),
        dead_letters: edge.dead_letters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_agrees_only_when_units_and_orders_match() {
        let line = DealLine {
            deal_id: "d".into(),
            edge_units: 3,
            edge_orders: 2,
            origin_units: 3,
            origin_orders: 2,
            units_in_transit: 0,
            added_units: 0,
            balances: true,
        };
        assert!(line.agrees());
        assert!(
            !DealLine {
                balances: false,
                ..line.clone()
            }
            .agrees()
        );
        assert!(
            !DealLine {
                origin_units: 2,
                ..line.clone()
            }
            .agrees()
        );
        let report = Report {
            deals: vec![
                line.clone(),
                DealLine {
                    origin_orders: 1,
                    ..line
                },
            ],
            dead_letters: Summary::default(),
        };
        assert_eq!(report.differences().len(), 1);
        assert!(!report.is_clean());
    }
}
