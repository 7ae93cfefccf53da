//! Orders out, the morning after (reached through the edge's `/api/console/*`, marketer token):
//! `GET /admin/orders?deal=&after=&limit=` pages of orders as JSON by a cursor, and
//! `GET /admin/orders.csv?deal=` every order as CSV, streamed a page at a time — the
//! response never holds more than one page, however many orders the night sold.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use festival_domain::time::format_iso;
use festival_domain::{DealId, OrderId, OrderStatus};
use futures_util::stream;
use sqlx::AnyPool;

use super::marketer::Marketer;
use crate::db::export::{StoredOrder, orders_page};
use crate::{AppState, OriginError};

/// Orders per JSON page unless `limit` says otherwise, and the most it may ask for.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1_000;
/// Orders read per query while streaming CSV.
const CSV_PAGE: u32 = 1_000;
/// The CSV's columns, in order.
const CSV_HEADER: &str = "id,deal_id,status,customer_id,idempotency_key,quantity,\
                          unit_price_minor,total_minor,currency,priced_at,stored_at\n";

/// One page of orders, and the cursor of the next (none after the last).
#[derive(serde::Serialize)]
pub(super) struct OrdersPage {
    orders: Vec<StoredOrder>,
    next: Option<String>,
}

/// What a listing's query asks for.
#[derive(Debug, Default, PartialEq, Eq)]
struct Listing {
    deal: Option<DealId>,
    after: Option<OrderId>,
    limit: Option<u32>,
}

/// `GET /admin/orders?deal=&after=&limit=`: up to `limit` orders (100 unless given, at most
/// 1,000) in id order after the cursor `after`; `next` is the cursor of the following page.
pub(super) async fn list(
    _: Marketer,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<OrdersPage>, OriginError> {
    let listing = parse_listing(query.as_deref().unwrap_or(""), true)?;
    let limit = listing.limit.unwrap_or(DEFAULT_LIMIT);
    let orders = orders_page(
        &state.db,
        listing.deal.as_ref(),
        listing.after.as_ref(),
        limit,
    )
    .await?;
    let next = (orders.len() == limit as usize)
        .then(|| orders.last().map(|last| last.order.id.to_string()))
        .flatten();
    Ok(Json(OrdersPage { orders, next }))
}

/// `GET /admin/orders.csv?deal=`: every order (of `deal`, or of every deal) as CSV, in id order.
pub(super) async fn csv(
    _: Marketer,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, OriginError> {
    let listing = parse_listing(query.as_deref().unwrap_or(""), false)?;
    let file = match &listing.deal {
        Some(deal) => format!("festival-orders-{deal}.csv"),
        None => "festival-orders.csv".to_owned(),
    };
    // The first page is read before the answer starts: a database that fails at once is a 503,
    // not a 200 with a broken body.
    let first = orders_page(&state.db, listing.deal.as_ref(), None, CSV_PAGE).await?;
    let body = Body::from_stream(csv_pages(state.db.clone(), listing.deal, first));
    let disposition = format!("attachment; filename=\"{file}\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The CSV a chunk at a time: the header with the `first` page, then one chunk per page of
/// orders. A database error part way ends the stream with an error, so the client sees a
/// broken download, not a short file that looks whole.
fn csv_pages(
    db: AnyPool,
    deal: Option<DealId>,
    first: Vec<StoredOrder>,
) -> impl futures_util::Stream<Item = Result<Bytes, sqlx::Error>> {
    enum Next {
        /// The first page, read already.
        First(Vec<StoredOrder>),
        /// The page after this id.
        After(OrderId),
        Done,
    }
    stream::try_unfold(Next::First(first), move |next| {
        let (db, deal) = (db.clone(), deal.clone());
        async move {
            let (page, mut chunk) = match next {
                Next::Done => return Ok(None),
                Next::First(page) => (page, CSV_HEADER.to_owned()),
                Next::After(after) => {
                    let page = orders_page(&db, deal.as_ref(), Some(&after), CSV_PAGE).await?;
                    (page, String::new())
                }
            };
            for stored in &page {
                chunk.push_str(&csv_line(stored));
            }
            let next = match page.last() {
                Some(last) if page.len() == CSV_PAGE as usize => Next::After(last.order.id.clone()),
                _ => Next::Done,
            };
            if chunk.is_empty() {
                return Ok(None);
            }
            Ok(Some((Bytes::from(chunk), next)))
        }
    })
}

/// One order's CSV line. Every field is an id, a code, a number or a time made of characters
/// that need no quoting (ids and keys are `A-Z a-z 0-9 - _`), so none is quoted.
fn csv_line(stored: &StoredOrder) -> String {
    let order = &stored.order;
    let p = &order.priced;
    let status = match order.status {
        OrderStatus::Reserved => "reserved",
        OrderStatus::Confirmed => "confirmed",
        OrderStatus::Cancelled => "cancelled",
    };
    format!(
        "{},{},{status},{},{},{},{},{},{},{},{}\n",
        order.id,
        p.deal_id,
        p.customer_id.as_str(),
        p.idempotency_key.as_str(),
        p.quantity.get(),
        p.unit_price_minor,
        p.total_minor,
        p.currency,
        format_iso(p.priced_at),
        format_iso(stored.stored_at),
    )
}

/// Reads `deal`, and for a page (`paged`) `after` and `limit`; anything else is refused, so a
/// misspelt parameter is not silently ignored.
fn parse_listing(query: &str, paged: bool) -> Result<Listing, OriginError> {
    let bad = |message: String| OriginError::InvalidQuery(message);
    let mut listing = Listing::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "deal" if value.is_empty() => {}
            "deal" => {
                listing.deal = Some(
                    DealId::parse(value)
                        .map_err(|_| bad(format!("deal {value:?} is not a deal id")))?,
                );
            }
            "after" if paged && !value.is_empty() => {
                listing.after = Some(
                    OrderId::parse(value)
                        .ok_or_else(|| bad(format!("after {value:?} is not an order id")))?,
                );
            }
            "after" if paged => {}
            "limit" if paged => {
                let limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n));
                listing.limit = Some(limit.ok_or_else(|| {
                    bad(format!(
                        "limit must be a whole number from 1 to {MAX_LIMIT}"
                    ))
                })?);
            }
            _ if paged => {
                return Err(bad("orders are listed by deal, after and limit only".into()));
            }
            _ => return Err(bad("the CSV export takes deal only".into())),
        }
    }
    Ok(listing)
}

#[cfg(test)]
mod tests;
