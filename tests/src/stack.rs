//! One local Festival for tests: origin (in this process, real SQLite file) and the edge
//! (`wrangler dev`, real workerd), on free loopback ports, in a temporary folder.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use festival_domain::{Deal, UnixMillis};
use festival_origin::db::testing::TestDatabase;
use festival_origin::{AppState, Config};
use festival_stack::process::{self as stack, EdgeRunner, EdgeSettings, Service};
use festival_stack::throwaway;
use libtest_mimic::Failed;
use serde_json::Value;
use sqlx::AnyPool;
use tokio::sync::oneshot;

mod schedule;
pub use schedule::{BOARD_SETTLES_WITHIN, test_deal};
mod shop;

/// A boxed test future, so scenarios can sit in one table in `main`.
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<(), Failed>> + Send>>;

/// The secrets of test stacks, and rate limits high enough that bursts from one test client
/// are limited only by stock (see `festival_stack::throwaway`): the buckets alone, since every stack
/// decides `SHARED_LIMITS` itself, off unless its vars set it (see [`Stack::start`]).
pub use festival_stack::throwaway::{
    BATCH_SECRET, MARKETER_TOKEN, SESSION_SECRET, UNLIMITED_RATES as UNLIMITED,
};

/// A shopper as the edge knows one: a signed session and the sale token the catalog gave it.
#[derive(Debug, Clone)]
pub struct Shopper {
    /// The session token (sent as `x-festival-session`).
    pub session: String,
    /// The customer the session names.
    pub customer: String,
    /// The sale token from the catalog.
    pub sale_token: String,
}

impl Shopper {
    /// A shopper signed here with the stack's secret, exactly as the edge signs one. Bursts of
    /// hundreds of distinct shoppers use these instead of two requests each.
    pub fn minted(customer: &str) -> Shopper {
        Shopper::minted_until(customer, festival_origin::now().plus_millis(600_000))
    }

    /// A minted shopper whose session and sale token expire at `expires`.
    pub fn minted_until(customer: &str, expires: UnixMillis) -> Shopper {
        let (session, sale_token) = throwaway::minted_until(SESSION_SECRET, customer, expires);
        Shopper {
            session,
            customer: customer.to_owned(),
            sale_token,
        }
    }
}

/// A running stack; dropping it stops wrangler and origin and removes its folder.
pub struct Stack {
    /// The edge's base URL, e.g. `http://127.0.0.1:40123`.
    pub edge: String,
    /// Origin's base URL.
    pub origin: String,
    /// Origin's database, for reading what was stored.
    pub db: AnyPool,
    /// An HTTP client for both.
    pub http: reqwest::Client,
    dir: PathBuf,
    wrangler: Mutex<Option<Service>>,
    /// What starting the edge again on the same port and state takes.
    edge_vars: Vec<(String, String)>,
    edge_config: Option<PathBuf>,
    edge_port: u16,
    origin_state: AppState,
    stop_origin: Mutex<Option<oneshot::Sender<()>>>,
    /// Origin's database (SQLite, or PostgreSQL when `FESTIVAL_TEST_DATABASE_URL` names a
    /// server), removed with the stack.
    _database: TestDatabase,
}

impl Stack {
    /// Starts origin and the edge with extra edge `vars`; `name` tells stacks apart in the
    /// temporary folder. Every request of a test comes from 127.0.0.1, so the edge skips its
    /// Rate Limiting bindings (`SHARED_LIMITS=off`, honoured in development mode only) unless
    /// `vars` sets `SHARED_LIMITS` (`"on"`: the bindings count, as deployed).
    pub async fn start(name: &str, vars: &[(&str, &str)]) -> Result<Stack, String> {
        Self::start_with(name, vars, None).await
    }

    /// As [`Stack::start`], the order queue giving a message up to the dead-letter queue after
    /// `retries` retries.
    pub async fn start_giving_up_after(name: &str, retries: u32) -> Result<Stack, String> {
        Self::start_with(name, UNLIMITED, Some(retries)).await
    }

    async fn start_with(
        name: &str,
        vars: &[(&str, &str)],
        queue_retries: Option<u32>,
    ) -> Result<Stack, String> {
        let mut vars = vars.to_vec();
        if !vars.iter().any(|(name, _)| *name == "SHARED_LIMITS") {
            vars.push(("SHARED_LIMITS", "off"));
        }
        let vars = vars.as_slice();
        let dir = std::env::temp_dir().join(format!("festival-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let config = queue_retries
            .map(|retries| stack::edge_config_giving_up_after(&dir, retries))
            .transpose()
            .map_err(|e| e.to_string())?;

        let (database, origin_state, stop_origin) = start_origin(name).await?;
        let db = origin_state.db.clone();
        let origin = format!("http://{}", origin_state.config.addr);

        let edge_port = stack::free_port();
        let wrangler = start_edge(&dir, edge_port, &origin, vars, config.as_deref())?;
        let edge = format!("http://127.0.0.1:{edge_port}");

        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(256)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Stack {
            edge,
            origin,
            db,
            http,
            dir,
            wrangler: Mutex::new(Some(wrangler)),
            edge_vars: vars
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            edge_config: config,
            edge_port,
            origin_state,
            stop_origin: Mutex::new(Some(stop_origin)),
            _database: database,
        })
    }

    /// The structured events (JSON lines with an `event` field, see `edge/src/events.rs`) the
    /// edge has logged so far, of kind `event`.
    pub fn edge_events(&self, event: &str) -> Vec<Value> {
        ["wrangler.log", "wrangler-restarted.log"]
            .iter()
            .filter_map(|name| std::fs::read_to_string(self.dir.join(name)).ok())
            .flat_map(|log| {
                log.lines()
                    .filter_map(|line| line.find('{').map(|at| line[at..].to_owned()))
                    .filter_map(|json| serde_json::from_str::<Value>(&json).ok())
                    .collect::<Vec<_>>()
            })
            .filter(|value| value["event"] == event)
            .collect()
    }

    /// Kills the edge — wrangler and workerd — with SIGKILL, as a machine failure would.
    pub fn kill_edge(&self) {
        if let Some(mut wrangler) = self.wrangler.lock().expect("not poisoned").take() {
            wrangler.kill();
        }
    }

    /// Starts the edge again on the same port, configuration and state folder.
    pub async fn restart_edge(&self) -> Result<(), Failed> {
        let vars: Vec<(&str, &str)> = self
            .edge_vars
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let settings = EdgeSettings {
            runner: EdgeRunner::WranglerDev,
            port: self.edge_port,
            origin_url: &self.origin,
            batch_secret: BATCH_SECRET,
            session_secret: SESSION_SECRET,
            marketer_token: MARKETER_TOKEN,
            vars: &vars,
            assets: Some(&self.dir.join("assets")),
            state_dir: &self.dir.join("edge"),
            config: self.edge_config.as_deref(),
            development: true,
        };
        let log = self.dir.join("wrangler-restarted.log");
        let mut wrangler = stack::start_edge(&settings, Some(&log))?;
        let catalog = format!("{}/api/catalog", self.edge);
        tokio::task::block_in_place(|| {
            stack::wait_until_ok(&mut wrangler, &catalog, Duration::from_secs(120))
        })?;
        *self.wrangler.lock().expect("not poisoned") = Some(wrangler);
        Ok(())
    }

    /// Stops origin (in-flight requests finish; new connections are refused).
    pub fn stop_origin(&self) {
        if let Some(stop) = self.stop_origin.lock().expect("not poisoned").take() {
            let _ = stop.send(());
        }
    }

    /// Starts origin again on the same address and database.
    pub async fn restart_origin(&self) -> Result<(), Failed> {
        let stop = serve_origin(&self.origin_state).await?;
        *self.stop_origin.lock().expect("not poisoned") = Some(stop);
        Ok(())
    }

    /// Stops origin and starts it again verifying batches with `batch_secret` instead of the
    /// edge's: a misconfigured origin, which refuses every batch (401 `bad_signature`).
    pub async fn restart_origin_with_batch_secret(&self, batch_secret: &str) -> Result<(), Failed> {
        self.stop_origin();
        let mut config = Config::clone(&self.origin_state.config);
        config.batch_secret = batch_secret.into();
        let misconfigured = AppState {
            db: self.db.clone(),
            config: Arc::new(config),
        };
        let stop = serve_origin(&misconfigured).await?;
        *self.stop_origin.lock().expect("not poisoned") = Some(stop);
        Ok(())
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(mut wrangler) = self.wrangler.lock().expect("not poisoned").take() {
            wrangler.stop();
        }
        self.stop_origin();
        // FESTIVAL_KEEP_E2E=1 keeps the folder (wrangler.log, origin.db) for a post-mortem.
        if std::env::var_os("FESTIVAL_KEEP_E2E").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Origin for a test stack on a fresh database `name` and a free port: the database (removed
/// when dropped), origin's state, and what stops it.
async fn start_origin(name: &str) -> Result<(TestDatabase, AppState, oneshot::Sender<()>), String> {
    let database = TestDatabase::fresh(name).await;
    let origin_port = stack::free_port();
    // Read as the `festival-origin` binary reads its own, with the same refusals. Origin's
    // default freeze: the console test shows its refusal. A test that edits a sale
    // minutes before its start would need a stack with a shorter one.
    let args = [
        "--addr".to_owned(),
        format!("127.0.0.1:{origin_port}"),
        "--database-url".to_owned(),
        database.url.clone(),
    ];
    let origin_config = Config::from_args_and_env(args, |name| match name {
        "FESTIVAL_BATCH_SECRET" => Some(BATCH_SECRET.into()),
        "FESTIVAL_MARKETER_TOKEN" => Some(MARKETER_TOKEN.into()),
        _ => None,
    })?;
    let db = festival_origin::db::connect(&origin_config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let origin_state = AppState {
        db: db.clone(),
        config: Arc::new(origin_config),
    };
    let stop_origin = serve_origin(&origin_state).await?;
    Ok((database, origin_state, stop_origin))
}

/// The edge under `wrangler dev` on `port`, its files under `dir`, sending to `origin`; once
/// its catalog answers.
fn start_edge(
    dir: &Path,
    port: u16,
    origin: &str,
    vars: &[(&str, &str)],
    config: Option<&Path>,
) -> Result<Service, String> {
    let settings = EdgeSettings {
        runner: EdgeRunner::WranglerDev,
        port,
        origin_url: origin,
        batch_secret: BATCH_SECRET,
        session_secret: SESSION_SECRET,
        marketer_token: MARKETER_TOKEN,
        vars,
        assets: Some(&dir.join("assets")),
        state_dir: &dir.join("edge"),
        config,
        development: true,
    };
    let log = dir.join("wrangler.log");
    let mut wrangler = stack::start_edge(&settings, Some(&log)).map_err(|e| e.to_string())?;
    let catalog = format!("http://127.0.0.1:{port}/api/catalog");
    tokio::task::block_in_place(|| {
        stack::wait_until_ok(&mut wrangler, &catalog, Duration::from_secs(120))
    })
    .map_err(|e| {
        format!(
            "{e}; wrangler's log: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        )
    })?;
    Ok(wrangler)
}

/// Serves origin on its configured address until the returned sender fires. An origin stopped
/// a moment ago may still hold the address: binding is tried for up to 5 s.
async fn serve_origin(state: &AppState) -> Result<oneshot::Sender<()>, String> {
    let mut tries = 0;
    let listener = loop {
        match tokio::net::TcpListener::bind(state.config.addr).await {
            Ok(listener) => break listener,
            Err(error) if tries == 50 => return Err(format!("binding origin: {error}")),
            Err(_) => tries += 1,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(festival_origin::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    Ok(stop)
}

/// A valid order body for `deal` from `shopper`.
pub fn order_body(deal: &Deal, quantity: i64, key: &str, shopper: &Shopper) -> Value {
    serde_json::json!({
        "deal_id": deal.id.as_str(),
        "quantity": quantity,
        "idempotency_key": key,
        "sale_token": shopper.sale_token,
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
