//! `cargo xtask bench`: one run, one machine, three local stacks — the edge as `wrangler dev`
//! runs it but without the DevTools inspector (`stack/start-edge.mjs`) and with its state in
//! memory (`local_stack::StateOn`); the same with its state on disk; and `wrangler dev`
//! itself for comparison. Scenarios run in interleaved rounds (`rounds.rs`). Each
//! scenario runs for a fixed time after a warm-up at the same concurrency; the figures that matter
//! are ratios to the same Worker's trivial route (`GET /api/health`), so the machine cancels out:
//! (a) accepted orders, (b) sold-out answers from isolate memory, (c) a hot deal on N shards ÷ on
//! 1 shard, (d) the catalog; plus (e) the shopper's bundle size against its 150 KB gzip budget,
//! and (f) navigation → first painted deal card in headless Chromium, the storefront ÷ the same
//! cards as static HTML from the same Worker (`first_paint`).
//! The least POST (`post_floor`: an order's headers and body sent to `/api/health`, refused 405 by
//! the router before anything reads it) shows what a POST itself costs the platform, apart from
//! what Festival's order path adds to it.
//! While each scenario runs it samples the CPU of workerd, node (wrangler), origin and itself,
//! and reads from it what bounded the scenario (`bound.rs`).
//! Writes `target/bench/report.{md,json}`.

mod bound;
mod first_paint;
pub mod ingest;
mod ratios;
mod report;
mod rounds;
mod scenarios;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use festival_cli::Failure;
use festival_cli::flags::{Command, Flag, Flags};
use festival_cli::steps::Step;
use festival_stack::local::{self as local_stack, LocalStack};
use festival_stack::throwaway::MARKETER_TOKEN;
use festival_stack::{paths, reconcile};
use serde::Serialize;

pub use first_paint::FirstPaint;
pub use ratios::ratios;
pub use report::{bundle, gzip_len, to_markdown};
use scenarios::Stacks;

use crate::generator::{self as load, Summary};

/// Deal cards the first-paint measurement wants on the page.
const PAINT_CARDS: usize = 4;

/// The shopper route's Wasm + JS budget, gzip: 150 KB.
pub const BUNDLE_BUDGET_BYTES: u64 = 150_000;

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub concurrency: usize,
    /// Warm-up before each scenario's turn in a round.
    pub warmup_s: u64,
    /// Measured seconds per scenario, over all rounds.
    pub measure_s: u64,
    /// Interleaved rounds (see `rounds.rs`).
    pub rounds: usize,
    /// N of the sharded hot deal.
    pub shards: u32,
}

/// One scenario's measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: &'static str,
    pub what: &'static str,
    /// The answer this scenario is about (ok, accepted, sold_out).
    pub expected: &'static str,
    /// All answers.
    pub summary: Summary,
    /// Expected answers per second: what the ratios compare.
    pub good_per_s: f64,
    /// The same, round by round.
    pub rounds_per_s: Vec<f64>,
    pub good_share: f64,
    /// Share of answers marked `x-festival-answered-from: memory`.
    pub memory_share: f64,
    /// The batch an order travelled in, averaged over the orders a shard answered
    /// (`x-festival-batch`): weighted by order, so above the mean per request.
    pub mean_batch: Option<f64>,
    pub outcomes: BTreeMap<&'static str, usize>,
    /// Percent of one core, per process, during the measurement.
    pub cpu_percent: BTreeMap<String, f64>,
    /// What bounded the figure, read from `cpu_percent` (`bound.rs`).
    pub bound: String,
    /// After order scenarios: seconds until origin held every accepted order.
    pub drain_s: Option<f64>,
    /// What each expected answer cost the objects, counted by them (scenarios that count).
    pub per_answer: Option<rounds::PerAnswer>,
}

/// A ratio, its goal and whether it meets it.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    pub name: &'static str,
    pub value: f64,
    /// The lowest and highest of the same ratio taken round by round (a round runs both of its
    /// scenarios within a minute or so); `None` under two rounds. On a shared box this spread
    /// says whether a miss of the goal is the code or the neighbours.
    pub per_round: Option<(f64, f64)>,
    pub goal: String,
    pub met: Option<bool>,
}

/// Gzip (level 9) and raw sizes of a bundle's `.wasm` + `.js` files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Bundle {
    pub files: Vec<String>,
    pub raw_bytes: u64,
    pub gzip_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The commit measured (see `report::commit`): each run's JSON names what it measured.
    pub commit: String,
    pub machine: String,
    pub settings: Settings,
    pub figures: Vec<Figure>,
    pub ratios: Vec<Ratio>,
    pub storefront: Bundle,
    pub console: Option<Bundle>,
    pub budget_bytes: u64,
    /// (f) time to the first painted deal card; `None` when it could not be measured …
    pub first_paint: Option<FirstPaint>,
    /// … and why.
    pub first_paint_error: Option<String>,
}

/// `cargo xtask bench`'s words.
pub const COMMAND: Command = Command {
    name: "bench",
    operands: &[],
    flags: &[
        Flag::value("--concurrency", "C", "32", "requests in flight, 1–100"),
        Flag::value("--warmup", "SECS", "1", "warm-up before each measurement"),
        Flag::value("--seconds", "SECS", "6", "each measurement"),
        Flag::value("--rounds", "N", "3", "rounds of every scenario"),
        Flag::value("--shards", "N", "4", "stock shards of the hot deal"),
        Flag::optional("--only", "a,b", "just these scenarios, and no first paint"),
    ],
    summary: "Throughput ratios against the Worker's trivial route, shards, bundle size \
              (target/bench/).",
    about: "",
};

impl Settings {
    /// The settings `args` ask for ([`COMMAND`]'s flags), checked, and the scenarios `--only`
    /// names (just these, and no first paint: to profile one path).
    pub fn from_args(args: &[String]) -> Result<(Settings, Option<Vec<String>>), String> {
        let flags = Flags::new(args, &COMMAND)?;
        let only: Option<Vec<String>> = flags.get("--only", String::new()).map(|names| {
            (!names.is_empty()).then(|| names.split(',').map(str::to_owned).collect())
        })?;
        let settings = Settings {
            concurrency: flags.get("--concurrency", 32)?,
            warmup_s: flags.get("--warmup", 1)?,
            measure_s: flags.get("--seconds", 6)?,
            rounds: flags.get("--rounds", 3)?,
            shards: flags.get("--shards", 4)?,
        };
        Ok((settings, only))
    }
}

/// `cargo xtask bench`: measures every scenario (or `only` these) on stacks of its own, stopped
/// before it answers, then origin's ingest, and writes the report to `target/bench/`. A goal
/// missed is a problem found ([`verdict`]); a stack that would not start, a run that could not.
pub fn run(settings: Settings, only: Option<Vec<String>>) -> Result<(), Failure> {
    if only.as_deref() == Some(&["ingest".to_owned()]) {
        // Origin's ingest alone: no stack to start.
        let ratios: Vec<Ratio> = measure_ingest().iter().map(ratios::ingest_ratio).collect();
        for ratio in &ratios {
            println!("{}: {:.2} (goal {})", ratio.name, ratio.value, ratio.goal);
        }
        return verdict(&ratios);
    }
    if settings.concurrency == 0 || settings.concurrency > 100 {
        return Err("--concurrency must be 1–100".into());
    }
    let stacks = Stacks::start(settings.shards)?;
    let scenarios = scenarios::scenarios(&stacks, only.as_deref())?;
    let figures = rounds::run(&settings, &scenarios, &stacks.runtimes());
    drop(scenarios);
    let Stacks {
        memory,
        disk,
        wrangler_dev,
        ..
    } = stacks;
    drop((wrangler_dev, disk));
    let (first_paint, first_paint_error) = match only {
        Some(_) => (None, Some("not measured: --only".to_owned())),
        None => match paint(&memory.stack) {
            Ok(paint) => (Some(paint), None),
            Err(error) => {
                println!("    first paint not measured: {error}");
                (None, Some(error))
            }
        },
    };
    drop(memory);
    let mut ratios = ratios::ratios(&figures, settings.shards);
    ratios.extend(first_paint.iter().flat_map(ratios::paint_ratios));
    ratios.extend(measure_ingest().iter().map(ratios::ingest_ratio));
    let dist = paths::app().join("dist");
    let report = Report {
        commit: report::commit(),
        machine: report::machine(),
        ratios,
        figures,
        storefront: bundle(&dist).unwrap_or_default(),
        console: bundle(&dist.join("console")),
        budget_bytes: BUNDLE_BUDGET_BYTES,
        first_paint,
        first_paint_error,
        settings,
    };
    report::write(&report)?;
    verdict(&report.ratios)
}

/// How a run ends, from its ratios: a goal the ratio table marks missed ("no") is a problem
/// found (exit 1), naming the ratios; a ratio without a goal, or one met, is no problem.
pub fn verdict(ratios: &[Ratio]) -> Result<(), Failure> {
    let missed: Vec<String> = ratios
        .iter()
        .filter(|r| r.met == Some(false))
        .map(|r| format!("{} {:.2} (goal {})", r.name, r.value, r.goal))
        .collect();
    if missed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Found(format!(
            "goals missed: {}",
            missed.join("; ")
        )))
    }
}

/// Waits until the edge and origin agree (the queue has drained); seconds, or `None` after 120 s.
fn drain(edge: &str, origin: &str) -> Option<f64> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if reconcile::compare(edge, origin, MARKETER_TOKEN)
            .is_ok_and(|report| report.differences().is_empty())
        {
            return Some(started.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    None
}

/// (g): origin's batch ingest on SQLite and, when a PostgreSQL is at hand (see
/// `xtask::postgres`), on PostgreSQL; an engine that cannot be measured is left out, said why.
fn measure_ingest() -> Vec<ingest::Ingest> {
    let step = Step::new("origin batch ingest vs plain insert (SQLite, PostgreSQL)");
    let postgres = festival_stack::postgres::Postgres::provide()
        .inspect_err(|error| println!("    PostgreSQL not measured: {error}"))
        .ok();
    let figures = ingest::measure(postgres.as_ref().map(|p| p.url())).unwrap_or_else(|error| {
        println!("    ingest not measured: {error}");
        Vec::new()
    });
    for f in &figures {
        println!(
            "    {}: {:.0} orders/s stored, {:.0} inserted plain",
            f.engine, f.stored_per_s, f.plain_per_s
        );
    }
    step.done();
    figures
}

/// painted deal card of the storefront and of `/api/static-cards` in headless Chromium.
fn paint(stack: &LocalStack) -> Result<FirstPaint, String> {
    let step = Step::new("first painted deal card: storefront vs static HTML (Chromium)");
    let listed = stack.catalog(&load::agent())?["deals"]
        .as_array()
        .map_or(0, Vec::len);
    let more: Vec<_> = (listed..PAINT_CARDS)
        .map(|i| local_stack::deal(&format!("bench-paint-{i}"), 500, 1, 2, 2_000))
        .collect();
    if !more.is_empty() {
        stack.schedule(&more, MARKETER_TOKEN)?;
    }
    let paint = first_paint::measure(&stack.edge_url, first_paint::RUNS)?;
    for s in &paint.series {
        println!(
            "    {} ({}), {}: median {:.0} ms, p90 {:.0} ms",
            s.page, s.path, s.cache, s.median_ms, s.p90_ms
        );
    }
    step.done();
    Ok(paint)
}
