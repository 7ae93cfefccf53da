//! `POST /api/orders` and `GET /api/orders/{id}`: order intake, cheapest checks first, then one
//! Durable Object call.

use festival_domain::refusal::MAX_ORDER_BODY_BYTES;
use festival_domain::{OrderId, OrderRequest, PricedOrder, Refusal};
use worker::{Env, Request, Response, Result};

use crate::stock::{self, Reservation};
use crate::{bindings, catalog, http};

/// Places an order: size, shape and values first, then the schedule (window, limit, price), then
/// the stock. Answers 202 with the order, or a refusal.
pub async fn place(mut req: Request, env: &Env) -> Result<Response> {
    let now = bindings::now();
    // Refuse an announced oversize body before reading it.
    let announced = req
        .headers()
        .get("content-length")?
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > MAX_ORDER_BODY_BYTES) {
        return http::refusal(&Refusal::BodyTooLarge);
    }
    let body = req.bytes().await?;
    let request = match OrderRequest::parse(&body) {
        Ok(request) => request,
        Err(refusal) => return http::refusal(&refusal),
    };
    let Some(deal) = catalog::find(env, &request.deal_id).await? else {
        return http::refusal(&Refusal::UnknownDeal);
    };
    let priced = match PricedOrder::price(request, &deal, now) {
        Ok(priced) => priced,
        Err(refusal) => return http::refusal(&refusal),
    };
    match stock::reserve(env, &deal, priced).await? {
        Reservation::Accepted { order, .. } => http::json(&order, 202),
        Reservation::Replayed { order } => {
            let mut response = http::json(&order, 202)?;
            response.headers_mut().set("idempotent-replayed", "true")?;
            Ok(response)
        }
        Reservation::SoldOut { .. } => http::refusal(&Refusal::SoldOut),
        Reservation::LimitReached { limit } => http::refusal(&Refusal::LimitReached { limit }),
    }
}

/// The order and its status: `reserved` until origin has stored it, then `confirmed`.
pub async fn show(id: &str, env: &Env) -> Result<Response> {
    let Some(id) = OrderId::parse(id) else {
        return http::refusal(&Refusal::UnknownOrder);
    };
    match stock::lookup(env, &id).await? {
        Some(order) => http::json(&order, 200),
        None => http::refusal(&Refusal::UnknownOrder),
    }
}
