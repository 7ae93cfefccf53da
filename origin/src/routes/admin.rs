//! `POST /admin/deals`: a marketer schedules a flash sale. The console reaches it through the
//! edge; the token is checked here as well, so origin never trusts the network path. And
//! `GET /metrics`, origin's Prometheus metrics (`crate::metrics`), for the same token.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use festival_domain::Deal;
use subtle::ConstantTimeEq;

use crate::{AppState, OriginError, db, metrics, now};

pub(super) async fn schedule_deal(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Deal>), OriginError> {
    require_marketer(&headers, &state.config.marketer_token)?;
    let deal: Deal =
        serde_json::from_slice(&body).map_err(|e| OriginError::BadRequest(e.to_string()))?;
    let now = now();
    let problems = deal.schedule_problems(now);
    if !problems.is_empty() {
        return Err(OriginError::InvalidSchedule(problems));
    }
    if !db::insert_deal(&state.db, &deal, now).await? {
        return Err(OriginError::DealExists);
    }
    Ok((StatusCode::CREATED, Json(deal)))
}

/// `GET /metrics`: every metric in the Prometheus text format 0.0.4; 401 without the token.
pub(super) async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, OriginError> {
    require_marketer(&headers, &state.config.marketer_token)?;
    Ok((
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(),
    ))
}

/// Checks `Authorization: Bearer <token>` in constant time.
pub(super) fn require_marketer(headers: &HeaderMap, token: &str) -> Result<(), OriginError> {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(OriginError::Unauthorized)?;
    if bool::from(sent.as_bytes().ct_eq(token.as_bytes())) {
        Ok(())
    } else {
        Err(OriginError::Unauthorized)
    }
}
