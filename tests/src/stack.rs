//! One local Festival for tests: origin (in this process, real SQLite file) and the edge
//! (`wrangler dev`, real workerd), on free loopback ports, in a temporary folder.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use festival_domain::{Catalog, Deal, DealId, UnixMillis};
use festival_origin::{AppState, Config};
use libtest_mimic::Failed;
use serde_json::Value;
use sqlx::SqlitePool;
use tokio::sync::oneshot;
use xtask::stack::{self, EdgeSettings, Service};

/// A boxed test future, so scenarios can sit in one table in `main`.
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<(), Failed>> + Send>>;

/// The marketer token and batch secret of test stacks.
pub const MARKETER_TOKEN: &str = "e2e-marketer-token";
pub const BATCH_SECRET: &str = "e2e-batch-secret";

/// A running stack; dropping it stops wrangler and origin and removes its folder.
pub struct Stack {
    /// The edge's base URL, e.g. `http://127.0.0.1:40123`.
    pub edge: String,
    /// Origin's base URL.
    pub origin: String,
    /// Origin's database, for reading what was stored.
    pub db: SqlitePool,
    /// An HTTP client for both.
    pub http: reqwest::Client,
    dir: PathBuf,
    wrangler: Option<Service>,
    stop_origin: Option<oneshot::Sender<()>>,
}

impl Stack {
    /// Starts origin and the edge; `name` tells stacks apart in the temporary folder.
    pub async fn start(name: &str) -> Result<Stack, String> {
        let dir = std::env::temp_dir().join(format!("festival-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;

        let origin_port = stack::free_port();
        let config = Config {
            addr: ([127, 0, 0, 1], origin_port).into(),
            database_url: format!("sqlite://{}", dir.join("origin.db").display()),
            batch_secret: BATCH_SECRET.into(),
            marketer_token: MARKETER_TOKEN.into(),
            seed_demo: false,
        };
        let db = festival_origin::db::connect(&config.database_url)
            .await
            .map_err(|e| e.to_string())?;
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| e.to_string())?;
        let state = AppState {
            db: db.clone(),
            config: Arc::new(config),
        };
        let (stop_origin, stopped) = oneshot::channel::<()>();
        tokio::spawn(festival_origin::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let origin = format!("http://127.0.0.1:{origin_port}");

        let edge_port = stack::free_port();
        let settings = EdgeSettings {
            port: edge_port,
            origin_url: &origin,
            batch_secret: BATCH_SECRET,
            state_dir: &dir.join("edge"),
        };
        let log = dir.join("wrangler.log");
        let mut wrangler = stack::start_edge(&settings, Some(&log)).map_err(|e| e.to_string())?;
        let edge = format!("http://127.0.0.1:{edge_port}");
        let catalog = format!("{edge}/api/catalog");
        tokio::task::block_in_place(|| {
            stack::wait_until_ok(&mut wrangler, &catalog, Duration::from_secs(120))
        })
        .map_err(|e| {
            format!(
                "{e}; wrangler's log: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        })?;

        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(256)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Stack {
            edge,
            origin,
            db,
            http,
            dir,
            wrangler: Some(wrangler),
            stop_origin: Some(stop_origin),
        })
    }

    /// Schedules a deal through origin's admin API, opening `opens_in_ms` from now, and waits
    /// until the edge lists it.
    pub async fn schedule(
        &self,
        id: &str,
        stock: u32,
        limit: u32,
        opens_in_ms: i64,
    ) -> Result<Deal, Failed> {
        let now = festival_origin::now();
        let deal = Deal {
            id: DealId::parse(id).map_err(|e| e.to_string())?,
            name: format!("Test deal {id}"),
            description: "A deal scheduled by an end-to-end test.".into(),
            image_url: String::new(),
            price_minor: 1_250,
            was_price_minor: 2_500,
            currency: "USD".into(),
            stock,
            starts_at: now.plus_millis(opens_in_ms),
            ends_at: now.plus_millis(3_600_000),
            per_customer_limit: limit,
        };
        let response = self
            .http
            .post(format!("{}/admin/deals", self.origin))
            .bearer_auth(MARKETER_TOKEN)
            .json(&deal)
            .send()
            .await?;
        check(
            response.status() == 201,
            format!("scheduling {id}: {}", response.text().await?),
        )?;
        eventually(Duration::from_secs(30), || async {
            Ok(self
                .catalog()
                .await?
                .deals
                .iter()
                .any(|d| d.deal.id == deal.id))
        })
        .await?;
        Ok(deal)
    }

    /// Schedules a deal that opens in a moment (the schedule must start in the future) and waits
    /// until it is open by the edge's clock.
    pub async fn schedule_open(&self, id: &str, stock: u32, limit: u32) -> Result<Deal, Failed> {
        let deal = self.schedule(id, stock, limit, 2_000).await?;
        eventually(Duration::from_secs(30), || async {
            Ok(self.catalog().await?.server_time >= deal.starts_at)
        })
        .await?;
        Ok(deal)
    }

    /// The edge's catalog.
    pub async fn catalog(&self) -> Result<Catalog, Failed> {
        Ok(self
            .http
            .get(format!("{}/api/catalog", self.edge))
            .send()
            .await?
            .json()
            .await?)
    }

    /// Units left in `deal` as the edge reports them.
    pub async fn stock_left(&self, deal: &Deal) -> Result<u32, Failed> {
        let catalog = self.catalog().await?;
        let listed = catalog
            .deals
            .iter()
            .find(|d| d.deal.id == deal.id)
            .ok_or("deal not listed")?;
        Ok(listed.stock_left)
    }

    /// Posts an order body (any JSON) to the edge: status and parsed body.
    pub async fn post_order(&self, body: &Value) -> Result<(u16, Value), Failed> {
        let response = self
            .http
            .post(format!("{}/api/orders", self.edge))
            .json(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// Rows stored at origin for `deal`.
    pub async fn origin_rows(&self, deal: &Deal) -> Result<i64, Failed> {
        let count = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE deal_id = ?")
            .bind(deal.id.as_str())
            .fetch_one(&self.db)
            .await?;
        Ok(count)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(mut wrangler) = self.wrangler.take() {
            wrangler.stop();
        }
        if let Some(stop) = self.stop_origin.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A valid order body for `deal`.
pub fn order_body(deal: &Deal, quantity: i64, key: &str, customer: &str) -> Value {
    serde_json::json!({
        "deal_id": deal.id.as_str(),
        "quantity": quantity,
        "idempotency_key": key,
        "customer_id": customer,
    })
}

/// Fails with `message` unless `condition` holds.
pub fn check(condition: bool, message: impl Into<String>) -> Result<(), Failed> {
    if condition {
        Ok(())
    } else {
        Err(message.into().into())
    }
}

/// Polls `probe` every 200 ms until it answers true; fails after `limit`. Used for what is
/// asynchronous by design (the queue to origin), never as a speed check.
pub async fn eventually<F, Fut>(limit: Duration, mut probe: F) -> Result<(), Failed>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, Failed>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if probe().await? {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("condition not met within {limit:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A timestamp in the past for deals that must be ended or forged batches that must be stale.
pub fn minutes_ago(minutes: i64) -> UnixMillis {
    festival_origin::now().plus_millis(-minutes * 60_000)
}
