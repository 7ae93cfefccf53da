//! `cargo xtask rehearse`: a bounded festival burst against a local stack this command starts and
//! stops (loopback only). Each shopper gets a session and a sale token — most minted here with the
//! edge's secret, a share through the real `POST /api/session` + `POST /api/sale-token` — and orders
//! one unit of a random deal with its own idempotency key (a 503 is retried with the same key);
//! a share also orders a second time, as from another tab. After the burst it waits for the queue
//! to drain and writes `target/rehearsal/report.{md,json}`; it fails on any 5xx, oversold unit or
//! lost order.

mod burst;
mod report;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use festival_cli::flags::{Command, Flag, Flags};
use festival_domain::Deal;
use festival_stack::local::{self as local_stack, LocalStack, StateOn, TempStack};
use festival_stack::process::EdgeRunner;
use festival_stack::reconcile;
use festival_stack::throwaway::{MARKETER_TOKEN, SESSION_SECRET, UNLIMITED, secrets};
use serde::Serialize;

use crate::costs::{self, OrderCosts};
use crate::probes::{self, Probed};
pub use report::{DealFigures, OutcomeLine, Report};

/// Tries per order: the first and up to four retries after a 503 or a dropped connection.
const TRIES: u32 = 5;
/// The catalog probe: anonymous polls spread over a stretch, as a crowd of shoppers would.
const CATALOG_POLLS: usize = 1_000;
const CATALOG_POLLS_OVER: Duration = Duration::from_secs(10);
/// The refusal probe: orders by new shoppers once every deal is sold out.
const SOLD_OUT_ORDERS: usize = 200;
/// How long the queue may take to bring every accepted order to origin.
const DRAIN_CAP: Duration = Duration::from_secs(120);

/// `cargo xtask rehearse`'s words.
pub const COMMAND: Command = Command {
    name: "rehearse",
    operands: &[],
    flags: &[
        Flag::value("--shoppers", "N", "2000", "shoppers in the burst"),
        Flag::value("--deals", "D", "3", "hot deals, 1–50"),
        Flag::value("--stock", "S", "100", "units a deal"),
        Flag::value("--shards", "K", "4", "stock shards a deal"),
        Flag::value("--duration", "SECS", "20", "how long the burst may last"),
        Flag::value("--concurrency", "C", "64", "orders in flight, 1–100"),
        Flag::value(
            "--real-share",
            "F",
            "0.1",
            "share of shoppers through the real session routes",
        ),
        Flag::value(
            "--repeat-share",
            "F",
            "0.1",
            "share that orders a second time",
        ),
        Flag::switch("--wrangler-limits", "keep the edge's rate limits"),
    ],
    summary: "A bounded festival burst against a temporary local stack: outcomes, latency, \
              oversold and lost orders (target/rehearsal/); exit 1 if an invariant broke.",
    about: "",
};

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
    /// The settings `args` ask for ([`COMMAND`]'s flags), checked.
    pub fn from_args(args: &[String]) -> Result<Settings, String> {
        let flags = Flags::new(args, &COMMAND)?;
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

/// Runs the rehearsal on a stack of its own, stopped before it answers, and writes its report
/// to `target/rehearsal/`. A broken promise is in the report ([`Report::failures`]); an error
/// is a rehearsal that could not run.
pub fn run(settings: Settings) -> Result<Report, String> {
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
    let deals = schedule(&settings, stack)?;
    println!("==> probe: {CATALOG_POLLS} catalog polls over {CATALOG_POLLS_OVER:?}");
    let catalog_polls = probes::catalog_polls(
        &stack.edge_url,
        &stack.origin_url,
        MARKETER_TOKEN,
        CATALOG_POLLS,
        CATALOG_POLLS_OVER,
    )?;
    let costs_before = costs::read(&stack.edge_url, &stack.origin_url, MARKETER_TOKEN)?;
    let burst = burst::run(&settings, stack, &deals)?;
    let (reconciled, drain_s) = drain(stack, burst.ended)?;
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
    let lost_orders = burst::lost_orders(stack, &burst.accepted);
    let deal_figures = report::deal_figures(&deals, &burst.accepted, &reconciled);
    let mut report = report::build_report(
        settings,
        &burst.run,
        lost_orders,
        &reconciled,
        drain_s,
        deal_figures,
    );
    report.costs = Some(OrderCosts::between(
        &costs_before,
        &costs_after,
        burst.accepted.len(),
    ));
    report.probed = Some(Probed {
        catalog_polls,
        sold_out,
    });
    report::write(&report)?;
    print!("{reconciled}");
    drop(temp);
    Ok(report)
}

/// Schedules the rehearsal's deals, opening in 3 s.
fn schedule(settings: &Settings, stack: &LocalStack) -> Result<Vec<Deal>, String> {
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
    Ok(deals)
}

/// Waits until the edge and origin agree, at most [`DRAIN_CAP`] after the burst ended: the
/// last reconciliation, and the seconds it took (`None` past the cap).
fn drain(
    stack: &LocalStack,
    burst_end: Instant,
) -> Result<(reconcile::Report, Option<f64>), String> {
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
    Ok((last.ok_or("reconcile never answered")?, drain_s))
}
