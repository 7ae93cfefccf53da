//! Origin's routes and the layers around them. Every route but `/health` checks the edge's
//! signature or the marketer token itself (`guard`; `marketer::Marketer`, an argument of every
//! marketer's handler).

mod catalog;
#[cfg(test)]
mod console_tests;
mod dashboard;
mod deals;
mod export;
mod festivals;
mod guard;
mod health;
mod ingest;
mod live;
mod marketer;
mod orders;
mod prometheus;
mod reconcile;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use tower_http::trace::TraceLayer;

use crate::AppState;

/// Largest request body origin reads: a full batch of 100 orders is ~40 KB.
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health::check))
        .route("/internal/catalog", get(catalog::list))
        .route("/internal/orders/batch", post(ingest::store_batch))
        .route("/internal/orders/{id}", get(orders::show))
        .route(
            "/admin/deals",
            post(deals::schedule_deal).get(deals::list_deals),
        )
        .route(
            "/admin/deals/{id}",
            put(deals::edit_deal).delete(deals::cancel_deal),
        )
        .route(
            "/admin/festivals",
            post(festivals::schedule).get(festivals::list),
        )
        .route(
            "/admin/festivals/{id}",
            put(festivals::edit).delete(festivals::remove),
        )
        .route("/admin/deals/{id}/live", post(live::act))
        .route("/admin/live", get(live::list))
        .route("/admin/audit", get(live::audit_log))
        .route("/admin/dashboard", get(dashboard::dashboard))
        .route("/admin/orders", get(export::list))
        .route("/admin/orders.csv", get(export::csv))
        .route("/admin/sold", get(reconcile::sold))
        .route("/metrics", get(prometheus::metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
