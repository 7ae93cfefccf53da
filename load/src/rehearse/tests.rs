//! The rehearsal's settings and report, without a stack.

use std::time::Duration;

use super::report::build_report;
use super::*;
use crate::generator::{self as load, Outcome, Sample};

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
