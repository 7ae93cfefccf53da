//! The per-order costs the capacity model multiplies, as the latest `cargo xtask rehearse`
//! counted them. Kept in a tracked file (`xtask/measured-costs.json`) that every rehearsal
//! writes anew, so the model never runs on a figure nobody measured, and says which run it came
//! from.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use festival_domain::time::{UnixMillis, format_utc};
use serde::{Deserialize, Serialize};

use super::model::PerOrder;
use festival_load::rehearse::Report;

/// Request kinds `KeyClaims` objects answer (`edge/src/key_claims.rs`); every other kind a
/// rehearsal counts went to a deal's `DealStock` shards.
const KEY_CLAIMS_KINDS: [&str; 2] = ["claim", "note"];

/// The rehearsal the counts came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rehearsal {
    pub shoppers: usize,
    pub deals: usize,
    /// Units per deal.
    pub stock: u32,
    /// Shards per deal.
    pub shards: u32,
    /// Orders in flight.
    pub concurrency: usize,
    /// Whether it kept every promise (no 5xx, nothing oversold or lost).
    pub passed: bool,
}

/// What a rehearsal's accepted orders cost, counted by the objects and origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// When the rehearsal ended.
    pub measured_at: String,
    pub rehearsal: Rehearsal,
    pub accepted: u64,
    /// Object requests by kind, the operator's reads left out.
    pub requests: BTreeMap<String, u64>,
    pub storage_writes: u64,
    pub queue_messages: u64,
    pub origin_transactions: u64,
}

/// The tracked file, beside xtask's `Cargo.toml`, as the workspace names it.
pub const FILE: &str = "xtask/measured-costs.json";

pub fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("measured-costs.json")
}

impl Measured {
    pub fn load() -> Result<Measured, String> {
        let path = path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e} (run `cargo xtask rehearse`)", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The counts of a finished rehearsal, if it counted any accepted order.
    pub fn of(report: &Report, now: UnixMillis) -> Option<Measured> {
        let costs = report.costs.as_ref().filter(|c| c.accepted > 0)?;
        let settings = &report.settings;
        Some(Measured {
            measured_at: format_utc(now),
            rehearsal: Rehearsal {
                shoppers: settings.shoppers,
                deals: settings.deals,
                stock: settings.stock,
                shards: settings.shards,
                concurrency: settings.concurrency,
                passed: report.failures().is_empty(),
            },
            accepted: costs.accepted as u64,
            requests: costs.requests.clone(),
            storage_writes: costs.storage_writes,
            queue_messages: costs.queue_messages,
            origin_transactions: costs.origin_transactions,
        })
    }

    /// The counts by kind of the requests that went to `KeyClaims` (or to the shards).
    fn kinds(&self, at_key_claims: bool) -> impl Iterator<Item = (&String, &u64)> {
        self.requests
            .iter()
            .filter(move |(kind, _)| KEY_CLAIMS_KINDS.contains(&kind.as_str()) == at_key_claims)
    }

    fn requests_where(&self, at_key_claims: bool) -> u64 {
        self.kinds(at_key_claims).map(|(_, n)| n).sum()
    }

    /// The requests of each kind that went to `KeyClaims` (or to the shards), as `kind n`, the
    /// most first.
    pub fn kinds_where(&self, at_key_claims: bool) -> String {
        let mut kinds: Vec<_> = self.kinds(at_key_claims).collect();
        kinds.sort_by(|a, b| b.1.cmp(a.1));
        let words: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        words.join(", ")
    }

    pub fn per_order(&self) -> PerOrder {
        let per = |n: u64| n as f64 / self.accepted.max(1) as f64;
        PerOrder {
            shard_requests: per(self.requests_where(false)),
            claim_requests: per(self.requests_where(true)),
            storage_writes: per(self.storage_writes),
            queue_messages: per(self.queue_messages),
            origin_transactions: per(self.origin_transactions),
        }
    }
}

/// Writes a finished rehearsal's counts to the tracked file, for `cargo xtask capacity`.
pub fn record(report: &Report) -> Result<(), String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    let Some(measured) = Measured::of(report, UnixMillis(now.as_millis() as i64)) else {
        return Ok(());
    };
    let json = serde_json::to_string_pretty(&measured).map_err(|e| e.to_string())?;
    std::fs::write(path(), json + "\n").map_err(|e| format!("{}: {e}", path().display()))?;
    println!(
        "per-order costs for `cargo xtask capacity`: {}",
        path().display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tracked_file_reads_and_splits_requests_between_shards_and_key_claims() {
        let measured = Measured::load().unwrap();
        assert!(measured.accepted > 0);
        let costs = measured.per_order();
        let all: u64 = measured.requests.values().sum();
        let per = |n: u64| n as f64 / measured.accepted as f64;
        assert!((costs.object_requests() - per(all)).abs() < 1e-12);
        let at_key_claims: u64 = KEY_CLAIMS_KINDS
            .iter()
            .filter_map(|kind| measured.requests.get(*kind))
            .sum();
        assert!((costs.claim_requests - per(at_key_claims)).abs() < 1e-12);
        for kind in KEY_CLAIMS_KINDS {
            assert!(!measured.kinds_where(false).contains(kind));
        }
        assert!(
            measured.kinds_where(true).contains(" "),
            "a kind and its count"
        );
    }
}
