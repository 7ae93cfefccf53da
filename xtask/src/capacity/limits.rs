//! The figures the capacity model holds a load against: the platform's published limits (each
//! with the page that publishes it, so a reader can check it has not moved), origin's measured
//! ingest, and what today's deployment has of each thing that scales.

use festival_domain::batch::MAX_BATCH_ORDERS;
use festival_domain::deal::MAX_SHARDS;
use festival_domain::key_claims::CLAIM_OBJECTS;

/// Where Cloudflare publishes each limit.
pub const DURABLE_OBJECTS_LIMITS: &str =
    "https://developers.cloudflare.com/durable-objects/platform/limits/";
pub const QUEUES_LIMITS: &str = "https://developers.cloudflare.com/queues/platform/limits/";
pub const WORKERS_LIMITS: &str = "https://developers.cloudflare.com/workers/platform/limits/";

/// One Durable Object runs one request at a time; Cloudflare gives ~1,000 requests/s as an
/// object's soft limit (past it, requests queue and then fail as overloaded).
pub const OBJECT_REQUESTS_PER_S: f64 = 1_000.0;
/// Per-queue message throughput; past it, `send` throws "Too Many Requests".
pub const QUEUE_MESSAGES_PER_S: f64 = 5_000.0;
/// Largest queue message (1 KB = 1,000 bytes, ~100 of them the platform's metadata).
pub const QUEUE_MESSAGE_BYTES: u32 = 128_000;
/// Most messages a consumer invocation receives.
pub const CONSUMER_BATCH: u32 = 100;
/// Most consumer invocations of one queue running at once (push consumers).
pub const CONSUMER_CONCURRENCY: u32 = 250;

/// Origin's ingest, orders stored per second by `db::store_orders` in batches of 100:
/// BENCHMARKS.md (g), `cargo xtask bench --only ingest` on the shared 2-core box (PostgreSQL
/// with fsync off, so statements, not the disk). A measured figure, not a published one: a
/// production database on its own machine would take more, and should be measured there.
pub const INGEST_SQLITE_ORDERS_PER_S: f64 = 12_075.0;
pub const INGEST_POSTGRES_ORDERS_PER_S: f64 = 34_907.0;

/// Origin's database, whose measured ingest bounds the rows origin stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn parse(name: &str) -> Result<Engine, String> {
        match name {
            "sqlite" => Ok(Engine::Sqlite),
            "postgres" | "postgresql" => Ok(Engine::Postgres),
            other => Err(format!(
                "--engine: {other:?} is neither sqlite nor postgres"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }

    pub fn ingest_orders_per_s(self) -> f64 {
        match self {
            Engine::Sqlite => INGEST_SQLITE_ORDERS_PER_S,
            Engine::Postgres => INGEST_POSTGRES_ORDERS_PER_S,
        }
    }
}

/// The limits a plan is held against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub object_requests_per_s: f64,
    pub queue_messages_per_s: f64,
    /// Most orders one queue message carries: the edge's cap (`MAX_BATCH_ORDERS`, which keeps a
    /// message under 120 KB, inside the 128 KB limit).
    pub orders_per_message: u32,
    pub consumer_batch: u32,
    pub consumer_concurrency: u32,
    /// Most orders one origin transaction stores (a consumer's batch).
    pub orders_per_transaction: u32,
    pub engine: Engine,
    pub origin_orders_per_s: f64,
}

impl Limits {
    pub fn published(engine: Engine) -> Limits {
        Limits {
            object_requests_per_s: OBJECT_REQUESTS_PER_S,
            queue_messages_per_s: QUEUE_MESSAGES_PER_S,
            orders_per_message: MAX_BATCH_ORDERS as u32,
            consumer_batch: CONSUMER_BATCH,
            consumer_concurrency: CONSUMER_CONCURRENCY,
            orders_per_transaction: MAX_BATCH_ORDERS as u32,
            engine,
            origin_orders_per_s: engine.ingest_orders_per_s(),
        }
    }
}

/// What today's code and `wrangler.toml` deploy of each thing that scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployment {
    /// Most shards a deal may have (`festival_domain::deal::MAX_SHARDS`).
    pub max_shards_per_deal: u32,
    /// `KeyClaims` objects, customers hashed over them (`CLAIM_OBJECTS`).
    pub claim_objects: u32,
    /// Order queues: `wrangler.toml` binds one (`festival-orders`) per environment.
    pub queues: u32,
}

impl Deployment {
    pub fn today() -> Deployment {
        Deployment {
            max_shards_per_deal: MAX_SHARDS,
            claim_objects: CLAIM_OBJECTS,
            queues: 1,
        }
    }
}
