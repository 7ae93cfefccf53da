//! Every HTTP call the storefront makes. Same origin: the edge Worker serves both the app and
//! `/api`, and the session cookie rides along on every call.
//!
//! The calls go through the browser's `fetch` and `JSON` directly, and [`crate::wire`] reads the
//! answers into the domain's types field by field: serde_json's generic code would cost the
//! shopper more Wasm than the whole storefront's own code.

use std::cell::RefCell;

use festival_domain::{CatalogDeal, DealId, OrderId, RefusalCode};
use js_sys::futures::JsFuture;
use js_sys::{JSON, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, RequestCache, RequestInit, Response};

use crate::retry::REQUEST_TIMEOUT_MS;
use crate::wire::{self, Festivals, ShopOrder, Turn};

/// Why a call gave no answer the page can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The shop said no (a 4xx with a code). Definitive: the same request gets the same answer.
    Refused(Refused),
    /// No usable answer: network down, no answer within [`REQUEST_TIMEOUT_MS`], a 5xx, or a body
    /// we could not read. The request may or may not have been acted on, so a purchase retries
    /// with the same idempotency key. A 5xx's `Retry-After` seconds come along when it gave one.
    Unreachable(Option<u32>),
}

/// No usable answer, and no word on when to try again.
pub const UNREACHABLE: ApiError = ApiError::Unreachable(None);

impl ApiError {
    /// How long the shop asked us to wait (`Retry-After`, seconds), if it did.
    pub fn retry_after_s(&self) -> Option<u32> {
        match self {
            ApiError::Refused(refused) => refused.retry_after_s,
            ApiError::Unreachable(seconds) => *seconds,
        }
    }
}

/// A refusal from the edge: `{code, message}`, and for `rate_limited` the `Retry-After` seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Why, by its stable code; `None` when the answer had no code this build knows.
    pub code: Option<RefusalCode>,
    /// The edge's own words (English).
    pub message: String,
    /// Seconds to wait before trying again, when the edge said.
    pub retry_after_s: Option<u32>,
}

impl Refused {
    /// The session is missing, forged or expired: a new one fixes it.
    fn is_session(&self) -> bool {
        use RefusalCode::{SessionExpired, SessionInvalid, SessionRequired};
        matches!(
            self.code,
            Some(SessionRequired | SessionInvalid | SessionExpired)
        )
    }
}

/// A catalog reading: the deals, the clock offset measured on the same round trip.
#[derive(Debug, Clone)]
pub struct CatalogReading {
    /// Deals with their stock left, soonest start first.
    pub deals: Vec<CatalogDeal>,
    /// The festival running now and the next.
    pub festivals: Festivals,
    /// What to add to the device clock to read the server's.
    pub offset_ms: f64,
}

thread_local! {
    /// The session request, shared by every call that needs the cookie (a promise may be
    /// awaited any number of times). `None` before the first call and after a failure.
    static SESSION: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// The session's sale token and when it arrived (device clock, ms); an order must carry it.
    static SALE_TOKEN: RefCell<Option<(String, f64)>> = const { RefCell::new(None) };
}

/// Makes sure this browser holds a session cookie: `POST /api/session` once, shared by all
/// callers. A failed attempt is forgotten so the next call tries again.
pub async fn ensure_session() -> Result<(), ApiError> {
    let pending = SESSION.with_borrow_mut(|session| {
        session
            .get_or_insert_with(|| fetch("POST", "/api/session", None))
            .clone()
    });
    let ok = match JsFuture::from(pending).await {
        Ok(response) => response.unchecked_into::<Response>().ok(),
        Err(_) => false,
    };
    if ok {
        Ok(())
    } else {
        forget_session();
        Err(UNREACHABLE)
    }
}

/// Drops the session so the next call asks for a new one.
fn forget_session() {
    SESSION.with_borrow_mut(|session| *session = None);
}

/// `GET /api/catalog`, timing the round trip to estimate the clock offset. The catalog is the
/// same for every shopper of a language (the edge reads it from the language's cookie), so it
/// needs no session.
pub async fn fetch_catalog() -> Result<CatalogReading, ApiError> {
    let sent_at = js_sys::Date::now();
    let body = send("GET", "/api/catalog", None).await?;
    let received_at = js_sys::Date::now();
    let catalog = wire::catalog(&body).ok_or(UNREACHABLE)?;
    let offset_ms =
        festival_domain::catalog::clock_offset_ms(sent_at, received_at, catalog.server_time);
    Ok(CatalogReading {
        deals: catalog.deals,
        festivals: catalog.festivals,
        offset_ms,
    })
}

/// The session's sale token: the one held, or a new one (`POST /api/sale-token`) when there is
/// none, it is half-way to expiring, or `renew` says the edge refused it. So a shopper asks once
/// per session and again every few minutes, never per catalog poll.
pub async fn sale_token(renew: bool) -> Result<String, ApiError> {
    let fresh_for = festival_domain::token::SALE_TOKEN_TTL_MS as f64 / 2.0;
    let held = SALE_TOKEN.with_borrow(|held| {
        held.clone()
            .filter(|(_, at)| !renew && js_sys::Date::now() - at < fresh_for)
    });
    if let Some((token, _)) = held {
        return Ok(token);
    }
    let body = with_session("POST", "/api/sale-token").await?;
    let token = wire::sale_token(&body).ok_or(UNREACHABLE)?;
    SALE_TOKEN.with_borrow_mut(|held| *held = Some((token.clone(), js_sys::Date::now())));
    Ok(token)
}

/// `POST /api/orders`: reserves `quantity` units of `deal`. The same `idempotency_key` again
/// returns the same order. A stale session or sale token is renewed, and a shopper sent to the
/// waiting room waits there (`on_queue` hears the position and the wait), then the order is sent
/// once more with the same key, so a retry can never buy twice.
pub async fn place_order(
    deal: &DealId,
    quantity: u32,
    idempotency_key: &str,
    on_queue: impl Fn(u32, u32),
) -> Result<ShopOrder, ApiError> {
    let (mut renewed_session, mut renewed_token, mut queued) = (false, false, false);
    loop {
        ensure_session().await?;
        let body = Object::new();
        let sale_token = sale_token(renewed_token).await?;
        for (key, value) in [
            ("deal_id", JsValue::from_str(deal.as_str())),
            ("quantity", JsValue::from_f64(f64::from(quantity))),
            ("idempotency_key", JsValue::from_str(idempotency_key)),
            ("sale_token", JsValue::from_str(&sale_token)),
        ] {
            let _ = Reflect::set(&body, &key.into(), &value);
        }
        let json = JSON::stringify(&body)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(UNREACHABLE)?;
        match send("POST", "/api/orders", Some(&json)).await {
            Err(ApiError::Refused(r)) if r.is_session() && !renewed_session => {
                renewed_session = true;
                forget_session();
            }
            Err(ApiError::Refused(r))
                if r.code == Some(RefusalCode::SaleTokenInvalid) && !renewed_token =>
            {
                renewed_token = true;
            }
            Err(ApiError::Refused(r)) if r.code == Some(RefusalCode::NotAdmitted) && !queued => {
                queued = true;
                wait_in_line(&on_queue).await?;
            }
            answer => return order_of(answer?),
        }
    }
}

/// `POST /api/waiting-room` until it is this shopper's turn (the pass arrives as a cookie),
/// telling `on_queue` the position and the seconds left each time; a sold-out festival ends the
/// wait at once with a `sold_out` refusal.
async fn wait_in_line(on_queue: &impl Fn(u32, u32)) -> Result<(), ApiError> {
    loop {
        let place = send("POST", "/api/waiting-room", None).await?;
        match wire::turn(&place) {
            Some(Turn::Admitted) => return Ok(()),
            Some(Turn::Waiting { position, wait_ms }) => {
                on_queue(position, (wait_ms / 1000.0).ceil() as u32);
                // Ask again at the turn, or every two seconds to keep the position fresh.
                gloo_timers::future::TimeoutFuture::new(wait_ms.clamp(200.0, 2_000.0) as u32).await;
            }
            Some(Turn::SoldOut) => {
                return Err(ApiError::Refused(Refused {
                    code: Some(RefusalCode::SoldOut),
                    message: String::new(),
                    retry_after_s: None,
                }));
            }
            None => return Err(UNREACHABLE),
        }
    }
}

/// `GET /api/orders`: this session's orders, newest first.
pub async fn fetch_my_orders() -> Result<Vec<ShopOrder>, ApiError> {
    let body = with_session("GET", "/api/orders").await?;
    wire::orders(&body).ok_or(UNREACHABLE)
}

/// `GET /api/orders/{id}`: the order as it stands now.
pub async fn fetch_order(id: &OrderId) -> Result<ShopOrder, ApiError> {
    // An `OrderId` holds only `a-z 0-9 - .`, so it needs no escaping in a path.
    order_of(with_session("GET", &format!("/api/orders/{id}")).await?)
}

/// `POST /api/orders/{id}/cancel`: the order, cancelled (cancelling twice answers the same).
pub async fn cancel_order(id: &OrderId) -> Result<ShopOrder, ApiError> {
    order_of(with_session("POST", &format!("/api/orders/{id}/cancel")).await?)
}

/// Reads an order from an answer body.
fn order_of(body: JsValue) -> Result<ShopOrder, ApiError> {
    wire::order(&body).ok_or(UNREACHABLE)
}

/// A body-less call that needs the session; a stale session is renewed once.
async fn with_session(method: &str, url: &str) -> Result<JsValue, ApiError> {
    ensure_session().await?;
    match send(method, url, None).await {
        Err(ApiError::Refused(r)) if r.is_session() => {
            forget_session();
            ensure_session().await?;
            send(method, url, None).await
        }
        answer => answer,
    }
}

/// Starts a same-origin `fetch` that is never cached, and is aborted (the promise rejects) if
/// its answer, body included, has not arrived within [`REQUEST_TIMEOUT_MS`]: a stalled network
/// must never leave a page waiting forever.
fn fetch(method: &str, url: &str, json: Option<&str>) -> Promise {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS)));
    if let Some(json) = json {
        init.set_body(&JsValue::from_str(json));
        let headers = Object::new();
        let _ = Reflect::set(&headers, &"content-type".into(), &"application/json".into());
        init.set_headers(&headers);
    }
    match web_sys::window() {
        Some(window) => window.fetch_with_str_and_init(url, &init),
        None => Promise::reject(&JsValue::NULL),
    }
}

/// A language pack, `GET /lang/{tag}.json` (a static file). `None` when it cannot be had.
/// Asked like every other call, uncached: about 2 KB once per visit, for a reader of Korean
/// or Chinese, costs less than a second fetch path in everyone's Wasm.
pub async fn fetch_words(tag: &str) -> Option<JsValue> {
    send("GET", &format!("/lang/{tag}.json"), None).await.ok()
}

/// Sends a call and reads its answer: a 2xx body as JSON, a 4xx as a refusal, anything else as
/// no answer (with the 5xx's `Retry-After`, as a 503 from a struggling shop may say).
async fn send(method: &str, url: &str, json: Option<&str>) -> Result<JsValue, ApiError> {
    let response: Response = JsFuture::from(fetch(method, url, json))
        .await
        .map_err(|_| UNREACHABLE)?
        .unchecked_into();
    let body = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    let retry_after_s = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|s| s.trim().parse().ok());
    if response.ok() {
        body.ok_or(UNREACHABLE)
    } else if (400..500).contains(&response.status()) {
        let (code, message) = body.as_ref().map(wire::refusal).unwrap_or_default();
        Err(ApiError::Refused(Refused {
            code,
            message,
            retry_after_s,
        }))
    } else {
        Err(ApiError::Unreachable(retry_after_s))
    }
}
