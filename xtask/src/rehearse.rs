//! `cargo xtask rehearse`: a bounded festival burst against a local stack this command starts and
//! stops (loopback only). Each shopper gets a session and a sale token — most minted here with the
//! edge's secret, a share through the real `POST /api/session` + `POST /api/sale-token` — and orders
//! one unit of a random deal with its own idempotency key (a 503 is retried with the same key);
//! a share also orders a second time, as from another tab. After the burst it waits for the queue
//! to drain and writes `target/rehearsal/report.{md,json}`; it fails on any 5xx, oversold unit or
//! lost order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use festival_domain::token::SESSION_HEADER;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::Value;
use xtask::flags::Flags;
use xtask::stack::EdgeRunner;
use xtask::test_stack::{MARKETER_TOKEN, SESSION_SECRET, UNLIMITED, secrets};
use xtask::{commands, paths, reconcile};

use crate::costs::{self, OrderCosts};
use crate::load::{self, Outcome, Sample, Summary};
use crate::local_stack::{self, StateOn, TempStack};
use crate::probes::{self, Probed};

/// Tries per order: the first and up to four retries after a 503 or a dropped connection.
const TRIES: u32 = 5;
/// The catalog probe: anonymous polls spread over a stretch, as a crowd of shoppers would.
const CATALOG_POLLS: usize = 1_000;
const CATALOG_POLLS_OVER: Duration = Duration::from_secs(10);
/// The refusal probe: orders by new shoppers once every deal is sold out.
const SOLD_OUT_ORDERS: usize = 200;
/// How long the queue may take to bring every accepted order to origin.
const DRAIN_CAP: Duration = Duration::from_secs(120);

/// What the rehearsal does.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub shoppers: usize,
    pub deals: usize,
    pub stock: u32,
    pub shards: u32,
    pub duration_s: u64,
    pub concurrency: usize,
    /// Share of shoppers that take the real session + catalog path.
    pub real_share: f64,
    /// Share of shoppers that order a second time (another tab).
    pub repeat_share: f64,
    /// Use `wrangler.toml`'s rate limits instead of unlimited ones.
    pub wrangler_limits: bool,
}

impl Settings {
    fn from_args(args: &[String]) -> Result<Settings, String> {
        let flags = Flags::new(args, &commands::REHEARSE)?;
        let settings = Settings {
            shoppers: flags.get("--shoppers", 2000)?,
            deals: flags.get("--deals", 3)?,
            stock: flags.get("--stock", 100)?,
            shards: flags.get("--shards", 4)?,
            duration_s: flags.get("--duration", 20)?,
            concurrency: flags.get("--concurrency", 64)?,
            real_share: flags.get("--real-share", 0.1)?,
            repeat_share: flags.get("--repeat-share", 0.1)?,
            wrangler_limits: flags.has("--wrangler-limits"),
        };
        if settings.concurrency == 0 || settings.concurrency > 100 {
            return Err(
                "--concurrency must be 1–100 (wrangler's dev proxy resets connections \
                        beyond a few hundred)"
                    .into(),
            );
        }
        if settings.deals == 0 || settings.deals > 50 || settings.stock == 0 {
            return Err("--deals must be 1–50 and --stock at least 1".into());
        }
        if !(1..=festival_domain::deal::MAX_SHARDS).contains(&settings.shards) {
            return Err(format!(
                "--shards must be 1–{}",
                festival_domain::deal::MAX_SHARDS
            ));
        }
        Ok(settings)
    }
}

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
        if let Some(costs) = &self.costs {
            let _ = write!(md, "\n{}", costs.to_markdown());
        }
        if let Some(probed) = &self.probed {
            let _ = write!(md, "\n{}", probed.to_markdown());
        }
        md
    }
}

/// Whether shopper `i` falls in a `share` (0–1), independently per `salt`.
fn in_share(i: usize, salt: u64, share: f64) -> bool {
    (load::mix(i as u64 ^ salt) % 10_000) < (share * 10_000.0) as u64
}

/// A session and sale token for shopper `i`: minted, or through the edge's routes.
fn identity(
    agent: &ureq::Agent,
    edge: &str,
    i: usize,
    real: bool,
    samples: &mut Vec<Sample>,
) -> Option<(String, String)> {
    if !real {
        return Some(local_stack::minted(
            SESSION_SECRET,
            &format!("shopper-{i:07}"),
        ));
    }
    let (sample, answer) = load::send(agent, &format!("{edge}/api/session"), &[], Some(""));
    samples.push(sample);
    let session: Value = serde_json::from_str(&answer?.body).ok()?;
    let session = session["session"].as_str()?.to_owned();
    let (sample, answer) = load::send(
        agent,
        &format!("{edge}/api/sale-token"),
        &[(SESSION_HEADER, &session)],
        Some(""),
    );
    samples.push(sample);
    let answer: Value = serde_json::from_str(&answer?.body).ok()?;
    let sale_token = answer["sale_token"].as_str()?.to_owned();
    Some((session, sale_token))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let settings = Settings::from_args(args)?;
    let vars = if settings.wrangler_limits {
        &[][..]
    } else {
        UNLIMITED
    };
    let temp = TempStack::start(
        "rehearse",
        secrets(),
        vars,
        EdgeRunner::WranglerDev,
        StateOn::Disk,
    )?;
    let stack = &temp.stack;
    let deals: Vec<_> = (1..=settings.deals)
        .map(|d| {
            local_stack::deal(
                &format!("rehearsal-{d}"),
                settings.stock,
                settings.shards,
                1,
                3_000,
            )
        })
        .collect();
    stack.schedule(&deals, MARKETER_TOKEN)?;
    println!("==> probe: {CATALOG_POLLS} catalog polls over {CATALOG_POLLS_OVER:?}");
    let catalog_polls = probes::catalog_polls(
        &stack.edge_url,
        &stack.origin_url,
        MARKETER_TOKEN,
        CATALOG_POLLS,
        CATALOG_POLLS_OVER,
    )?;
    let costs_before = costs::read(&stack.edge_url, &stack.origin_url, MARKETER_TOKEN)?;

    println!(
        "==> burst: {} shoppers, {} in flight, at most {} s",
        settings.shoppers, settings.concurrency, settings.duration_s
    );
    let bar = ProgressBar::new(settings.shoppers as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "    [{elapsed_precise}] {bar:40.cyan/blue} {pos}/{len} shoppers ({per_sec}, eta {eta})",
        )
        .map_err(|e| e.to_string())?,
    );
    let accepted_ids: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let orders_url = format!("{}/api/orders", stack.edge_url);
    let until = Instant::now() + Duration::from_secs(settings.duration_s);
    let run = load::drive(
        settings.concurrency,
        until,
        Some(settings.shoppers),
        &bar,
        |agent, i, samples| {
            let real = in_share(i, 0x5E55, settings.real_share);
            let Some((session, sale_token)) = identity(agent, &stack.edge_url, i, real, samples)
            else {
                return;
            };
            let deal = (load::mix(i as u64) % settings.deals as u64) as usize;
            let tabs = if in_share(i, 0x7AB5, settings.repeat_share) {
                2
            } else {
                1
            };
            for tab in 0..tabs {
                let body = serde_json::json!({
                    "deal_id": deals[deal].id.as_str(),
                    "quantity": 1,
                    "idempotency_key": format!("rehearsal-{i:07}-{tab}"),
                    "sale_token": sale_token,
                })
                .to_string();
                let headers = [(SESSION_HEADER, session.as_str())];
                let answer =
                    load::send_retrying(agent, &orders_url, &headers, &body, TRIES, samples);
                if let Some(answer) = answer.filter(|a| a.status == 202)
                    && let Ok(order) = serde_json::from_str::<Value>(&answer.body)
                    && let Some(id) = order["id"].as_str()
                {
                    accepted_ids
                        .lock()
                        .expect("not poisoned")
                        .push((deal, id.to_owned()));
                }
            }
        },
    );
    bar.finish();
    let burst_end = Instant::now();

    println!("==> drain: waiting until edge and origin agree (at most {DRAIN_CAP:?})");
    let mut last = None;
    let drain_s = loop {
        if let Ok(report) = reconcile::compare(&stack.edge_url, &stack.origin_url, MARKETER_TOKEN) {
            let agreed = report.differences().is_empty();
            last = Some(report);
            if agreed {
                break Some(burst_end.elapsed().as_secs_f64());
            }
        }
        if burst_end.elapsed() > DRAIN_CAP {
            break None;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let reconciled = last.ok_or("reconcile never answered")?;
    let costs_after = costs::read(&stack.edge_url, &stack.origin_url, MARKETER_TOKEN)?;
    println!("==> probe: {SOLD_OUT_ORDERS} orders for the sold-out deals");
    let deal_ids: Vec<&str> = deals.iter().map(|d| d.id.as_str()).collect();
    let sold_out = probes::sold_out_orders(
        &stack.edge_url,
        &stack.origin_url,
        MARKETER_TOKEN,
        SESSION_SECRET,
        &deal_ids,
        SOLD_OUT_ORDERS,
    )?;

    // Every order a shopper was told "accepted" must be at origin.
    let accepted_ids: BTreeSet<(usize, String)> = accepted_ids
        .into_inner()
        .expect("not poisoned")
        .into_iter()
        .collect();
    let agent = load::agent();
    let bearer = format!("Bearer {MARKETER_TOKEN}");
    let lost_orders = accepted_ids
        .iter()
        .filter(|(_, id)| {
            let (_, answer) = load::send(
                &agent,
                &format!("{}/internal/orders/{id}", stack.origin_url),
                &[("authorization", &bearer)],
                None,
            );
            answer.is_none_or(|a| a.status != 200)
        })
        .count();

    let mut accepted_units: BTreeMap<usize, i64> = BTreeMap::new();
    for (deal, _) in &accepted_ids {
        *accepted_units.entry(*deal).or_default() += 1;
    }
    let deal_figures: Vec<DealFigures> = deals
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
        .collect();
    let mut report = build_report(
        settings,
        &run,
        lost_orders,
        &reconciled,
        drain_s,
        deal_figures,
    );
    report.costs = Some(OrderCosts::between(
        &costs_before,
        &costs_after,
        accepted_ids.len(),
    ));
    report.probed = Some(Probed {
        catalog_polls,
        sold_out,
    });
    let dir = paths::target().join("rehearsal");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.md"), report.to_markdown()).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.json"), json).map_err(|e| e.to_string())?;
    println!("\n{}", report.to_markdown());
    println!("report: {}", dir.join("report.md").display());
    crate::capacity::record(&report)?;
    print!("{reconciled}");
    drop(temp);
    match report.failures().as_slice() {
        [] => Ok(()),
        failures => Err(format!("rehearsal failed: {}", failures.join("; "))),
    }
}

fn build_report(
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn settings() -> Settings {
        Settings::from_args(&[]).unwrap()
    }

    fn sample(outcome: Outcome, millis: u32) -> Sample {
        Sample {
            outcome,
            micros: millis * 1000,
            from_memory: false,
            batch: 0,
        }
    }

    #[test]
    fn defaults_and_bounds_of_the_flags() {
        let s = settings();
        assert_eq!(
            (
                s.shoppers,
                s.deals,
                s.stock,
                s.shards,
                s.duration_s,
                s.concurrency
            ),
            (2000, 3, 100, 4, 20, 64)
        );
        let too_many: Vec<String> = ["--concurrency", "500"].map(String::from).into();
        assert!(Settings::from_args(&too_many).is_err());
    }

    #[test]
    fn oversold_counts_units_beyond_stock_on_either_side() {
        let deal = DealFigures {
            deal_id: "d".into(),
            stock: 50,
            accepted_units: 50,
            edge_units: 50,
            origin_units: 50,
        };
        assert_eq!(deal.oversold(), 0);
        assert_eq!(
            DealFigures {
                edge_units: 52,
                ..deal.clone()
            }
            .oversold(),
            2
        );
        assert_eq!(
            DealFigures {
                accepted_units: 10,
                edge_units: 10,
                ..deal
            }
            .oversold(),
            0
        );
    }

    #[test]
    fn a_clean_report_passes_and_a_5xx_fails_it() {
        let run = load::Run {
            samples: vec![
                sample(Outcome::Accepted, 10),
                sample(Outcome::SoldOut, 2),
                sample(Outcome::SoldOut, 3),
                sample(Outcome::Retried503, 40),
            ],
            jobs: 3,
            elapsed: Duration::from_secs(2),
        };
        let deals = vec![DealFigures {
            deal_id: "rehearsal-1".into(),
            stock: 1,
            accepted_units: 1,
            edge_units: 1,
            origin_units: 1,
        }];
        let report = build_report(
            settings(),
            &run,
            0,
            &reconcile::Report::default(),
            Some(1.5),
            deals.clone(),
        );
        assert_eq!(
            (report.accepted, report.sold_out, report.retried_503),
            (1, 2, 1)
        );
        assert!((report.requests_per_s - 2.0).abs() < 1e-9);
        assert!(report.failures().is_empty(), "{:?}", report.failures());
        let md = report.to_markdown();
        assert!(md.contains("**PASS**"), "{md}");
        assert!(md.contains("| sold_out | 2 | 1.0 |"), "{md}");
        assert!(md.contains("| rehearsal-1 | 1 | 1 | 1 | 1 |"), "{md}");
        assert!(md.contains("| drain time | 1.5 s |"), "{md}");

        let mut failing = run;
        failing.samples.push(sample(Outcome::Server5xx, 1));
        let report = build_report(
            settings(),
            &failing,
            2,
            &reconcile::Report::default(),
            None,
            deals,
        );
        let failures = report.failures();
        assert_eq!(failures.len(), 3, "{failures:?}");
        assert!(report.to_markdown().contains("**FAIL**"));
    }
}
