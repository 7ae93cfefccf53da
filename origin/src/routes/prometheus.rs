//! `GET /metrics`: origin's Prometheus metrics (`crate::metrics`), for the marketer's token.

use axum::http::header;
use axum::response::IntoResponse;

use super::marketer::Marketer;
use crate::metrics;

/// Every metric in the Prometheus text format 0.0.4; 401 without the token.
pub(super) async fn metrics(_: Marketer) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(),
    )
}
