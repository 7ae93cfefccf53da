//! The benchmark's report: the scenarios' figures, the queue's drains, the objects' costs, the
//! ratios, the bundles' sizes and the first paint, as Markdown; and the sizes themselves.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use festival_stack::paths;

use super::{Bundle, Report, rounds};

/// Writes `target/bench/report.{md,json}` and prints the Markdown.
pub fn write(report: &Report) -> Result<(), String> {
    let dir = paths::target().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let markdown = to_markdown(report);
    std::fs::write(dir.join("report.md"), &markdown).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.json"), json).map_err(|e| e.to_string())?;
    println!("\n{markdown}\nreport: {}", dir.join("report.md").display());
    Ok(())
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

/// The commit the figures were measured at (`git rev-parse HEAD`), `-dirty` when the tree has
/// changes git has not committed; `unknown` outside a git checkout.
pub fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(paths::root())
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    match (git(&["rev-parse", "HEAD"]), git(&["status", "--porcelain"])) {
        (Some(head), Some(changes)) if !changes.is_empty() => format!("{head}-dirty"),
        (Some(head), _) => head,
        (None, _) => "unknown".into(),
    }
}

/// The machine the figures were measured on.
pub fn machine() -> String {
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

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// The report as Markdown: the scenarios, the ratios, the bundle sizes.
pub fn to_markdown(report: &Report) -> String {
    let mut md = figures_markdown(report);
    drains_markdown(&mut md, report);
    md.push_str(&rounds::costs_table(&report.figures));
    ratios_markdown(&mut md, report);
    bundles_markdown(&mut md, report);
    paint_markdown(&mut md, report);
    md
}

/// The settings in words, and a row per scenario.
fn figures_markdown(report: &Report) -> String {
    let s = &report.settings;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Festival benchmark\n\nCommit {}. Machine: {}. Each scenario: {} s measured at {} requests in \
         flight, over loopback, in {} interleaved rounds (every scenario in turn, each round; \
         {} s warm-up before each turn). The edge runs in workerd through wrangler's \
         `unstable_startWorker` (as `wrangler dev`, without its DevTools inspector), its state \
         in memory (`/dev/shm` where there is one); the `*_disk` rows keep the state on disk, the \
         `*_wrangler_dev` rows are `wrangler dev` itself (state on disk). Origin is the debug \
         binary on SQLite.\n",
        report.commit, report.machine, s.measure_s, s.concurrency, s.rounds, s.warmup_s
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
    md
}

/// How long the queue took to reach origin after each order scenario.
fn drains_markdown(md: &mut String, report: &Report) {
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
}

/// A row per ratio, with its spread over the rounds and its goal.
fn ratios_markdown(md: &mut String, report: &Report) {
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
}

/// (e): the bundles' sizes against the budget.
fn bundles_markdown(md: &mut String, report: &Report) {
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
}

/// (f) as a table: each page and cache mode, median and p90, and the ratios in words.
pub(super) fn paint_markdown(md: &mut String, report: &Report) {
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
