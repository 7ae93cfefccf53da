//! (g) Origin's batch ingest on each engine — SQLite, and PostgreSQL when one is at hand — as
//! orders stored per second, against a plain insert of the same rows into the same engine:
//! what storing a batch idempotently costs over storing it at all (goal ≥ 0.5).
//!
//! Both sides run origin's own code (`festival_origin::db`) on a fresh database each, in
//! batches of 100 orders as the consumer sends them, one batch at a time; their turns
//! interleave in rounds so that the box's drift falls on both.

use std::time::{Duration, Instant};

use festival_domain::{
    CustomerId, DealId, IdempotencyKey, MAX_BATCH_ORDERS, Order, OrderId, OrderStatus, PricedOrder,
    Quantity, UnixMillis,
};
use festival_origin::db::{self, testing::TestDatabase};

/// Batches per side per round, and rounds.
const BATCHES: usize = 40;
const ROUNDS: usize = 3;

/// One engine's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ingest {
    pub engine: &'static str,
    /// Orders stored per second by `db::store_orders`.
    pub stored_per_s: f64,
    /// Orders inserted per second by a plain multi-row insert.
    pub plain_per_s: f64,
}

impl Ingest {
    pub fn ratio(&self) -> f64 {
        self.stored_per_s / self.plain_per_s
    }
}

/// Measures SQLite, and PostgreSQL on the server `postgres` when given.
pub fn measure(postgres: Option<&str>) -> Result<Vec<Ingest>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut figures = vec![engine("SQLite", None).await?];
        if let Some(server) = postgres {
            figures.push(engine("PostgreSQL", Some(server)).await?);
        }
        Ok(figures)
    })
}

async fn engine(name: &'static str, server: Option<&str>) -> Result<Ingest, String> {
    let fresh = |side: &'static str| async move {
        let database = match server {
            Some(server) => TestDatabase::postgres(server, side).await,
            None => TestDatabase::sqlite(side),
        };
        let pool = db::connect(&database.url)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((database, pool))
    };
    let (_stored_db, stored) = fresh("bench_ingest").await?;
    let (_plain_db, plain) = fresh("bench_plain").await?;
    let now = UnixMillis(1);
    let (mut stored_time, mut plain_time, mut count) = (Duration::ZERO, Duration::ZERO, 0);
    for round in 0..ROUNDS {
        let batches = batches(round);
        let started = Instant::now();
        for batch in &batches {
            db::store_orders(&stored, batch, now)
                .await
                .map_err(|e| format!("{name} ingest: {e}"))?;
        }
        stored_time += started.elapsed();
        let started = Instant::now();
        for batch in &batches {
            db::testing::insert_plain(&plain, batch, now)
                .await
                .map_err(|e| format!("{name} plain insert: {e}"))?;
        }
        plain_time += started.elapsed();
        count += batches.iter().map(Vec::len).sum::<usize>();
    }
    let per_s = |time: Duration| count as f64 / time.as_secs_f64();
    Ok(Ingest {
        engine: name,
        stored_per_s: per_s(stored_time),
        plain_per_s: per_s(plain_time),
    })
}

/// Round `round`'s batches of new orders, as the consumer sends them (ids unique per round).
fn batches(round: usize) -> Vec<Vec<Order>> {
    let deal = DealId::parse("bench-ingest").expect("a valid deal id");
    (0..BATCHES)
        .map(|batch| {
            (0..MAX_BATCH_ORDERS)
                .map(|i| {
                    let n = ((round * BATCHES + batch) * MAX_BATCH_ORDERS + i) as u128;
                    order(&deal, n)
                })
                .collect()
        })
        .collect()
}

fn order(deal: &DealId, n: u128) -> Order {
    Order {
        id: OrderId::new(deal, (n % 4) as u32, n),
        status: OrderStatus::Reserved,
        priced: PricedOrder {
            deal_id: deal.clone(),
            customer_id: CustomerId::from_random(n),
            idempotency_key: IdempotencyKey::new(&format!("bench-{n:012}")).expect("a valid key"),
            quantity: Quantity::new(1).expect("at least 1"),
            unit_price_minor: 1_250,
            total_minor: 1_250,
            currency: "USD".into(),
            priced_at: UnixMillis(n as i64),
        },
    }
}
