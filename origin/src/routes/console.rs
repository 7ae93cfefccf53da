//! The marketer console's API (reached through the edge's `/api/console/*`): list, edit and
//! cancel scheduled sales (until their schedule freezes), and the live dashboard. Every route checks the marketer token here
//! too, so origin never trusts the network path.

mod queries;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use festival_domain::dashboard::{self, DEFAULT_WINDOW_S, Dashboard, DashboardWindow};
use festival_domain::{Deal, DealId};

use self::queries::Change;
use super::admin::require_marketer;
use crate::{AppState, OriginError, db, now};

/// `GET /admin/deals`: every scheduled sale, soonest start first.
pub(super) async fn list_deals(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<Deal>>, OriginError> {
    require_marketer(&headers, &state.config.marketer_token)?;
    Ok(Json(db::list_deals(&state.db).await?))
}

/// `PUT /admin/deals/{id}`: replaces a sale's schedule until it freezes (see `festival_domain::freeze`);
/// the edit may not move the start inside the freeze either.
pub(super) async fn edit_deal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Deal>, OriginError> {
    require_marketer(&headers, &state.config.marketer_token)?;
    let id = DealId::parse(&id).map_err(|_| OriginError::UnknownDeal)?;
    let deal: Deal =
        serde_json::from_slice(&body).map_err(|e| OriginError::BadRequest(e.to_string()))?;
    if deal.id != id {
        return Err(OriginError::DealIdMismatch);
    }
    let now = now();
    let problems = deal.schedule_problems(now);
    if !problems.is_empty() {
        return Err(OriginError::InvalidSchedule(problems));
    }
    let freeze = state.config.edit_freeze;
    let may_change = |stored: &Deal| freeze.check_edit(stored.starts_at, deal.starts_at, now);
    match queries::update_deal(&state.db, &deal, may_change).await? {
        Change::Done => Ok(Json(deal)),
        Change::Unknown => Err(OriginError::UnknownDeal),
        Change::Frozen(frozen) => Err(OriginError::Frozen(frozen)),
    }
}

/// `DELETE /admin/deals/{id}`: cancels a sale until its schedule freezes; it leaves the catalog.
pub(super) async fn cancel_deal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Option<Deal>>, OriginError> {
    require_marketer(&headers, &state.config.marketer_token)?;
    let id = DealId::parse(&id).map_err(|_| OriginError::UnknownDeal)?;
    let (freeze, now) = (state.config.edit_freeze, now());
    let may_change = |stored: &Deal| freeze.check(stored.starts_at, now);
    match queries::cancel_deal(&state.db, &id, now, may_change).await? {
        (Change::Done, deal) => Ok(Json(deal)),
        (Change::Unknown, _) => Err(OriginError::UnknownDeal),
        (Change::Frozen(frozen), _) => Err(OriginError::Frozen(frozen)),
    }
}

/// `GET /admin/dashboard?window_s=300[&bucket_s=5]`: the live big screen.
pub(super) async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Dashboard>, OriginError> {
    require_marketer(&headers, &state.config.marketer_token)?;
    let (window_s, bucket_s) = parse_window_query(query.as_deref().unwrap_or(""))?;
    let window = DashboardWindow::new(now(), window_s, bucket_s)
        .map_err(|e| OriginError::InvalidWindow(e.to_string()))?;
    let (deals, sales, per_second) = queries::dashboard_inputs(&state.db, &window).await?;
    Ok(Json(dashboard::build(&window, &deals, &sales, &per_second)))
}

/// Reads `window_s` and `bucket_s` (whole seconds); anything else in the query is refused, so a
/// misspelt parameter is not silently ignored.
fn parse_window_query(query: &str) -> Result<(u32, Option<u32>), OriginError> {
    let bad = |what: &str| {
        OriginError::InvalidWindow(format!("{what} must be a whole number of seconds"))
    };
    let (mut window_s, mut bucket_s) = (DEFAULT_WINDOW_S, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "window_s" => window_s = value.parse().map_err(|_| bad("window_s"))?,
            "bucket_s" => bucket_s = Some(value.parse().map_err(|_| bad("bucket_s"))?),
            _ => {
                return Err(OriginError::InvalidWindow(
                    "the dashboard takes only window_s and bucket_s".into(),
                ));
            }
        }
    }
    Ok((window_s, bucket_s))
}

#[cfg(test)]
mod tests;
