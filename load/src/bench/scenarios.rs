//! What the benchmark measures, as data: the three stacks it starts, the deals on them, and one
//! row per scenario — which stack, which address, what each request is and which answer it is
//! about. [`scenarios`] turns the rows into the work `rounds.rs` runs.

use festival_domain::token::SESSION_HEADER;
use festival_domain::{Deal, IdempotencyKey};
use festival_stack::local::{self as local_stack, LocalStack, StateOn, TempStack};
use festival_stack::process::EdgeRunner;
use festival_stack::throwaway::{MARKETER_TOKEN, SESSION_SECRET, UNLIMITED, secrets};

use super::rounds::Scenario;
use crate::dev_proxy;
use crate::generator::{self as load, Outcome, Sample};

/// The stacks a benchmark runs on. The edge as benchmarked: no DevTools inspector, state in
/// memory (`StateOn::Memory` says why). For comparison, one variable at a time: the same with
/// its state on disk, and `wrangler dev` itself as `cargo xtask dev` runs it. All stay up so
/// that their scenarios interleave; an idle stack costs next to nothing.
pub struct Stacks {
    pub memory: TempStack,
    pub disk: TempStack,
    pub wrangler_dev: TempStack,
    /// The main stack's Worker on its own workerd socket, past wrangler's dev proxy, when found.
    pub direct: Option<String>,
    pub deals: Deals,
}

/// The deals the scenarios order.
pub struct Deals {
    /// A million units on one shard.
    pub hot_1: Deal,
    /// A million units on `--shards` shards.
    pub hot_n: Deal,
    /// One unit, sold before the scenarios start.
    pub gone: Deal,
}

/// Which stack a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Memory,
    Disk,
    WranglerDev,
    /// The memory stack's Worker, bypassing the dev proxy.
    Direct,
}

/// Where a scenario's requests go.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// Origin's own `/health`, native.
    OriginHealth,
    Health,
    Catalog,
    Orders,
}

/// What each request is.
#[derive(Debug, Clone, Copy)]
enum Request {
    Get,
    /// One order by a new session, for this deal.
    Order(fn(&Deals) -> &Deal),
}

/// One scenario, as data.
struct Row {
    name: &'static str,
    what: &'static str,
    on: On,
    path: Path,
    request: Request,
    expected: Outcome,
    /// Whether the objects count what its answers cost.
    counts: bool,
}

const fn get(name: &'static str, what: &'static str, on: On, path: Path) -> Row {
    Row {
        name,
        what,
        on,
        path,
        request: Request::Get,
        expected: Outcome::Ok,
        counts: false,
    }
}

const fn order(
    name: &'static str,
    what: &'static str,
    on: On,
    path: Path,
    deal: fn(&Deals) -> &Deal,
    expected: Outcome,
) -> Row {
    Row {
        name,
        what,
        on,
        path,
        request: Request::Order(deal),
        expected,
        counts: true,
    }
}

fn gone(deals: &Deals) -> &Deal {
    &deals.gone
}

fn hot_1(deals: &Deals) -> &Deal {
    &deals.hot_1
}

fn hot_n(deals: &Deals) -> &Deal {
    &deals.hot_n
}

/// Every scenario, in the order each round runs them.
const ROWS: &[Row] = &[
    get(
        "origin_health",
        "GET origin /health, native (no wrangler)",
        On::Memory,
        Path::OriginHealth,
    ),
    get(
        "edge_health",
        "GET /api/health (the Worker's trivial route)",
        On::Memory,
        Path::Health,
    ),
    order(
        "post_floor",
        "POST /api/health with an order's headers and body: the router's 405, body unread",
        On::Memory,
        Path::Health,
        gone,
        Outcome::Other4xx,
    ),
    Row {
        counts: true,
        ..get(
            "catalog",
            "GET /api/catalog (public, from the isolate's board)",
            On::Memory,
            Path::Catalog,
        )
    },
    order(
        "sold_out",
        "POST /api/orders on a sold-out deal, distinct sessions",
        On::Memory,
        Path::Orders,
        gone,
        Outcome::SoldOut,
    ),
    order(
        "accept_1_shard",
        "POST /api/orders, all accepted: stock 10^6 on 1 shard, distinct sessions",
        On::Memory,
        Path::Orders,
        hot_1,
        Outcome::Accepted,
    ),
    order(
        "accept_n_shards",
        "POST /api/orders, all accepted: stock 10^6 on N shards, distinct sessions",
        On::Memory,
        Path::Orders,
        hot_n,
        Outcome::Accepted,
    ),
    get(
        "edge_health_direct",
        "GET /api/health on the Worker's own workerd, bypassing the dev proxy",
        On::Direct,
        Path::Health,
    ),
    order(
        "post_floor_direct",
        "as post_floor, on the Worker's own workerd, bypassing the dev proxy",
        On::Direct,
        Path::Health,
        gone,
        Outcome::Other4xx,
    ),
    order(
        "sold_out_direct",
        "as sold_out, on the Worker's own workerd, bypassing the dev proxy",
        On::Direct,
        Path::Orders,
        gone,
        Outcome::SoldOut,
    ),
    order(
        "accept_1_shard_direct",
        "as accept_1_shard, on the Worker's own workerd, bypassing the dev proxy",
        On::Direct,
        Path::Orders,
        hot_1,
        Outcome::Accepted,
    ),
    get(
        "edge_health_disk",
        "GET /api/health, the edge's state on disk",
        On::Disk,
        Path::Health,
    ),
    order(
        "accept_1_shard_disk",
        "as accept_1_shard, the edge's state on disk",
        On::Disk,
        Path::Orders,
        hot_1,
        Outcome::Accepted,
    ),
    get(
        "edge_health_wrangler_dev",
        "GET /api/health under `wrangler dev` (DevTools inspector attached)",
        On::WranglerDev,
        Path::Health,
    ),
    order(
        "accept_1_shard_wrangler_dev",
        "as accept_1_shard, under `wrangler dev` (DevTools inspector attached)",
        On::WranglerDev,
        Path::Orders,
        hot_1,
        Outcome::Accepted,
    ),
];

impl Stacks {
    /// Starts the three stacks, schedules the deals (the hot deal on every stack) and sells
    /// the one unit of the sold-out deal.
    pub fn start(shards: u32) -> Result<Stacks, String> {
        let start =
            |name, runner, state| TempStack::start(name, secrets(), UNLIMITED, runner, state);
        let memory = start("bench", EdgeRunner::NoInspector, StateOn::Memory)?;
        let disk = start("bench-disk", EdgeRunner::NoInspector, StateOn::Disk)?;
        let wrangler_dev = start("bench-wrangler-dev", EdgeRunner::WranglerDev, StateOn::Disk)?;
        let deals = Deals {
            hot_1: local_stack::deal("bench-hot-1", 1_000_000, 1, 1, 3_000),
            hot_n: local_stack::deal("bench-hot-n", 1_000_000, shards, 1, 3_000),
            gone: local_stack::deal("bench-sold-out", 1, 1, 1, 3_000),
        };
        let all = [deals.hot_1.clone(), deals.hot_n.clone(), deals.gone.clone()];
        memory.stack.schedule(&all, MARKETER_TOKEN)?;
        // The same hot deal, opening a moment from now (a schedule must start in the future).
        for other in [&disk.stack, &wrangler_dev.stack] {
            let hot_1 = local_stack::deal(deals.hot_1.id.as_str(), 1_000_000, 1, 1, 3_000);
            other.schedule(&[hot_1], MARKETER_TOKEN)?;
        }
        let edge = memory.stack.edge_url.as_str();
        let mut sell = Vec::new();
        let orders = format!("{edge}/api/orders");
        order_once(
            &load::agent(),
            &orders,
            deals.gone.id.as_str(),
            "bench-first-buyer",
            &mut sell,
        );
        if sell.first().map(|s| s.outcome) != Some(Outcome::Accepted) {
            return Err(format!("selling out bench-sold-out: {sell:?}"));
        }
        let direct = dev_proxy::find_worker_runtime(memory.stack.edge.pid(), public_port(edge));
        if direct.is_none() {
            println!("    (the Worker's own workerd socket was not found; no direct figures)");
        }
        Ok(Stacks {
            memory,
            disk,
            wrangler_dev,
            direct,
            deals,
        })
    }

    /// Each stack's two workerds by role, so that CPU figures tell the proxy from the Worker.
    pub fn runtimes(&self) -> Vec<(u32, &'static str)> {
        [&self.memory, &self.disk, &self.wrangler_dev]
            .iter()
            .flat_map(|t| dev_proxy::runtimes(t.stack.edge.pid(), public_port(&t.stack.edge_url)))
            .collect()
    }

    /// The stack a row runs on, and the edge's address there (`None`: not found).
    fn on(&self, on: On) -> (&LocalStack, Option<&str>) {
        match on {
            On::Memory => (
                &self.memory.stack,
                Some(self.memory.stack.edge_url.as_str()),
            ),
            On::Disk => (&self.disk.stack, Some(self.disk.stack.edge_url.as_str())),
            On::WranglerDev => (
                &self.wrangler_dev.stack,
                Some(self.wrangler_dev.stack.edge_url.as_str()),
            ),
            On::Direct => (&self.memory.stack, self.direct.as_deref()),
        }
    }
}

/// The scenarios to run: every row whose stack was found, or only those named in `only`
/// (an unknown name is refused, naming the others).
pub fn scenarios<'a>(
    stacks: &'a Stacks,
    only: Option<&[String]>,
) -> Result<Vec<Scenario<'a>>, String> {
    let all: Vec<Scenario<'a>> = ROWS
        .iter()
        .filter_map(|row| scenario(stacks, row))
        .collect();
    let Some(only) = only else {
        return Ok(all);
    };
    let known: Vec<&str> = all.iter().map(|s| s.name).collect();
    if let Some(unknown) = only.iter().find(|name| !known.contains(&name.as_str())) {
        return Err(format!(
            "--only: no scenario named {unknown} (there are {})",
            known.join(", ")
        ));
    }
    Ok(all
        .into_iter()
        .filter(|s| only.iter().any(|name| name == s.name))
        .collect())
}

/// One row's work on its stack; `None` when its stack's address was not found.
fn scenario<'a>(stacks: &'a Stacks, row: &Row) -> Option<Scenario<'a>> {
    let (stack, edge) = stacks.on(row.on);
    let url = match row.path {
        Path::OriginHealth => format!("{}/health", stack.origin_url),
        Path::Health => format!("{}/api/health", edge?),
        Path::Catalog => format!("{}/api/catalog", edge?),
        Path::Orders => format!("{}/api/orders", edge?),
    };
    let name = row.name;
    let work: super::rounds::Work<'a> = match row.request {
        Request::Get => Box::new(move |a: &ureq::Agent, _, s: &mut Vec<Sample>| {
            s.push(load::send(a, &url, &[], None).0)
        }),
        Request::Order(deal) => {
            let deal = deal(&stacks.deals).id.as_str().to_owned();
            Box::new(move |a: &ureq::Agent, job, s: &mut Vec<Sample>| {
                order_once(a, &url, &deal, &format!("{name}-{job}"), s)
            })
        }
    };
    Some(Scenario {
        name,
        what: row.what,
        expected: row.expected,
        groups: [stack.edge.pid(), stack.origin.pid()],
        work,
        drains: (row.expected == Outcome::Accepted).then_some(stack),
        counts: row.counts.then_some(stack),
    })
}

/// One order for `deal` by the minted customer `customer`.
fn order_once(
    agent: &ureq::Agent,
    url: &str,
    deal: &str,
    customer: &str,
    samples: &mut Vec<Sample>,
) {
    let (session, sale_token) = local_stack::minted(SESSION_SECRET, customer);
    let body = serde_json::json!({
        "deal_id": deal,
        "quantity": 1,
        "idempotency_key": IdempotencyKey::naming(deal, &format!("key-{customer}")),
        "sale_token": sale_token,
    })
    .to_string();
    let (sample, _) = load::send(agent, url, &[(SESSION_HEADER, &session)], Some(&body));
    samples.push(sample);
}

/// The port of a `http://host:port` URL (0 when it has none).
fn public_port(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}
