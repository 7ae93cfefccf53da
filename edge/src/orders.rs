//! The order routes. Intake checks the cheapest things first — size, address rate (the
//! isolate's bucket, then the shared Rate Limiting binding), session, session rate, body, sale
//! token, schedule, the sold-out memory — so that most of a burst is answered before any
//! Durable Object is called.

use festival_domain::catalog::BoardDeal;
use festival_domain::key_claims::{ClaimAnswer, ordered};
use festival_domain::live::Stop;
use festival_domain::order::OrdersPage;
use festival_domain::refusal::MAX_ORDER_BODY_BYTES;
use festival_domain::token;
use festival_domain::{CustomerId, DealId, OrderId, OrderRequest, PricedOrder, Refusal};
use worker::{Context, Env, Request, Response, Result};

use crate::error::{EdgeError, EdgeResult};
use crate::events::OrderTrace;
use crate::stock::{self, Cancellation, Reservation, sold_out};
use crate::{bindings, catalog, http, key_claims, rate_limit, session, waiting_room};

/// Header on a "sold out" answered from the isolate's memory, without a Durable Object call.
pub const ANSWERED_FROM_MEMORY: &str = "x-festival-answered-from";

/// Header on an answer from a shard: how many orders shared its Durable Object request (see
/// `coalesce`).
pub const BATCH_SIZE: &str = "x-festival-batch";

/// `POST /api/orders`: 202 with the order, or a refusal; one [`events::OrderEvent`] logged
/// either way.
pub async fn place(req: Request, env: &Env, ctx: &Context) -> EdgeResult<Response> {
    let mut trace = OrderTrace::start();
    let answer = intake(req, env, ctx, &mut trace).await;
    match &answer {
        Ok(response) => trace.finish(response.status_code(), "unknown"),
        Err(error) => trace.finish(error.status(), error.code()),
    }
    answer
}

async fn intake(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    trace: &mut OrderTrace,
) -> EdgeResult<Response> {
    let now = bindings::now();
    let announced = req
        .headers()
        .get("content-length")?
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > MAX_ORDER_BODY_BYTES) {
        return Err(Refusal::BodyTooLarge.into());
    }
    let address = rate_limit::client_address(&req)?;
    rate_limit::order(env, &address, now).await?;
    let customer = session::customer(&req, env, now)?;
    rate_limit::by_session(env, customer.as_str(), now)?;
    if waiting_room::admission_rate(env).is_some()
        && !waiting_room::is_admitted(&req, env, &customer, now)?
    {
        return Err(Refusal::NotAdmitted.into());
    }
    let request = OrderRequest::parse(&req.bytes().await?)?;
    if !session::sale_token_is_valid(env, &request.sale_token, &customer, now)? {
        return Err(Refusal::SaleTokenInvalid.into());
    }
    let Some(BoardDeal {
        deal,
        live,
        stock_left: board_left,
    }) = catalog::find(env, &request.deal_id).await?
    else {
        return Err(Refusal::UnknownDeal.into());
    };
    trace.deal = Some(deal.id.clone());
    let priced = PricedOrder::price(request, customer, &deal, now)?;
    // An end is final, so even this isolate's copy (a second or two old) may refuse by it. A
    // pause is not: a stale copy would refuse after a resume. The shard decides both.
    if live.stop() == Some(Stop::Ended) {
        return Err(Refusal::SaleEnded.into());
    }
    if sold_out::answers_sold_out(&deal.id, board_left) {
        trace.code = Some(Refusal::SoldOut.code());
        let mut response = EdgeError::from(Refusal::SoldOut).into_response()?;
        response.headers_mut().set(ANSWERED_FROM_MEMORY, "memory")?;
        return Ok(response);
    }
    trace.shard = Some(deal.shard_for(&priced.customer_id));
    // Keys are the customer's across deals: one first used for another deal or quantity is
    // refused here, before the deal's shard (which only knows its own deal's keys) sees it. A
    // key that names its deal can be used on no other (`IdempotencyKey::deal`): the shard
    // alone tells its retry from its reuse, and no claim is made.
    let named_its_deal = priced.idempotency_key.deal().is_some();
    if !named_its_deal && key_claims::claim(env, &priced).await? == ClaimAnswer::Reused {
        return Err(Refusal::IdempotencyKeyReused.into());
    }
    let (reservation, batch_size) = stock::reserve(env, ctx, &deal, priced).await?;
    trace.batch = Some(batch_size);
    let mut response = match reservation {
        Reservation::Accepted { order } => {
            trace.code = Some("accepted");
            http::json(&order, 202)?
        }
        Reservation::Replayed { order } => {
            trace.code = Some("replayed");
            let mut response = http::json(&order, 202)?;
            response.headers_mut().set("idempotent-replayed", "true")?;
            response
        }
        Reservation::KeyReused => return Err(Refusal::IdempotencyKeyReused.into()),
        Reservation::SoldOut { .. } => return Err(Refusal::SoldOut.into()),
        Reservation::LimitReached { limit } => {
            return Err(Refusal::LimitReached { limit }.into());
        }
        Reservation::Stopped { why } => return Err(Refusal::from(why).into()),
    };
    response
        .headers_mut()
        .set(BATCH_SIZE, &batch_size.to_string())?;
    if named_its_deal {
        remember_recent(&mut response, &req, &deal.id)?;
    }
    Ok(response)
}

/// Names `deal` in the buyer's [`ordered::RECENT_COOKIE`], so their order list shows the order
/// before the queue's consumer has noted it.
fn remember_recent(response: &mut Response, req: &Request, deal: &DealId) -> Result<()> {
    let value = ordered::with_recent(recent_cookie(req)?.as_deref(), deal);
    let kept_s = ordered::RECENT_KEPT_S;
    http::set_cookie(response, req, ordered::RECENT_COOKIE, &value, kept_s)
}

/// The value of `req`'s [`ordered::RECENT_COOKIE`], if it has one.
fn recent_cookie(req: &Request) -> Result<Option<String>> {
    let cookies = req.headers().get("cookie")?.unwrap_or_default();
    Ok(token::cookie(&cookies, ordered::RECENT_COOKIE).map(str::to_owned))
}

/// `GET /api/orders/{id}`: the session's order and its status — `reserved` until origin has
/// stored it, then `confirmed` (or `cancelled`).
pub async fn show(req: Request, id: &str, env: &Env) -> EdgeResult<Response> {
    let customer = session::customer(&req, env, bindings::now())?;
    let Some(id) = scheduled_order(env, id).await? else {
        return Err(Refusal::UnknownOrder.into());
    };
    match stock::lookup(env, &id).await? {
        Some(order) if order.priced.customer_id == customer => Ok(http::json(&order, 200)?),
        Some(_) => Err(Refusal::NotYourOrder.into()),
        None => Err(Refusal::UnknownOrder.into()),
    }
}

/// Deals a page of `GET /api/orders` reads: one shard request each.
const DEALS_PER_PAGE: usize = 10;

/// `GET /api/orders[?after=<deal>]`: the session's orders, newest first, from the deals the
/// customer ordered in (their `KeyClaims` object keeps the list), [`DEALS_PER_PAGE`] deals a
/// page, in deal id order; `next` is the cursor of the following page. Only the shards that
/// hold the customer's orders are asked. A deal first ordered in with a key that named it is
/// listed once the order queue's consumer has noted it (`key_claims::note_ordered`), a second
/// or two after the order; until then the buyer's browser names it in its
/// [`ordered::RECENT_COOKIE`].
pub async fn list_for_session(req: Request, env: &Env) -> EdgeResult<Response> {
    let customer: CustomerId = session::customer(&req, env, bindings::now())?;
    let after = req
        .url()?
        .query_pairs()
        .find(|(name, _)| name == "after")
        .map(|(_, value)| value.into_owned());
    let mut ordered = key_claims::ordered_deals(env, &customer).await?;
    ordered.extend(ordered::recent_deals(recent_cookie(&req)?.as_deref()));
    ordered.sort();
    ordered.dedup();
    let (page, next) = ordered::page(&ordered, after.as_deref(), DEALS_PER_PAGE);
    let mut orders = Vec::new();
    for id in page {
        if let Some(listed) = catalog::find(env, id).await? {
            orders.extend(stock::customer_orders(env, &listed.deal, &customer).await?);
        }
    }
    orders.sort_by_key(|order| std::cmp::Reverse(order.priced.priced_at));
    let next = next.cloned();
    Ok(http::json(&OrdersPage { orders, next }, 200)?)
}

/// `POST /api/orders/{id}/cancel`: the owner cancels; the units return to stock exactly once.
pub async fn cancel(req: Request, id: &str, env: &Env) -> EdgeResult<Response> {
    let customer = session::customer(&req, env, bindings::now())?;
    let Some(id) = scheduled_order(env, id).await? else {
        return Err(Refusal::UnknownOrder.into());
    };
    match stock::cancel(env, &id, &customer).await? {
        Cancellation::Cancelled { order } => Ok(http::json(&order, 200)?),
        Cancellation::NotYours => Err(Refusal::NotYourOrder.into()),
        Cancellation::Unknown => Err(Refusal::UnknownOrder.into()),
    }
}

/// `raw` as an order id that a scheduled deal's shard could hold: its deal is in the schedule
/// and its shard below the deal's count. Checked from the isolate's schedule before any object
/// is called, so an id made up to look like an order wakes no object.
async fn scheduled_order(env: &Env, raw: &str) -> Result<Option<OrderId>> {
    let Some(id) = OrderId::parse(raw) else {
        return Ok(None);
    };
    let deal = catalog::find(env, &id.deal_id()).await?;
    Ok(deal
        .filter(|listed| listed.deal.could_hold(&id))
        .map(|_| id))
}
