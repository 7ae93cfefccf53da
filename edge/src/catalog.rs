//! The catalog as the Worker sees it: deals from the `CatalogStore` Durable Object, cached in
//! this isolate for a second so that a burst of orders costs no catalog round trip. When
//! `CatalogStore` fails, the isolate keeps serving its last good copy (and logs why); only an
//! isolate that never had one answers an error.

use std::cell::RefCell;
use std::collections::HashMap;

use festival_domain::{Catalog, CatalogDeal, Deal, DealId, UnixMillis};
use worker::{Env, Request, Response, Result, console_warn};

use crate::bindings::{self, CATALOG};
use crate::catalog_freshness::{IsolateCopy, Refreshed};
use crate::stock;
use crate::{http, session};

thread_local! {
    /// This isolate's copy of the schedule. Workers run one thread per isolate, so a
    /// thread-local is the isolate's memory.
    static DEALS: RefCell<IsolateCopy<Vec<Deal>>> = const { RefCell::new(IsolateCopy::new()) };
}

/// The schedule, from this isolate's cache or the `CatalogStore`.
pub async fn deals(env: &Env) -> Result<Vec<Deal>> {
    with_deals(env, <[Deal]>::to_vec).await
}

/// One deal of the schedule, if it exists (copying that deal alone: this is on every order).
pub async fn find(env: &Env, id: &DealId) -> Result<Option<Deal>> {
    with_deals(env, |deals| {
        deals.iter().find(|deal| &deal.id == id).cloned()
    })
    .await
}

/// `read` applied to the schedule, refreshed first from the `CatalogStore` when this isolate's
/// copy is due (see `IsolateCopy::take_refresh`).
async fn with_deals<T>(env: &Env, read: impl FnOnce(&[Deal]) -> T) -> Result<T> {
    let now = bindings::now();
    if DEALS.with_borrow_mut(|copy| copy.take_refresh(now)) {
        let found = from_catalog_store(env).await;
        match DEALS.with_borrow_mut(|copy| copy.record(now, found)) {
            Refreshed::Updated => {}
            Refreshed::KeptLastGood(error) => {
                console_warn!(
                    "catalog store failed; serving this isolate's last good copy: {error}"
                )
            }
            Refreshed::NeverLoaded(error) => return Err(error),
        }
    }
    DEALS
        .with_borrow(|copy| copy.last_good().map(|deals| read(deals)))
        .ok_or_else(|| "the catalog has not been loaded yet".into())
}

/// The schedule as `CatalogStore` holds it.
async fn from_catalog_store(env: &Env) -> Result<Vec<Deal>> {
    let stub = env.durable_object(CATALOG)?.get_by_name("festival")?;
    let mut response = stub.fetch_with_str("https://catalog-store/deals").await?;
    if response.status_code() != 200 {
        return Err(format!("catalog store answered {}", response.status_code()).into());
    }
    response.json().await
}

/// `GET /api/catalog`: the deals with live stock, the edge's clock, and — for a session — a sale
/// token that lets it order.
pub async fn serve(req: Request, env: &Env) -> Result<Response> {
    let deals = deals(env).await?;
    let mut listed = Vec::with_capacity(deals.len());
    for deal in deals {
        let stock_left = stock_left(env, &deal).await?;
        listed.push(CatalogDeal { deal, stock_left });
    }
    let now = bindings::now();
    let sale_token = match session::customer(&req, env, now)? {
        Ok(customer) => Some(session::sale_token(env, &customer, now)?),
        Err(_) => None,
    };
    // Read the clock last so the countdown's correction includes the time spent above.
    http::json(
        &Catalog {
            server_time: bindings::now(),
            deals: listed,
            sale_token,
        },
        200,
    )
}

/// How long an isolate reuses a deal's stock figure for the catalog.
const STOCK_LEFT_TTL_MS: i64 = 1_000;

thread_local! {
    /// Recent stock figures per deal in this isolate.
    static STOCK_LEFT: RefCell<HashMap<DealId, (UnixMillis, u32)>> = RefCell::new(HashMap::new());
}

/// Units left in `deal` over all its shards, at most a second old.
pub async fn stock_left(env: &Env, deal: &Deal) -> Result<u32> {
    let now = bindings::now();
    let recent = STOCK_LEFT.with_borrow(|map| {
        map.get(&deal.id)
            .filter(|(at, _)| at.millis_until(now) < STOCK_LEFT_TTL_MS)
            .map(|(_, left)| *left)
    });
    if let Some(left) = recent {
        return Ok(left);
    }
    let left = stock::ledgers(env, deal)
        .await?
        .iter()
        .map(|ledger| ledger.stock_left)
        .sum();
    STOCK_LEFT.with_borrow_mut(|map| map.insert(deal.id.clone(), (now, left)));
    Ok(left)
}
