//! `cargo xtask bench`: one run, one machine, three local stacks — the edge as `wrangler dev`
//! runs it but without the DevTools inspector (`xtask/start-edge.mjs`) and with its state in
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

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use festival_domain::Deal;
use festival_domain::token::SESSION_HEADER;
use serde::Serialize;
use xtask::flags::Flags;
use xtask::stack::EdgeRunner;
use xtask::test_stack::{MARKETER_TOKEN, SESSION_SECRET, UNLIMITED, secrets};
use xtask::{commands, paths, reconcile};

use crate::dev_proxy;
use crate::load::{self, Outcome, Sample, Summary};
use crate::local_stack::{self, StateOn, TempStack};
use rounds::Scenario;

mod bound;
mod first_paint;
pub mod ingest;
mod rounds;

pub use first_paint::FirstPaint;

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

fn figure<'a>(figures: &'a [Figure], name: &str) -> Option<&'a Figure> {
    figures.iter().find(|f| f.name == name)
}

/// The ratios from the figures; a ratio whose figures were not measured (`--only`) is left out.
pub fn ratios(figures: &[Figure], shards: u32) -> Vec<Ratio> {
    let ratio = |name, numerator: &str, denominator: &str, goal: Option<f64>| {
        let (numerator, denominator) = (figure(figures, numerator)?, figure(figures, denominator)?);
        let value = load::ratio(numerator.good_per_s, denominator.good_per_s);
        Some(Ratio {
            name,
            value,
            per_round: spread(&numerator.rounds_per_s, &denominator.rounds_per_s),
            goal: goal.map_or_else(|| "—".to_owned(), |g| format!("≥ {g}")),
            met: goal.map(|g| value >= g),
        })
    };
    [
        ratio(
            "(a) order accepted ÷ health",
            "accept_1_shard",
            "edge_health",
            Some(0.6),
        ),
        ratio(
            "(b) sold out (memory) ÷ health",
            "sold_out",
            "edge_health",
            Some(0.9),
        ),
        ratio(
            "the least POST ÷ health: what a POST of an order's size costs the platform",
            "post_floor",
            "edge_health",
            None,
        ),
        ratio(
            "(b) sold out ÷ the least POST: what the sold-out path adds to it",
            "sold_out",
            "post_floor",
            None,
        ),
        ratio(
            "(c) hot deal N shards ÷ 1 shard",
            "accept_n_shards",
            "accept_1_shard",
            None,
        )
        .map(|r| Ratio {
            goal: format!("close to {shards} (linear)"),
            ..r
        }),
        ratio("(d) catalog ÷ health", "catalog", "edge_health", None),
        ratio(
            "edge health ÷ origin /health (native)",
            "edge_health",
            "origin_health",
            None,
        ),
        ratio(
            "edge health via dev proxy ÷ direct",
            "edge_health",
            "edge_health_direct",
            None,
        ),
        ratio(
            "(a) without the dev proxy: accepted ÷ health, both direct",
            "accept_1_shard_direct",
            "edge_health_direct",
            Some(0.6),
        ),
        ratio(
            "(b) without the dev proxy: sold out ÷ health, both direct",
            "sold_out_direct",
            "edge_health_direct",
            Some(0.9),
        ),
        ratio(
            "the least POST ÷ health, both direct",
            "post_floor_direct",
            "edge_health_direct",
            None,
        ),
        ratio(
            "(b) sold out ÷ the least POST, both direct",
            "sold_out_direct",
            "post_floor_direct",
            None,
        ),
        ratio(
            "(a) with Durable Object state on disk (an fsync per commit on workerd's thread)",
            "accept_1_shard_disk",
            "edge_health_disk",
            None,
        ),
        ratio(
            "(a) under `wrangler dev`: DevTools inspector tracking subrequests, state on disk",
            "accept_1_shard_wrangler_dev",
            "edge_health_wrangler_dev",
            None,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The lowest and highest of `numerators[r] ÷ denominators[r]` over the rounds `r`.
fn spread(numerators: &[f64], denominators: &[f64]) -> Option<(f64, f64)> {
    let per_round: Vec<f64> = numerators
        .iter()
        .zip(denominators)
        .map(|(n, d)| load::ratio(*n, *d))
        .collect();
    (per_round.len() >= 2).then(|| {
        per_round
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
                (lo.min(*r), hi.max(*r))
            })
    })
}

/// Sizes of the `.wasm` and `.js` files directly in `dir`; `None` when there are none.
pub fn bundle(dir: &Path) -> Option<Bundle> {
    let mut bundle = Bundle::default();
    let mut entries: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".wasm") || name.ends_with(".js")) || !entry.path().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).ok()?;
        bundle.raw_bytes += bytes.len() as u64;
        bundle.gzip_bytes += gzip_len(&bytes);
        bundle.files.push(name);
    }
    (!bundle.files.is_empty()).then_some(bundle)
}

/// Length of `bytes` gzipped at level 9.
pub fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len() as u64
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores ({model}), shared")
}

/// One order for `deal` by the minted customer `customer`.
fn order(agent: &ureq::Agent, url: &str, deal: &str, customer: &str, samples: &mut Vec<Sample>) {
    let (session, sale_token) = local_stack::minted(SESSION_SECRET, customer);
    let body = serde_json::json!({
        "deal_id": deal,
        "quantity": 1,
        "idempotency_key": format!("key-{customer}"),
        "sale_token": sale_token,
    })
    .to_string();
    let (sample, _) = load::send(agent, url, &[(SESSION_HEADER, &session)], Some(&body));
    samples.push(sample);
}

/// Orders from distinct sessions on `deal` at `url`, each answered `expected`; when accepted,
/// the stack's queue must drain after each turn.
fn ordering<'a>(
    name: &'static str,
    what: &'static str,
    expected: Outcome,
    deal: &Deal,
    url: &str,
    on: &'a local_stack::LocalStack,
) -> Scenario<'a> {
    let (deal, url) = (deal.id.as_str().to_owned(), url.to_owned());
    Scenario {
        name,
        what,
        expected,
        groups: [on.edge.pid(), on.origin.pid()],
        work: Box::new(move |a: &ureq::Agent, job, s: &mut Vec<Sample>| {
            order(a, &url, &deal, &format!("{name}-{job}"), s)
        }),
        drains: (expected == Outcome::Accepted).then_some(on),
        counts: Some(on),
    }
}

/// The port of a `http://host:port` URL (0 when it has none).
fn public_port(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
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

pub fn run(args: &[String]) -> Result<(), String> {
    let flags = Flags::new(args, &commands::BENCH)?;
    // `--only a,b`: just these scenarios, and no first paint (to profile one path).
    let only: Option<Vec<String>> = flags
        .get("--only", String::new())
        .map(|names| (!names.is_empty()).then(|| names.split(',').map(str::to_owned).collect()))?;
    let settings = Settings {
        concurrency: flags.get("--concurrency", 32)?,
        warmup_s: flags.get("--warmup", 1)?,
        measure_s: flags.get("--seconds", 6)?,
        rounds: flags.get("--rounds", 3)?,
        shards: flags.get("--shards", 4)?,
    };
    if only.as_deref() == Some(&["ingest".to_owned()]) {
        // Origin's ingest alone: no stack to start.
        for ratio in measure_ingest().iter().map(ingest_ratio) {
            println!("{}: {:.2} (goal {})", ratio.name, ratio.value, ratio.goal);
        }
        return Ok(());
    }
    if settings.concurrency == 0 || settings.concurrency > 100 {
        return Err("--concurrency must be 1–100".into());
    }
    // The edge as benchmarked: no DevTools inspector, state in memory (`StateOn::Memory` says
    // why). For comparison, one variable at a time: the same with its state on disk, and
    // `wrangler dev` itself as `cargo xtask dev` runs it. All stay up so that their scenarios
    // interleave; an idle stack costs next to nothing.
    let temp = TempStack::start(
        "bench",
        secrets(),
        UNLIMITED,
        EdgeRunner::NoInspector,
        StateOn::Memory,
    )?;
    let on_disk = TempStack::start(
        "bench-disk",
        secrets(),
        UNLIMITED,
        EdgeRunner::NoInspector,
        StateOn::Disk,
    )?;
    let with_devtools = TempStack::start(
        "bench-wrangler-dev",
        secrets(),
        UNLIMITED,
        EdgeRunner::WranglerDev,
        StateOn::Disk,
    )?;
    let stack = &temp.stack;
    let disk_stack = &on_disk.stack;
    let dev_stack = &with_devtools.stack;
    let hot_1 = local_stack::deal("bench-hot-1", 1_000_000, 1, 1, 3_000);
    let hot_n = local_stack::deal("bench-hot-n", 1_000_000, settings.shards, 1, 3_000);
    let gone = local_stack::deal("bench-sold-out", 1, 1, 1, 3_000);
    stack.schedule(
        &[hot_1.clone(), hot_n.clone(), gone.clone()],
        MARKETER_TOKEN,
    )?;
    // The same hot deal, opening a moment from now (a schedule must start in the future).
    for other in [disk_stack, dev_stack] {
        let other_hot_1 = local_stack::deal(hot_1.id.as_str(), 1_000_000, 1, 1, 3_000);
        other.schedule(&[other_hot_1], MARKETER_TOKEN)?;
    }
    let edge = stack.edge_url.as_str();
    let orders = format!("{edge}/api/orders");
    let mut sell = Vec::new();
    order(
        &load::agent(),
        &orders,
        gone.id.as_str(),
        "bench-first-buyer",
        &mut sell,
    );
    if sell.first().map(|s| s.outcome) != Some(Outcome::Accepted) {
        return Err(format!("selling out bench-sold-out: {sell:?}"));
    }

    let groups = [stack.edge.pid(), stack.origin.pid()];
    let disk_groups = [disk_stack.edge.pid(), disk_stack.origin.pid()];
    let dev_groups = [dev_stack.edge.pid(), dev_stack.origin.pid()];
    let origin_health = format!("{}/health", stack.origin_url);
    let health = format!("{edge}/api/health");
    let catalog = format!("{edge}/api/catalog");
    let disk_health = format!("{}/api/health", disk_stack.edge_url);
    let disk_orders = format!("{}/api/orders", disk_stack.edge_url);
    let dev_health = format!("{}/api/health", dev_stack.edge_url);
    let dev_orders = format!("{}/api/orders", dev_stack.edge_url);
    // The same Worker without wrangler's dev proxy in front, to see what the proxy costs.
    let direct = dev_proxy::find_worker_runtime(stack.edge.pid(), public_port(edge));
    // Each stack's two workerds by role, so that CPU figures tell the proxy from the Worker.
    let runtimes: Vec<(u32, &str)> = [stack, disk_stack, dev_stack]
        .iter()
        .flat_map(|s| dev_proxy::runtimes(s.edge.pid(), public_port(&s.edge_url)))
        .collect();
    if direct.is_none() {
        println!("    (the Worker's own workerd socket was not found; no direct figures)");
    }
    let direct_health = direct.as_ref().map(|d| format!("{d}/api/health"));
    let direct_orders = direct.as_ref().map(|d| format!("{d}/api/orders"));

    let get = |name, what, url: &str| Scenario {
        name,
        what,
        expected: Outcome::Ok,
        groups,
        work: Box::new({
            let url = url.to_owned();
            move |a: &ureq::Agent, _, s: &mut Vec<Sample>| s.push(load::send(a, &url, &[], None).0)
        }),
        drains: None,
        counts: None,
    };
    let mut scenarios = vec![
        get(
            "origin_health",
            "GET origin /health, native (no wrangler)",
            &origin_health,
        ),
        get(
            "edge_health",
            "GET /api/health (the Worker's trivial route)",
            &health,
        ),
        ordering(
            "post_floor",
            "POST /api/health with an order's headers and body: the router's 405, body unread",
            Outcome::Other4xx,
            &gone,
            &health,
            stack,
        ),
        Scenario {
            counts: Some(stack),
            ..get(
                "catalog",
                "GET /api/catalog (public, from the isolate's board)",
                &catalog,
            )
        },
        ordering(
            "sold_out",
            "POST /api/orders on a sold-out deal, distinct sessions",
            Outcome::SoldOut,
            &gone,
            &orders,
            stack,
        ),
        ordering(
            "accept_1_shard",
            "POST /api/orders, all accepted: stock 10^6 on 1 shard, distinct sessions",
            Outcome::Accepted,
            &hot_1,
            &orders,
            stack,
        ),
        ordering(
            "accept_n_shards",
            "POST /api/orders, all accepted: stock 10^6 on N shards, distinct sessions",
            Outcome::Accepted,
            &hot_n,
            &orders,
            stack,
        ),
    ];
    if let (Some(health), Some(orders)) = (&direct_health, &direct_orders) {
        scenarios.push(get(
            "edge_health_direct",
            "GET /api/health on the Worker's own workerd, bypassing the dev proxy",
            health,
        ));
        scenarios.push(ordering(
            "post_floor_direct",
            "as post_floor, on the Worker's own workerd, bypassing the dev proxy",
            Outcome::Other4xx,
            &gone,
            health,
            stack,
        ));
        scenarios.push(ordering(
            "sold_out_direct",
            "as sold_out, on the Worker's own workerd, bypassing the dev proxy",
            Outcome::SoldOut,
            &gone,
            orders,
            stack,
        ));
        scenarios.push(ordering(
            "accept_1_shard_direct",
            "as accept_1_shard, on the Worker's own workerd, bypassing the dev proxy",
            Outcome::Accepted,
            &hot_1,
            orders,
            stack,
        ));
    }
    scenarios.push(Scenario {
        groups: disk_groups,
        ..get(
            "edge_health_disk",
            "GET /api/health, the edge's state on disk",
            &disk_health,
        )
    });
    scenarios.push(ordering(
        "accept_1_shard_disk",
        "as accept_1_shard, the edge's state on disk",
        Outcome::Accepted,
        &hot_1,
        &disk_orders,
        disk_stack,
    ));
    scenarios.push(Scenario {
        groups: dev_groups,
        ..get(
            "edge_health_wrangler_dev",
            "GET /api/health under `wrangler dev` (DevTools inspector attached)",
            &dev_health,
        )
    });
    scenarios.push(ordering(
        "accept_1_shard_wrangler_dev",
        "as accept_1_shard, under `wrangler dev` (DevTools inspector attached)",
        Outcome::Accepted,
        &hot_1,
        &dev_orders,
        dev_stack,
    ));
    if let Some(only) = &only {
        let known: Vec<&str> = scenarios.iter().map(|s| s.name).collect();
        if let Some(unknown) = only.iter().find(|name| !known.contains(&name.as_str())) {
            return Err(format!(
                "--only: no scenario named {unknown} (there are {})",
                known.join(", ")
            ));
        }
        scenarios.retain(|s| only.iter().any(|name| name == s.name));
    }
    let figures = rounds::run(&settings, &scenarios, &runtimes);
    drop(scenarios);
    drop(with_devtools);
    drop(on_disk);
    let (first_paint, first_paint_error) = match only {
        Some(_) => (None, Some("not measured: --only".to_owned())),
        None => match paint(stack) {
            Ok(paint) => (Some(paint), None),
            Err(error) => {
                println!("    first paint not measured: {error}");
                (None, Some(error))
            }
        },
    };
    drop(temp);

    let ingest = measure_ingest();
    let dist = paths::app().join("dist");
    let mut ratios = ratios(&figures, settings.shards);
    if let Some(paint) = &first_paint {
        ratios.extend(paint_ratios(paint));
    }
    ratios.extend(ingest.iter().map(ingest_ratio));
    let report = Report {
        machine: machine(),
        ratios,
        figures,
        storefront: bundle(&dist).unwrap_or_default(),
        console: bundle(&dist.join("console")),
        budget_bytes: BUNDLE_BUDGET_BYTES,
        first_paint,
        first_paint_error,
        settings,
    };
    let dir = paths::target().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let markdown = to_markdown(&report);
    std::fs::write(dir.join("report.md"), &markdown).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.json"), json).map_err(|e| e.to_string())?;
    println!("\n{markdown}\nreport: {}", dir.join("report.md").display());
    Ok(())
}

/// (g): origin's batch ingest on SQLite and, when a PostgreSQL is at hand (see
/// `xtask::postgres`), on PostgreSQL; an engine that cannot be measured is left out, said why.
fn measure_ingest() -> Vec<ingest::Ingest> {
    let step = crate::Step::new("origin batch ingest vs plain insert (SQLite, PostgreSQL)");
    let postgres = xtask::postgres::Postgres::provide()
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

fn ingest_ratio(figures: &ingest::Ingest) -> Ratio {
    let value = figures.ratio();
    Ratio {
        name: match figures.engine {
            "SQLite" => "(g) origin ingest ÷ plain insert of the same rows, SQLite",
            _ => "(g) origin ingest ÷ plain insert of the same rows, PostgreSQL",
        },
        value,
        per_round: None,
        goal: "≥ 0.5".to_owned(),
        met: Some(value >= 0.5),
    }
}

/// (f): makes sure the catalog lists at least [`PAINT_CARDS`] deals, then times the first
/// painted deal card of the storefront and of `/api/static-cards` in headless Chromium.
fn paint(stack: &local_stack::LocalStack) -> Result<FirstPaint, String> {
    let step = crate::Step::new("first painted deal card: storefront vs static HTML (Chromium)");
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

/// The first-paint ratios for the ratio table.
fn paint_ratios(paint: &FirstPaint) -> [Ratio; 2] {
    let ratio = |name, value| Ratio {
        name,
        value,
        per_round: None,
        goal: "—".to_owned(),
        met: None,
    };
    [
        ratio(
            "(f) first painted card, storefront ÷ static HTML (median, cache off)",
            paint.ratio_cold,
        ),
        ratio(
            "(f) first painted card, storefront ÷ static HTML (median, HTTP cache on)",
            paint.ratio_warm,
        ),
    ]
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// The report as Markdown: the scenarios, the ratios, the bundle sizes.
pub fn to_markdown(report: &Report) -> String {
    let s = &report.settings;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Festival benchmark\n\nMachine: {}. Each scenario: {} s measured at {} requests in \
         flight, over loopback, in {} interleaved rounds (every scenario in turn, each round; \
         {} s warm-up before each turn). The edge runs in workerd through wrangler's \
         `unstable_startWorker` (as `wrangler dev`, without its DevTools inspector), its state \
         in memory (`/dev/shm` where there is one); the `*_disk` rows keep the state on disk, the \
         `*_wrangler_dev` rows are `wrangler dev` itself (state on disk). Origin is the debug \
         binary on SQLite.\n",
        report.machine, s.measure_s, s.concurrency, s.rounds, s.warmup_s
    );
    let _ = writeln!(
        md,
        "| scenario | expected | good/s | all/s | p50 ms | p99 ms | expected % | memory % | batch | CPU % of a core | bound |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
    );
    for f in &report.figures {
        let cpu: Vec<String> = f
            .cpu_percent
            .iter()
            .map(|(name, p)| format!("{name} {p:.0}"))
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} | {} | {} | {} |",
            f.name,
            f.expected,
            f.good_per_s,
            f.summary.per_s,
            f.summary.p50_ms,
            f.summary.p99_ms,
            f.good_share * 100.0,
            f.memory_share * 100.0,
            f.mean_batch
                .map_or_else(|| "—".to_owned(), |b| format!("{b:.1}")),
            cpu.join(", "),
            f.bound
        );
    }
    let drains: Vec<String> = report
        .figures
        .iter()
        .filter(|f| f.expected == "accepted")
        .map(|f| {
            let drain = f
                .drain_s
                .map_or_else(|| "not within 120 s".to_owned(), |d| format!("{d:.1} s"));
            format!("{}: {} accepted, drained {drain}", f.name, f.summary.count)
        })
        .collect();
    if !drains.is_empty() {
        let _ = writeln!(
            md,
            "\nQueue to origin after the order scenarios: {}.",
            drains.join("; ")
        );
    }
    md.push_str(&rounds::costs_table(&report.figures));
    let _ = writeln!(
        md,
        "\n| ratio | value | per round | goal | met |\n|---|---:|---:|---|---|"
    );
    for r in &report.ratios {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "—",
        };
        let per_round = r
            .per_round
            .map_or_else(|| "—".to_owned(), |(lo, hi)| format!("{lo:.2}–{hi:.2}"));
        let _ = writeln!(
            md,
            "| {} | {:.2} | {per_round} | {} | {met} |",
            r.name, r.value, r.goal
        );
    }
    let _ = writeln!(
        md,
        "\n| bundle (.wasm + .js) | raw | gzip -9 | budget |\n|---|---:|---:|---|"
    );
    let within = if report.storefront.gzip_bytes <= report.budget_bytes {
        "within"
    } else {
        "OVER"
    };
    let _ = writeln!(
        md,
        "| (e) storefront ({}) | {} | {} | {} {} |",
        report.storefront.files.join(", "),
        kb(report.storefront.raw_bytes),
        kb(report.storefront.gzip_bytes),
        within,
        kb(report.budget_bytes)
    );
    match &report.console {
        Some(console) => {
            let _ = writeln!(
                md,
                "| console, loaded separately ({}) | {} | {} | — |",
                console.files.join(", "),
                kb(console.raw_bytes),
                kb(console.gzip_bytes)
            );
        }
        None => {
            let _ = writeln!(md, "| console | not built (no app/dist/console) | | |");
        }
    }
    paint_markdown(&mut md, report);
    md
}

/// (f) as a table: each page and cache mode, median and p90, and the ratios in words.
fn paint_markdown(md: &mut String, report: &Report) {
    let Some(paint) = &report.first_paint else {
        let why = report.first_paint_error.as_deref().unwrap_or("not run");
        let _ = writeln!(md, "\n(f) first painted deal card: not measured ({why}).");
        return;
    };
    let runs = paint.series.first().map_or(0, |s| s.runs_ms.len());
    let _ = writeln!(
        md,
        "\n(f) Navigation start → first painted deal card, headless Chromium 1280×900, {} cards, \
         {runs} runs per row after one warm-up, pages alternating, each from `about:blank`; \
         cache off = `Network.setCacheDisabled` (every run downloads and compiles the JS and Wasm), \
         HTTP cache on = a returning shopper.\n\n\
         | page | cache | median ms | p90 ms | transferred (median) |\n|---|---|---:|---:|---:|",
        paint.cards
    );
    for s in &paint.series {
        let cache = if s.cache == "cold" {
            "off"
        } else {
            "HTTP cache on"
        };
        let _ = writeln!(
            md,
            "| {} `{}` | {cache} | {:.0} | {:.0} | {} |",
            s.page,
            s.path,
            s.median_ms,
            s.p90_ms,
            kb(s.median_transfer_bytes)
        );
    }
    for (cache, ratio) in [
        ("cache off", paint.ratio_cold),
        ("HTTP cache on", paint.ratio_warm),
    ] {
        let _ = writeln!(
            md,
            "\nStorefront ÷ static, medians, {cache}: **{ratio:.2}** (the static page shows its \
             first card in {:.0} % of the storefront's time).",
            if ratio > 0.0 { 100.0 / ratio } else { 0.0 }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(name: &'static str, expected: Outcome, good_per_s: f64) -> Figure {
        Figure {
            name,
            what: "",
            expected: expected.name(),
            summary: Summary {
                count: 100,
                per_s: good_per_s,
                p50_ms: 5.0,
                p99_ms: 20.0,
            },
            good_per_s,
            rounds_per_s: Vec::new(),
            good_share: 1.0,
            memory_share: 0.0,
            mean_batch: None,
            outcomes: BTreeMap::new(),
            cpu_percent: BTreeMap::from([(dev_proxy::WORKER_RUNTIME.to_owned(), 97.0)]),
            bound: "the Worker's thread (97 %)".to_owned(),
            drain_s: Some(2.0),
            per_answer: None,
        }
    }

    #[test]
    fn ratios_divide_by_the_trivial_route_and_by_one_shard() {
        let figures = vec![
            fig("origin_health", Outcome::Ok, 4000.0),
            fig("edge_health", Outcome::Ok, 1000.0),
            fig("catalog", Outcome::Ok, 800.0),
            fig("sold_out", Outcome::SoldOut, 950.0),
            fig("accept_1_shard", Outcome::Accepted, 300.0),
            fig("accept_n_shards", Outcome::Accepted, 450.0),
        ];
        let ratios = ratios(&figures, 4);
        let value = |prefix: &str| ratios.iter().find(|r| r.name.starts_with(prefix)).unwrap();
        assert!((value("(a)").value - 0.3).abs() < 1e-9);
        assert_eq!(value("(a)").met, Some(false));
        assert!((value("(b)").value - 0.95).abs() < 1e-9);
        assert_eq!(value("(b)").met, Some(true));
        assert!((value("(c)").value - 1.5).abs() < 1e-9);
        assert_eq!(value("(c)").met, None);
        assert!((value("(d)").value - 0.8).abs() < 1e-9);
        assert!((value("edge health").value - 0.25).abs() < 1e-9);
        assert!(
            !ratios.iter().any(|r| r.name.contains("direct")),
            "a ratio whose figures were not measured is left out"
        );
        assert!(super::ratios(&[], 4).is_empty());
        assert_eq!(value("(a)").per_round, None, "one round has no spread");
    }

    #[test]
    fn a_ratios_spread_pairs_the_rounds_of_its_two_scenarios() {
        assert_eq!(
            spread(&[500.0, 900.0, 600.0], &[1000.0, 1000.0, 500.0]),
            Some((0.5, 1.2))
        );
        assert_eq!(spread(&[500.0], &[1000.0]), None);
    }

    #[test]
    fn the_report_shows_figures_ratios_and_the_budget() {
        let figures = vec![
            Figure {
                rounds_per_s: vec![900.0, 1100.0, 1000.0],
                ..fig("edge_health", Outcome::Ok, 1000.0)
            },
            Figure {
                rounds_per_s: vec![450.0, 880.0, 770.0],
                ..fig("accept_1_shard", Outcome::Accepted, 700.0)
            },
        ];
        let report = Report {
            machine: "2 cores".into(),
            settings: Settings {
                concurrency: 32,
                rounds: 3,
                warmup_s: 1,
                measure_s: 6,
                shards: 4,
            },
            ratios: ratios(&figures, 4),
            figures,
            storefront: Bundle {
                files: vec!["a.wasm".into(), "a.js".into()],
                raw_bytes: 400_000,
                gzip_bytes: 140_000,
            },
            console: None,
            budget_bytes: BUNDLE_BUDGET_BYTES,
            first_paint: None,
            first_paint_error: Some("no chromedriver".into()),
        };
        let md = to_markdown(&report);
        assert!(
            md.contains(
                "| edge_health | ok | 1000 | 1000 | 5.0 | 20.0 | 100 | 0 | — | workerd (Worker) 97 | \
                 the Worker's thread (97 %) |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| (a) order accepted ÷ health | 0.70 | 0.50–0.80 | ≥ 0.6 | yes |"),
            "{md}"
        );
        assert!(
            md.contains("| 400.0 KB | 140.0 KB | within 150.0 KB |"),
            "{md}"
        );
        assert!(
            md.contains("accept_1_shard: 100 accepted, drained 2.0 s"),
            "{md}"
        );
        assert!(md.contains("console | not built"), "{md}");
        assert!(md.contains("not measured (no chromedriver)"), "{md}");
    }

    #[test]
    fn first_paint_shows_each_page_and_the_ratio() {
        let series = |page, path, cache, ms: f64| first_paint::PaintSeries {
            page,
            path,
            cache,
            runs_ms: vec![ms],
            median_ms: ms,
            p90_ms: ms + 10.0,
            median_transfer_bytes: 2_000,
        };
        let paint = FirstPaint {
            series: vec![
                series("storefront", "/", "cold", 600.0),
                series("static", "/api/static-cards", "cold", 150.0),
            ],
            cards: 4,
            ratio_cold: 4.0,
            ratio_warm: 0.0,
        };
        let mut md = String::new();
        let report = Report {
            machine: String::new(),
            settings: Settings {
                concurrency: 1,
                rounds: 3,
                warmup_s: 1,
                measure_s: 1,
                shards: 1,
            },
            figures: vec![],
            ratios: paint_ratios(&paint).to_vec(),
            storefront: Bundle::default(),
            console: None,
            budget_bytes: BUNDLE_BUDGET_BYTES,
            first_paint: Some(paint),
            first_paint_error: None,
        };
        paint_markdown(&mut md, &report);
        assert!(
            md.contains("| storefront `/` | off | 600 | 610 | 2.0 KB |"),
            "{md}"
        );
        assert!(
            md.contains("| static `/api/static-cards` | off | 150 | 160 | 2.0 KB |"),
            "{md}"
        );
        assert!(
            md.contains("cache off: **4.00** (the static page shows its first card in 25 %"),
            "{md}"
        );
        assert!((report.ratios[0].value - 4.0).abs() < 1e-9);
    }

    #[test]
    fn gzip_shrinks_repetition_and_bundles_list_wasm_and_js() {
        assert!(gzip_len(&[b'a'; 10_000]) < 100);
        let dir = std::env::temp_dir().join(format!("festival-bundle-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app.js"), "x".repeat(1000)).unwrap();
        std::fs::write(dir.join("app_bg.wasm"), [0u8; 2000]).unwrap();
        std::fs::write(dir.join("style.css"), "body{}").unwrap();
        let bundle = bundle(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(bundle.files, ["app.js", "app_bg.wasm"]);
        assert_eq!(bundle.raw_bytes, 3000);
        assert!(bundle.gzip_bytes > 0 && bundle.gzip_bytes < 3000);
    }
}
