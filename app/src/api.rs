//! Every HTTP call the storefront makes, typed with the domain's own types. Same origin: the edge
//! Worker serves both the app and `/api`.

use festival_domain::catalog::clock_offset_ms;
use festival_domain::refusal::ErrorBody;
use festival_domain::{Catalog, DealId, Order, OrderId};
use gloo_net::http::{Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use web_sys::RequestCache;

/// Why a call gave no answer the page can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The shop said no (a 4xx with the domain's error body). Definitive: retrying the same
    /// request gets the same answer.
    Refused(ErrorBody),
    /// No usable answer: network down, a 5xx, or a body we could not read. The request may or
    /// may not have been acted on, so a purchase retries with the same idempotency key.
    Unreachable,
}

/// A catalog with the clock offset measured on the same round trip.
#[derive(Debug, Clone)]
pub struct CatalogReading {
    /// The deals and the server's clock.
    pub catalog: Catalog,
    /// What to add to the device clock to read the server's.
    pub offset_ms: f64,
}

/// `GET /api/catalog`, timing the round trip to estimate the clock offset.
pub async fn fetch_catalog() -> Result<CatalogReading, ApiError> {
    let sent_at = js_sys::Date::now();
    let response = Request::get("/api/catalog")
        .cache(RequestCache::NoStore)
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    let received_at = js_sys::Date::now();
    let catalog: Catalog = read_json(response).await?;
    let offset_ms = clock_offset_ms(sent_at, received_at, catalog.server_time);
    Ok(CatalogReading { catalog, offset_ms })
}

/// The body of `POST /api/orders`. The client never names a price (DESIGN invariant 5).
#[derive(Debug, Serialize)]
struct PlaceOrder<'a> {
    deal_id: &'a str,
    quantity: u32,
    idempotency_key: &'a str,
    customer_id: &'a str,
}

/// `POST /api/orders`: reserves `quantity` units of `deal`. Sending the same `idempotency_key`
/// again returns the same order instead of a second one.
pub async fn place_order(
    deal: &DealId,
    quantity: u32,
    idempotency_key: &str,
    customer_id: &str,
) -> Result<Order, ApiError> {
    let body = PlaceOrder {
        deal_id: deal.as_str(),
        quantity,
        idempotency_key,
        customer_id,
    };
    let response = Request::post("/api/orders")
        .json(&body)
        .map_err(|_| ApiError::Unreachable)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read_json(response).await
}

/// `GET /api/orders/{id}`: the order as it stands now.
pub async fn fetch_order(id: &OrderId) -> Result<Order, ApiError> {
    // An `OrderId` holds only `a-z 0-9 - .`, so it needs no escaping in a path.
    let response = Request::get(&format!("/api/orders/{id}"))
        .cache(RequestCache::NoStore)
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read_json(response).await
}

/// Reads a 2xx body as `T`, a 4xx as a refusal, and anything else as no answer.
async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if response.ok() {
        response
            .json::<T>()
            .await
            .map_err(|_| ApiError::Unreachable)
    } else if (400..500).contains(&status) {
        let body = response
            .json::<ErrorBody>()
            .await
            .unwrap_or_else(|_| ErrorBody {
                code: format!("http_{status}"),
                message: String::new(),
            });
        Err(ApiError::Refused(body))
    } else {
        Err(ApiError::Unreachable)
    }
}
