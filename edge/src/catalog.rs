//! The catalog as the Worker sees it: the schedule with each deal's stock left, and the
//! festivals not yet ended (the "board"), as `CatalogStore` answers it. An isolate keeps the board for a second; when it is due, the
//! isolate first looks in the data centre's cache (Cache API, kept a second), so of all the
//! isolates in a data centre about one asks `CatalogStore` each second, and no poll of the
//! public catalog ever calls a shard. When `CatalogStore` fails, the isolate keeps serving its
//! last good board (and logs why); only an isolate that never had one answers an error.

use std::cell::RefCell;

use festival_domain::catalog::{Board, BoardDeal, is_listed};
use festival_domain::festival::current_and_next;
use festival_domain::{Catalog, Deal, DealId};
use worker::{Cache, Env, Request, Response, Result, console_warn};

use crate::bindings::{self, CATALOG, CATALOG_OBJECT};
use crate::catalog_freshness::{ISOLATE_TTL_MS, IsolateCopy, Refreshed};
use crate::error::EdgeResult;
use crate::{first_paint, http, objects};

thread_local! {
    /// This isolate's board. Workers run one thread per isolate, so a thread-local is the
    /// isolate's memory.
    static BOARD: RefCell<IsolateCopy<Board>> = const { RefCell::new(IsolateCopy::new()) };
}

/// The path `CatalogStore` answers the board on.
const BOARD_PATH: &str = "/board";
/// The board's key in the data centre's cache. The Cache API keys by URL; this host is never
/// fetched, it only names the entry.
const CACHE_KEY: &str = "https://catalog.festival.internal/board";

/// The schedule, from this isolate's board.
pub async fn deals(env: &Env) -> Result<Vec<Deal>> {
    with_board(env, |board| {
        board.deals.iter().map(|d| d.deal.clone()).collect()
    })
    .await
}

/// One deal of the schedule with its units left, if it exists (copying that deal alone: this
/// is on every order).
pub async fn find(env: &Env, id: &DealId) -> Result<Option<BoardDeal>> {
    with_board(env, |board| {
        board
            .deals
            .iter()
            .find(|listed| &listed.deal.id == id)
            .cloned()
    })
    .await
}

/// Units left in `deal` over all its shards, as the board has them (a second or two old).
pub async fn stock_left(env: &Env, deal: &Deal) -> Result<u32> {
    with_board(env, |board| {
        board
            .deals
            .iter()
            .find(|listed| listed.deal.id == deal.id)
            .map_or(0, |listed| listed.stock_left)
    })
    .await
}

/// `GET /api/catalog`: the listed deals with their stock, the festival running now and the
/// next one (by the edge's clock), and the edge's clock. The same for everyone (no session, no
/// token), so it is built from the cached board; only the clock is read per request. Browsers
/// do not cache it: a cached answer would carry a stale clock. The deals' names and
/// descriptions come in the shopper's language where the marketer gave them: `?lang=ko` (or
/// `zh-CN`), else the storefront's choice or the browser's (`first_paint::shopper_language`:
/// the storefront itself sends nothing, which keeps its Wasm within budget).
pub async fn serve(req: &Request, env: &Env) -> EdgeResult<Response> {
    let url = req.url()?;
    let asked = url.query_pairs().find(|(key, _)| key == "lang");
    let lang = match asked {
        Some((_, tag)) => tag.into_owned(),
        None => first_paint::shopper_language(req)?.unwrap_or_default(),
    };
    Ok(http::json(&public(env, &lang).await?, 200)?)
}

/// The public catalog now, in language `lang`: the board's listed deals, the festival running
/// now and the next one, and the edge's clock.
pub async fn public(env: &Env, lang: &str) -> Result<Catalog> {
    let now = bindings::now();
    let (deals, festival, next_festival) = with_board(env, |board| {
        let deals = board
            .deals
            .iter()
            .map(|listed| listed.shown_in(lang))
            .filter(|shown| is_listed(&shown.deal, now))
            .collect();
        let (current, next) = current_and_next(&board.festivals, now);
        (deals, current.cloned(), next.cloned())
    })
    .await?;
    // Read the clock last so the countdown's correction includes the time spent above.
    Ok(Catalog {
        server_time: bindings::now(),
        deals,
        festival,
        next_festival,
    })
}

/// `read` applied to the board, refreshed first when this isolate's copy is due (see
/// `IsolateCopy::take_refresh`).
async fn with_board<T>(env: &Env, read: impl FnOnce(&Board) -> T) -> Result<T> {
    let now = bindings::now();
    if BOARD.with_borrow_mut(|copy| copy.take_refresh(now)) {
        let found = fetch_board(env).await;
        match BOARD.with_borrow_mut(|copy| copy.record(now, found)) {
            Refreshed::Updated => {}
            Refreshed::KeptLastGood(error) => {
                console_warn!(
                    "catalog store failed; serving this isolate's last good board: {error}"
                )
            }
            Refreshed::NeverLoaded(error) => return Err(error),
        }
    }
    BOARD
        .with_borrow(|copy| copy.last_good().map(read))
        .ok_or_else(|| "the catalog has not been loaded yet".into())
}

/// The board from the data centre's cache, else from `CatalogStore` (then cached for the
/// other isolates here). A cache that fails is passed by: `CatalogStore` still answers.
async fn fetch_board(env: &Env) -> Result<Board> {
    let cache = Cache::default();
    match cache.get(CACHE_KEY, false).await {
        Ok(Some(mut cached)) => match cached.json().await {
            Ok(board) => return Ok(board),
            Err(error) => console_warn!("the cached board did not parse: {error}"),
        },
        Ok(None) => {}
        Err(error) => console_warn!("reading the cached board failed: {error}"),
    }
    let text = from_catalog_store(env).await?;
    let board = serde_json::from_str(&text)?;
    let mut entry = Response::ok(text)?;
    let max_age = ISOLATE_TTL_MS / 1_000;
    entry
        .headers_mut()
        .set("cache-control", &format!("public, max-age={max_age}"))?;
    if let Err(error) = cache.put(CACHE_KEY, entry).await {
        console_warn!("caching the board failed: {error}");
    }
    Ok(board)
}

/// The board as `CatalogStore` holds it, as JSON text.
async fn from_catalog_store(env: &Env) -> Result<String> {
    objects::get_text(env, CATALOG, CATALOG_OBJECT, BOARD_PATH).await
}
