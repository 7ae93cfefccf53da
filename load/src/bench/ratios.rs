//! The ratios the benchmark reports, as data: each divides one scenario's good answers a second
//! by another's, so the machine cancels out, and some have a goal.

use super::ingest::Ingest;
use super::{Figure, FirstPaint, Ratio};
use crate::generator as load;

/// What a ratio is held to.
#[derive(Debug, Clone, Copy)]
enum Goal {
    /// Reported, not judged.
    None,
    /// Met at this value or above.
    AtLeast(f64),
    /// Close to the hot deal's shard count: reported, not judged.
    Linear,
}

/// One ratio, as data: `numerator ÷ denominator`, two scenarios' names.
struct Row {
    name: &'static str,
    numerator: &'static str,
    denominator: &'static str,
    goal: Goal,
}

const fn row(
    name: &'static str,
    numerator: &'static str,
    denominator: &'static str,
    goal: Goal,
) -> Row {
    Row {
        name,
        numerator,
        denominator,
        goal,
    }
}

/// Every ratio of two scenarios, in the report's order.
const ROWS: &[Row] = &[
    row(
        "(a) order accepted ÷ health",
        "accept_1_shard",
        "edge_health",
        Goal::AtLeast(0.6),
    ),
    row(
        "(b) sold out (memory) ÷ health",
        "sold_out",
        "edge_health",
        Goal::AtLeast(0.9),
    ),
    row(
        "the least POST ÷ health: what a POST of an order's size costs the platform",
        "post_floor",
        "edge_health",
        Goal::None,
    ),
    row(
        "(b) sold out ÷ the least POST: what the sold-out path adds to it",
        "sold_out",
        "post_floor",
        Goal::None,
    ),
    row(
        "(c) hot deal N shards ÷ 1 shard",
        "accept_n_shards",
        "accept_1_shard",
        Goal::Linear,
    ),
    row("(d) catalog ÷ health", "catalog", "edge_health", Goal::None),
    row(
        "edge health ÷ origin /health (native)",
        "edge_health",
        "origin_health",
        Goal::None,
    ),
    row(
        "edge health via dev proxy ÷ direct",
        "edge_health",
        "edge_health_direct",
        Goal::None,
    ),
    row(
        "(a) without the dev proxy: accepted ÷ health, both direct",
        "accept_1_shard_direct",
        "edge_health_direct",
        Goal::AtLeast(0.6),
    ),
    row(
        "(b) without the dev proxy: sold out ÷ health, both direct",
        "sold_out_direct",
        "edge_health_direct",
        Goal::AtLeast(0.9),
    ),
    row(
        "the least POST ÷ health, both direct",
        "post_floor_direct",
        "edge_health_direct",
        Goal::None,
    ),
    row(
        "(b) sold out ÷ the least POST, both direct",
        "sold_out_direct",
        "post_floor_direct",
        Goal::None,
    ),
    row(
        "(a) with Durable Object state on disk (an fsync per commit on workerd's thread)",
        "accept_1_shard_disk",
        "edge_health_disk",
        Goal::None,
    ),
    row(
        "(a) under `wrangler dev`: DevTools inspector tracking subrequests, state on disk",
        "accept_1_shard_wrangler_dev",
        "edge_health_wrangler_dev",
        Goal::None,
    ),
];

fn figure<'a>(figures: &'a [Figure], name: &str) -> Option<&'a Figure> {
    figures.iter().find(|f| f.name == name)
}

/// The ratios from the figures; a ratio whose figures were not measured (`--only`) is left out.
pub fn ratios(figures: &[Figure], shards: u32) -> Vec<Ratio> {
    ROWS.iter()
        .filter_map(|row| {
            let numerator = figure(figures, row.numerator)?;
            let denominator = figure(figures, row.denominator)?;
            let value = load::ratio(numerator.good_per_s, denominator.good_per_s);
            let (goal, met) = match row.goal {
                Goal::None => ("—".to_owned(), None),
                Goal::AtLeast(g) => (format!("≥ {g}"), Some(value >= g)),
                Goal::Linear => (format!("close to {shards} (linear)"), None),
            };
            Some(Ratio {
                name: row.name,
                value,
                per_round: spread(&numerator.rounds_per_s, &denominator.rounds_per_s),
                goal,
                met,
            })
        })
        .collect()
}

/// The lowest and highest of `numerators[r] ÷ denominators[r]` over the rounds `r`.
pub fn spread(numerators: &[f64], denominators: &[f64]) -> Option<(f64, f64)> {
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

/// (g): origin's ingest of a batch ÷ a plain insert of the same rows, on one engine.
pub fn ingest_ratio(figures: &Ingest) -> Ratio {
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

/// The first-paint ratios for the ratio table.
pub fn paint_ratios(paint: &FirstPaint) -> [Ratio; 2] {
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
