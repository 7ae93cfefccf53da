//! The catalog never waits on origin (issue 13): with origin hung (it accepts connections and
//! never answers) and then down (it refuses them), shoppers' catalog and orders are answered at
//! once, never with a 5xx; and a schedule change at origin reaches the catalog within seconds
//! through `CatalogStore`'s alarm, with no shopper request to fetch it: nobody asks for a while
//! before and after the change, then origin hangs again before anyone does, so only a refresh
//! that came by itself while nobody asked can show the change.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use festival_domain::{Catalog, Deal};
use libtest_mimic::Failed;
use reqwest::StatusCode;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::stack::{MARKETER_TOKEN, Shopper, Stack, UNLIMITED, check, order_body, test_deal};

/// How soon every shopper request must be answered while origin is hung or down. An edge that
/// waited on origin would hang with it (locally these answers take milliseconds).
const ANSWER_WITHIN: Duration = Duration::from_secs(3);
/// How long shoppers keep asking in each outage: longer than `CatalogStore`'s two-second
/// refresh period and the isolate's one second, so any request that would fetch from origin
/// comes up.
const SHOPPING_FOR: Duration = Duration::from_secs(6);
/// The later sale opens an hour from now: outside origin's edit freeze.
const HOUR: i64 = 3_600_000;
/// How long nobody asks before the change at origin: longer than `CatalogStore`'s refresh period.
const SETTLE: Duration = Duration::from_secs(4);
/// How long nobody asks after the change at origin: the alarm (every 2 s) must fetch it within.
const QUIET: Duration = Duration::from_secs(6);

pub async fn catalog_never_waits_on_origin() -> Result<(), Failed> {
    let stack = Stack::start("catalog", UNLIMITED).await?;
    let open = stack.schedule_open("e2e-catalog-open", 1_000, 1).await?;
    let later = stack
        .schedule_deal(test_deal("e2e-catalog-later", 10, 1, 0, HOUR, 2 * HOUR)?)
        .await?;
    let origin_addr: SocketAddr = stack.origin.trim_start_matches("http://").parse()?;

    stack.stop_origin();
    let hung = HungOrigin::listen(origin_addr).await?;
    let served_hung = shop(&stack, &open, "hung").await?;
    hung.stop().await;
    let served_down = shop(&stack, &open, "down").await?;
    println!("answered with origin hung: {served_hung}; down: {served_down}");

    stack.restart_origin().await?;
    // Nobody asks from here on. A refresh that a request set off (now or a moment later) has
    // come and gone by the edit; only one that keeps coming by itself can fetch it.
    tokio::time::sleep(SETTLE).await;
    let cheaper = Deal {
        price_minor: 999,
        ..later.clone()
    };
    let response = stack
        .http
        .put(format!("{}/admin/deals/{}", stack.origin, later.id))
        .bearer_auth(MARKETER_TOKEN)
        .json(&cheaper)
        .send()
        .await?;
    check(
        response.status() == StatusCode::OK,
        format!("editing the later sale: {}", response.text().await?),
    )?;
    let edited_at = Instant::now();
    tokio::time::sleep(QUIET).await;

    // From here on origin cannot answer anyone: the change shows only if the alarm fetched it
    // during the quiet.
    stack.stop_origin();
    let hung = HungOrigin::listen(origin_addr).await?;
    let (status, catalog) = catalog(&stack).await?;
    hung.stop().await;
    let listed = catalog
        .iter()
        .flat_map(|c| &c.deals)
        .find(|d| d.deal.id == later.id)
        .map(|d| d.deal.price_minor);
    check(
        status == 200 && listed == Some(999),
        format!(
            "{:?} after the edit, the catalog (origin hung) lists the new price: {status}, \
             {listed:?}",
            edited_at.elapsed()
        ),
    )
}

/// For [`SHOPPING_FOR`], one catalog and one order (a new shopper each) every 250 ms, each
/// answered within [`ANSWER_WITHIN`]: the catalog 200, the order 202. Answers how many.
async fn shop(stack: &Stack, deal: &Deal, phase: &str) -> Result<usize, Failed> {
    let started = Instant::now();
    let mut served = 0;
    while started.elapsed() < SHOPPING_FOR {
        let (status, catalog) = catalog(stack).await?;
        check(
            status == 200 && catalog.is_some(),
            format!("origin {phase}: the catalog answered {status}"),
        )?;
        let shopper = Shopper::minted(&format!("catalog-{phase}-{served}"));
        let body = order_body(
            deal,
            1,
            &format!("catalog-{phase}-key-{served:04}"),
            &shopper,
        );
        let answer = stack
            .http
            .post(format!("{}/api/orders", stack.edge))
            .header(festival_domain::token::SESSION_HEADER, &shopper.session)
            .json(&body)
            .timeout(ANSWER_WITHIN)
            .send()
            .await
            .map_err(|e| format!("origin {phase}: an order got no answer in time: {e}"))?;
        let status = answer.status();
        check(
            status == StatusCode::ACCEPTED,
            format!(
                "origin {phase}: an order answered {status}: {}",
                answer.text().await?
            ),
        )?;
        served += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(served)
}

/// The edge's catalog, answered within [`ANSWER_WITHIN`]: its status and, for a 200, the body.
async fn catalog(stack: &Stack) -> Result<(u16, Option<Catalog>), Failed> {
    let response = stack
        .http
        .get(format!("{}/api/catalog", stack.edge))
        .timeout(ANSWER_WITHIN)
        .send()
        .await
        .map_err(|e| format!("the catalog gave no answer within {ANSWER_WITHIN:?}: {e}"))?;
    let status = response.status().as_u16();
    let body = if status == 200 {
        Some(response.json().await?)
    } else {
        None
    };
    Ok((status, body))
}

/// An origin that accepts connections and never answers, as a hung process or a black-holed
/// network does: a caller that waits on it waits until it gives up.
struct HungOrigin {
    task: JoinHandle<()>,
}

impl HungOrigin {
    /// Listens on `addr` (the real origin's, once stopped; its socket may take a moment to go).
    async fn listen(addr: SocketAddr) -> Result<HungOrigin, Failed> {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(addr).await {
                Ok(listener) => break listener,
                Err(_) if tries < 50 => tries += 1,
                Err(e) => return Err(format!("binding {addr} for a hung origin: {e}").into()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((connection, _)) = listener.accept().await {
                held.push(connection);
            }
        });
        Ok(HungOrigin { task })
    }

    /// Closes the port and every connection it held: callers see the connection end.
    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}
