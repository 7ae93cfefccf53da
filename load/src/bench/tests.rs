//! The benchmark's ratios and report, from figures made up here.

use super::ratios::{paint_ratios, spread};
use super::report::paint_markdown;
use super::*;
use crate::dev_proxy;
use crate::generator::Outcome;

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
        commit: "0123abc".into(),
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
    assert!(md.contains("Commit 0123abc. Machine: 2 cores."), "{md}");
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
        commit: String::new(),
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

#[test]
fn a_missed_goal_is_a_problem_found_and_no_goal_is_none() {
    let ratio = |name, met| Ratio {
        name,
        value: 0.5,
        per_round: None,
        goal: "≥ 0.6".to_owned(),
        met,
    };
    assert_eq!(verdict(&[]), Ok(()));
    assert_eq!(
        verdict(&[ratio("(a)", Some(true)), ratio("(d)", None)]),
        Ok(()),
        "goals met, and ratios without a goal, end the run well"
    );
    let missed = verdict(&[ratio("(a)", Some(true)), ratio("(b)", Some(false))]).unwrap_err();
    assert_eq!(missed.exit_code(), std::process::ExitCode::from(1));
    assert_eq!(missed.to_string(), "goals missed: (b) 0.50 (goal ≥ 0.6)");
}
