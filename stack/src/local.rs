//! Origin (the `festival-origin` binary on a SQLite file) and the edge (`wrangler dev`) on this
//! machine, started the same way by `dev`, `bench` and `rehearse`; plus scheduling deals on it.
//! Dropping a [`LocalStack`] stops both (each `Service` stops its process group).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use festival_cli::steps::Step;
use festival_domain::{Deal, DealId, UnixMillis};
use serde_json::Value;

use crate::process::{self as stack, EdgeRunner, EdgeSettings, Service, exec};
pub use crate::throwaway::{Secrets, minted};
use crate::{client, paths};

/// How to start a stack.
pub struct Options<'a> {
    pub edge_port: u16,
    pub origin_port: u16,
    /// Holds `origin.db` and the edge's state (`edge/`).
    pub state_dir: &'a Path,
    pub seed_demo: bool,
    /// Origin in development mode (`--dev`): for the published development secrets.
    pub dev_origin: bool,
    pub secrets: Secrets<'a>,
    /// `wrangler dev`, or the same without its DevTools inspector.
    pub runner: EdgeRunner,
    /// Extra edge `--var`s (rate limits).
    pub vars: &'a [(&'a str, &'a str)],
    /// A snapshot of `app/dist` to serve (see [`EdgeSettings::assets`]).
    pub assets: Option<&'a Path>,
    /// Where origin's and wrangler's output go (`origin.log`, `wrangler.log`); `None`: this
    /// terminal.
    pub log_dir: Option<&'a Path>,
}

/// A running origin and edge.
pub struct LocalStack {
    pub edge: Service,
    pub origin: Service,
    pub edge_url: String,
    pub origin_url: String,
}

/// `cargo build -p festival-origin` (debug, as `dev` runs it).
pub fn build_origin() -> Result<(), String> {
    let step = Step::new("build origin");
    exec(Command::new("cargo").args(["build", "--quiet", "-p", "festival-origin"]))?;
    step.done();
    Ok(())
}

/// Starts origin, waits for its `/health`, then the edge, and waits for its catalog.
pub fn start(options: &Options<'_>) -> Result<LocalStack, String> {
    let state = options.state_dir;
    std::fs::create_dir_all(state).map_err(|e| format!("creating {}: {e}", state.display()))?;
    let mut origin_cmd = Command::new(paths::target().join("debug/festival-origin"));
    if options.seed_demo {
        origin_cmd.arg("--seed-demo");
    }
    if options.dev_origin {
        origin_cmd.arg("--dev");
    }
    origin_cmd
        .env(
            "FESTIVAL_ORIGIN_ADDR",
            format!("127.0.0.1:{}", options.origin_port),
        )
        .env(
            "FESTIVAL_DATABASE_URL",
            format!("sqlite://{}", state.join("origin.db").display()),
        )
        .env("FESTIVAL_BATCH_SECRET", options.secrets.batch)
        .env("FESTIVAL_MARKETER_TOKEN", options.secrets.marketer);
    if let Some(dir) = options.log_dir {
        let log = std::fs::File::create(dir.join("origin.log")).map_err(|e| e.to_string())?;
        origin_cmd
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(Stdio::from(log));
    }
    let mut origin = Service::spawn("origin", origin_cmd).map_err(|e| e.to_string())?;
    let origin_url = format!("http://127.0.0.1:{}", options.origin_port);
    stack::wait_until_ok(
        &mut origin,
        &format!("{origin_url}/health"),
        Duration::from_secs(30),
    )?;

    let settings = EdgeSettings {
        runner: options.runner,
        port: options.edge_port,
        origin_url: &origin_url,
        batch_secret: options.secrets.batch,
        session_secret: options.secrets.session,
        marketer_token: options.secrets.marketer,
        vars: options.vars,
        assets: options.assets,
        state_dir: &state.join("edge"),
        config: None,
        // Origin is plain HTTP on loopback: only development mode lets the edge use it.
        development: true,
    };
    let edge_log = options.log_dir.map(|dir| dir.join("wrangler.log"));
    let mut edge = stack::start_edge(&settings, edge_log.as_deref()).map_err(|e| e.to_string())?;
    let edge_url = format!("http://127.0.0.1:{}", options.edge_port);
    stack::wait_until_ok(
        &mut edge,
        &format!("{edge_url}/api/catalog"),
        Duration::from_secs(120),
    )
    .map_err(|e| match &edge_log {
        Some(log) => format!("{e}; see {}", log.display()),
        None => e,
    })?;
    Ok(LocalStack {
        edge,
        origin,
        edge_url,
        origin_url,
    })
}

/// Where a temporary stack keeps its state (origin's SQLite file, the edge's Durable Objects
/// and queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateOn {
    /// The system's temporary folder, on disk: every Durable Object storage commit waits for an
    /// fsync, on the one thread that runs all of workerd's isolates.
    Disk,
    /// `/dev/shm` (memory; the temporary folder where there is none), where an fsync costs
    /// nothing. On Cloudflare a Durable Object's writes become durable by replication, behind
    /// its output gate, and its thread does not wait on a local disk; locally each commit
    /// stalls workerd for a disk flush (~0.6 ms on average on this box).
    Memory,
}

impl StateOn {
    fn root(self) -> PathBuf {
        let shm = Path::new("/dev/shm");
        match self {
            StateOn::Memory if shm.is_dir() => shm.to_owned(),
            _ => std::env::temp_dir(),
        }
    }
}

/// A stack for a measurement: free loopback ports, a fresh temporary folder (removed on drop,
/// after both processes stopped), logs in that folder.
pub struct TempStack {
    pub stack: LocalStack,
    /// Removed after `stack` stopped (fields drop in order).
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TempStack {
    /// Builds origin, then starts a stack named `name` with the edge `vars`, run by `runner`,
    /// its state on `state_on`.
    pub fn start(
        name: &str,
        secrets: Secrets<'_>,
        vars: &[(&str, &str)],
        runner: EdgeRunner,
        state_on: StateOn,
    ) -> Result<TempStack, String> {
        build_origin()?;
        let step = Step::new("start origin and edge (temporary)");
        let dir = state_on
            .root()
            .join(format!("festival-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let guard = TempDir(dir.clone());
        let stack = start(&Options {
            edge_port: stack::free_port(),
            origin_port: stack::free_port(),
            state_dir: &dir,
            seed_demo: false,
            // Production's rules: the measured stack holds secrets of its own.
            dev_origin: false,
            secrets,
            runner,
            vars,
            assets: Some(&dir.join("assets")),
            log_dir: Some(&dir),
        })?;
        step.done();
        println!(
            "    edge {} (wrangler pid {}), origin {} (pid {}), logs in {}",
            stack.edge_url,
            stack.edge.pid(),
            stack.origin_url,
            stack.origin.pid(),
            dir.display()
        );
        Ok(TempStack { stack, _dir: guard })
    }
}

/// Now, by this machine's clock (the edge's and origin's too, locally).
pub fn now() -> UnixMillis {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    UnixMillis(millis)
}

/// A deal for a measurement: opens `opens_in_ms` from now, for an hour, limit per customer.
pub fn deal(id: &str, stock: u32, shards: u32, limit: u32, opens_in_ms: i64) -> Deal {
    let now = now();
    Deal {
        id: DealId::parse(id).expect("a valid deal id"),
        name: format!("Rehearsal deal {id}"),
        description: "Scheduled by cargo xtask for a measurement.".into(),
        image_url: String::new(),
        price_minor: 1_100,
        was_price_minor: 2_200,
        currency: "USD".into(),
        stock,
        starts_at: now.plus_millis(opens_in_ms),
        ends_at: now.plus_millis(3_600_000),
        per_customer_limit: limit,
        shards,
        translations: Default::default(),
    }
}

impl LocalStack {
    /// Schedules `deals` at origin, then waits until the edge lists them all and its clock has
    /// passed the last start.
    pub fn schedule(&self, deals: &[Deal], marketer_token: &str) -> Result<(), String> {
        let agent = client::agent();
        for deal in deals {
            let response = agent
                .post(&format!("{}/admin/deals", self.origin_url))
                .header("authorization", &format!("Bearer {marketer_token}"))
                .send_json(deal)
                .map_err(|e| format!("scheduling {}: {e}", deal.id))?;
            if response.status() != 201 {
                let status = response.status();
                let body = response.into_body().read_to_string().unwrap_or_default();
                return Err(format!("scheduling {}: {status} {body}", deal.id));
            }
        }
        let last_start = deals.iter().map(|d| d.starts_at).max();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let catalog = self.catalog(&agent)?;
            let listed = catalog["deals"].as_array().cloned().unwrap_or_default();
            let all_listed = deals.iter().all(|deal| {
                listed
                    .iter()
                    .any(|d| d["deal"]["id"].as_str() == Some(deal.id.as_str()))
            });
            let server_time = catalog["server_time"].as_i64().unwrap_or_default();
            if all_listed && last_start.is_none_or(|start| server_time >= start.0) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err("the edge did not list and open the deals within 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The edge's catalog, without a session.
    pub fn catalog(&self, agent: &ureq::Agent) -> Result<Value, String> {
        let url = format!("{}/api/catalog", self.edge_url);
        agent
            .get(&url)
            .call()
            .map_err(|e| format!("{url}: {e}"))?
            .body_mut()
            .read_json::<Value>()
            .map_err(|e| format!("{url}: {e}"))
    }
}
