//! What a rehearsal found: the answers by outcome, the latency, each deal's units on every
//! side, and which promise broke.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use festival_domain::Deal;
use festival_stack::{paths, reconcile};
use serde::Serialize;

use super::{DRAIN_CAP, Settings};
use crate::costs::OrderCosts;
use crate::generator::{self as load, Outcome, Summary};
use crate::probes::Probed;

/// One deal's figures after the drain.
#[derive(Debug, Clone, Serialize)]
pub struct DealFigures {
    pub deal_id: String,
    pub stock: u32,
    /// Units in distinct orders answered 202 to the shoppers.
    pub accepted_units: i64,
    pub edge_units: i64,
    pub origin_units: i64,
}

impl DealFigures {
    /// Units sold beyond the stock, by the shoppers' answers or the edge's ledger.
    pub fn oversold(&self) -> i64 {
        (self.accepted_units.max(self.edge_units) - i64::from(self.stock)).max(0)
    }
}

/// Count and rate of one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeLine {
    pub outcome: &'static str,
    pub count: usize,
    pub per_s: f64,
}

/// The rehearsal's report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub settings: Settings,
    pub burst_s: f64,
    pub shoppers_served: usize,
    pub requests: usize,
    pub requests_per_s: f64,
    pub by_outcome: Vec<OutcomeLine>,
    pub latency_all: Summary,
    pub latency_accepted: Summary,
    pub accepted: usize,
    pub sold_out: usize,
    pub limit_reached: usize,
    pub rate_limited: usize,
    pub other_4xx: usize,
    pub server_5xx: usize,
    pub retried_503: usize,
    pub connection_errors: usize,
    pub oversold_units: i64,
    /// Orders answered 202 that origin does not hold after the drain.
    pub lost_orders: usize,
    /// Deals where `reconcile` found the edge and origin differing.
    pub reconcile_differences: usize,
    pub dead_letters: usize,
    /// From the end of the burst until edge and origin agreed; `None`: not within the cap.
    pub drain_s: Option<f64>,
    pub deals: Vec<DealFigures>,
    /// What the accepted orders cost the platform, counted (none in unit tests).
    pub costs: Option<OrderCosts>,
    /// What catalog polls and sold-out refusals cost, probed alone (none in unit tests).
    pub probed: Option<Probed>,
}

impl Report {
    /// What broke an invariant.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if self.server_5xx > 0 {
            failures.push(format!("{} answers were 5xx", self.server_5xx));
        }
        if self.oversold_units > 0 {
            failures.push(format!("{} units oversold", self.oversold_units));
        }
        if self.lost_orders > 0 || self.reconcile_differences > 0 {
            failures.push(format!(
                "{} accepted orders missing at origin, {} deals differing after the drain",
                self.lost_orders, self.reconcile_differences
            ));
        }
        if self.drain_s.is_none() {
            failures.push(format!("the queue did not drain within {DRAIN_CAP:?}"));
        }
        failures
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let s = &self.settings;
        let mut md = String::new();
        let _ = writeln!(md, "# Festival rehearsal\n");
        let _ = writeln!(
            md,
            "{} shoppers on {} deals × {} units ({} shards each), {} in flight, cap {} s; \
             {:.0}% through the real session + catalog path, {:.0}% ordering twice; rate limits: {}.\n",
            s.shoppers,
            s.deals,
            s.stock,
            s.shards,
            s.concurrency,
            s.duration_s,
            s.real_share * 100.0,
            s.repeat_share * 100.0,
            if s.wrangler_limits {
                "wrangler.toml's"
            } else {
                "unlimited"
            }
        );
        let verdict = match self.failures().as_slice() {
            [] => "**PASS**: no 5xx, nothing oversold, nothing lost.".to_owned(),
            failures => format!("**FAIL**: {}.", failures.join("; ")),
        };
        let _ = writeln!(md, "{verdict}\n");
        let _ = writeln!(
            md,
            "Burst: {:.1} s, {} shoppers served, {} requests ({:.0}/s).\n",
            self.burst_s, self.shoppers_served, self.requests, self.requests_per_s
        );
        let _ = writeln!(md, "| outcome | requests | per s |\n|---|---:|---:|");
        for line in &self.by_outcome {
            let _ = writeln!(
                md,
                "| {} | {} | {:.1} |",
                line.outcome, line.count, line.per_s
            );
        }
        let _ = writeln!(md, "\n| latency | p50 ms | p99 ms |\n|---|---:|---:|");
        for (name, summary) in [
            ("all requests", &self.latency_all),
            ("accepted orders", &self.latency_accepted),
        ] {
            let _ = writeln!(
                md,
                "| {name} | {:.1} | {:.1} |",
                summary.p50_ms, summary.p99_ms
            );
        }
        self.checks_markdown(&mut md);
        self.deals_markdown(&mut md);
        if let Some(costs) = &self.costs {
            let _ = write!(md, "\n{}", costs.to_markdown());
        }
        if let Some(probed) = &self.probed {
            let _ = write!(md, "\n{}", probed.to_markdown());
        }
        md
    }

    /// Every count a promise is checked on, and the drain.
    fn checks_markdown(&self, md: &mut String) {
        let drain = self
            .drain_s
            .map_or_else(|| "not within the cap".to_owned(), |s| format!("{s:.1} s"));
        let _ = writeln!(
            md,
            "\n| check | value |\n|---|---:|\n| accepted orders | {} |\n| sold out | {} |\n\
             | limit reached | {} |\n| rate limited | {} |\n| other 4xx | {} |\n\
             | 5xx (must be 0) | {} |\n| 503 retried with the same key | {} |\n\
             | connection errors | {} |\n| oversold units (must be 0) | {} |\n\
             | lost orders after drain (must be 0) | {} |\n| deals differing in reconcile | {} |\n\
             | dead letters | {} |\n| drain time | {drain} |",
            self.accepted,
            self.sold_out,
            self.limit_reached,
            self.rate_limited,
            self.other_4xx,
            self.server_5xx,
            self.retried_503,
            self.connection_errors,
            self.oversold_units,
            self.lost_orders,
            self.reconcile_differences,
            self.dead_letters,
        );
    }

    /// Each deal's units on every side.
    fn deals_markdown(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "\n| deal | stock | accepted units | edge units | origin units |\n|---|---:|---:|---:|---:|"
        );
        for deal in &self.deals {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                deal.deal_id, deal.stock, deal.accepted_units, deal.edge_units, deal.origin_units
            );
        }
    }
}

/// The report of a burst: its answers counted by outcome, and what the drain and origin showed.
pub(super) fn build_report(
    settings: Settings,
    run: &load::Run,
    lost_orders: usize,
    reconciled: &reconcile::Report,
    drain_s: Option<f64>,
    deals: Vec<DealFigures>,
) -> Report {
    let count = |outcome: Outcome| run.samples.iter().filter(|s| s.outcome == outcome).count();
    let secs = run.elapsed.as_secs_f64();
    let by_outcome = Outcome::ALL
        .iter()
        .map(|&outcome| OutcomeLine {
            outcome: outcome.name(),
            count: count(outcome),
            per_s: load::ratio(count(outcome) as f64, secs),
        })
        .collect();
    Report {
        burst_s: secs,
        shoppers_served: run.jobs,
        requests: run.samples.len(),
        requests_per_s: load::ratio(run.samples.len() as f64, secs),
        by_outcome,
        latency_all: Summary::of(&run.samples, run.elapsed, |_| true),
        latency_accepted: Summary::of(&run.samples, run.elapsed, |s| {
            s.outcome == Outcome::Accepted
        }),
        accepted: count(Outcome::Accepted),
        sold_out: count(Outcome::SoldOut),
        limit_reached: count(Outcome::LimitReached),
        rate_limited: count(Outcome::RateLimited),
        other_4xx: count(Outcome::Other4xx),
        server_5xx: count(Outcome::Server5xx),
        retried_503: count(Outcome::Retried503),
        connection_errors: count(Outcome::Connection),
        oversold_units: deals.iter().map(DealFigures::oversold).sum(),
        lost_orders,
        reconcile_differences: reconciled.differences().len(),
        dead_letters: reconciled.dead_letters.letters as usize,
        drain_s,
        deals,
        costs: None,
        probed: None,
        settings,
    }
}

/// Each deal's units: accepted by the shoppers' answers, and on the edge and at origin by the
/// last reconciliation.
pub(super) fn deal_figures(
    deals: &[Deal],
    accepted: &BTreeSet<(usize, String)>,
    reconciled: &reconcile::Report,
) -> Vec<DealFigures> {
    let mut accepted_units: BTreeMap<usize, i64> = BTreeMap::new();
    for (deal, _) in accepted {
        *accepted_units.entry(*deal).or_default() += 1;
    }
    deals
        .iter()
        .enumerate()
        .map(|(i, deal)| {
            let line = reconciled
                .deals
                .iter()
                .find(|l| l.deal_id == deal.id.as_str());
            DealFigures {
                deal_id: deal.id.as_str().to_owned(),
                stock: deal.stock,
                accepted_units: accepted_units.get(&i).copied().unwrap_or(0),
                edge_units: line.map_or(0, |l| l.edge_units),
                origin_units: line.map_or(0, |l| l.origin_units),
            }
        })
        .collect()
}

/// Writes `target/rehearsal/report.{md,json}` and prints the Markdown.
pub(super) fn write(report: &Report) -> Result<(), String> {
    let dir = paths::target().join("rehearsal");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.md"), report.to_markdown()).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.json"), json).map_err(|e| e.to_string())?;
    println!("\n{}", report.to_markdown());
    println!("report: {}", dir.join("report.md").display());
    Ok(())
}
