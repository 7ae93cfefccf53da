//! Origin's Prometheus metrics, served at `GET /metrics` (marketer token) in the text format
//! 0.0.4: what the edge's batches became, how long storing one took, and database failures.
//!
//! One registry for the process, a static: every `AppState` (the tests build several) counts into
//! it, so tests read a counter before and after and assert on the increase.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::OriginError;

/// The `Content-Type` of `/metrics`: `text/plain; version=0.0.4; charset=utf-8`.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The codes `POST /internal/orders/batch` can answer an error with: `require_edge`'s three
/// (`SignatureError::code`), then the body's, then the database's. They are shown at 0 from the
/// start, so that a rate over them exists before the first refusal.
pub const INGEST_REFUSALS: [&str; 6] = [
    "unsigned",
    "stale_signature",
    "bad_signature",
    "bad_request",
    "batch_too_large",
    "database_unavailable",
];

/// Upper bounds of `festival_ingest_seconds`' buckets: 1 ms to 5 s, roughly ×2.5 apart. A
/// healthy SQLite batch takes a few milliseconds; seconds mean a database in trouble.
const INGEST_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// `festival_orders_stored_total`'s label: `new` or `already` (stored by an earlier batch).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Stored {
    result: &'static str,
}

/// `festival_batches_refused_total`'s label: the error code origin answered with.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Refused {
    reason: &'static str,
}

struct Metrics {
    registry: Registry,
    batches_stored: Counter,
    orders_stored: Family<Stored, Counter>,
    batches_refused: Family<Refused, Counter>,
    ingest_seconds: Histogram,
    database_errors: Counter,
}

impl Metrics {
    fn new() -> Metrics {
        let metrics = Metrics {
            registry: Registry::default(),
            batches_stored: Counter::default(),
            orders_stored: Family::default(),
            batches_refused: Family::default(),
            ingest_seconds: Histogram::new(INGEST_BUCKETS),
            database_errors: Counter::default(),
        };
        // Each series exists at 0 from the start.
        for result in ["new", "already"] {
            let _ = metrics.orders_stored.get_or_create(&Stored { result });
        }
        for reason in INGEST_REFUSALS {
            let _ = metrics.batches_refused.get_or_create(&Refused { reason });
        }
        metrics.register()
    }

    /// Registers each metric under its name; the encoder adds `_total` to the counters'.
    fn register(mut self) -> Metrics {
        let registry = &mut self.registry;
        registry.register(
            "festival_batches_stored",
            "Batches from the edge stored (committed) by origin",
            self.batches_stored.clone(),
        );
        registry.register(
            "festival_orders_stored",
            "Orders in stored batches: new, or already stored by an earlier batch",
            self.orders_stored.clone(),
        );
        registry.register(
            "festival_batches_refused",
            "Batches origin answered with an error, by the error's code",
            self.batches_refused.clone(),
        );
        registry.register(
            "festival_ingest_seconds",
            "Time to handle one authenticated batch: read, check and store it",
            self.ingest_seconds.clone(),
        );
        registry.register(
            "festival_database_errors",
            "Database failures answered 503 database_unavailable, on any route",
            self.database_errors.clone(),
        );
        self
    }
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// A batch was stored: `new` orders for the first time, `already` ones again.
pub fn batch_stored(new: usize, already: usize) {
    METRICS.batches_stored.inc();
    for (result, count) in [("new", new), ("already", already)] {
        METRICS
            .orders_stored
            .get_or_create(&Stored { result })
            .inc_by(count as u64);
    }
}

/// A batch was answered with `error`, counted under its code.
pub fn batch_refused(error: &OriginError) {
    let reason = error.code();
    METRICS
        .batches_refused
        .get_or_create(&Refused { reason })
        .inc();
}

/// An authenticated batch took `elapsed` to handle, stored or not.
pub fn ingest_took(elapsed: Duration) {
    METRICS.ingest_seconds.observe(elapsed.as_secs_f64());
}

/// A database failure became a 503 `database_unavailable` answer.
pub fn database_error() {
    METRICS.database_errors.inc();
}

/// Every metric, in the Prometheus text format 0.0.4.
pub fn render() -> String {
    let mut text = String::new();
    prometheus_text::encode(&mut text, &METRICS.registry)
        .expect("writing to a String does not fail");
    text
}

#[cfg(test)]
mod tests;
