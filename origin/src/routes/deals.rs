//! `/admin/deals`: a marketer schedules, lists, edits and cancels flash sales (the console,
//! through the edge's `/api/console/*`); edits and cancels only until a sale's schedule freezes
//! (`festival_domain::freeze`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use festival_domain::{Deal, DealId};

use super::marketer::Marketer;
use crate::db::{self, sales, sales::Change};
use crate::{AppState, OriginError, now};

/// `POST /admin/deals`: schedules a sale (201), refusing a schedule that breaks the rules with
/// every problem at once, and an id already taken.
pub(super) async fn schedule_deal(
    marketer: Marketer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Deal>), OriginError> {
    let deal: Deal =
        serde_json::from_slice(&body).map_err(|e| OriginError::BadRequest(e.to_string()))?;
    let now = now();
    let problems = deal.schedule_problems(now);
    if !problems.is_empty() {
        return Err(OriginError::InvalidSchedule(problems));
    }
    if !db::insert_deal(&state.db, &deal, now, &marketer.label).await? {
        return Err(OriginError::DealExists);
    }
    Ok((StatusCode::CREATED, Json(deal)))
}

/// `GET /admin/deals`: every scheduled sale, soonest start first.
pub(super) async fn list_deals(
    _: Marketer,
    State(state): State<AppState>,
) -> Result<Json<Vec<Deal>>, OriginError> {
    Ok(Json(db::list_deals(&state.db).await?))
}

/// `PUT /admin/deals/{id}`: replaces a sale's schedule until it freezes (see `festival_domain::freeze`);
/// the edit may not move the start inside the freeze either.
pub(super) async fn edit_deal(
    marketer: Marketer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Deal>, OriginError> {
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
    match sales::update_deal(&state.db, &deal, (&marketer.label, now), may_change).await? {
        Change::Done => Ok(Json(deal)),
        Change::Unknown => Err(OriginError::UnknownDeal),
        Change::Frozen(frozen) => Err(OriginError::Frozen(frozen)),
    }
}

/// `DELETE /admin/deals/{id}`: cancels a sale until its schedule freezes; it leaves the catalog.
pub(super) async fn cancel_deal(
    marketer: Marketer,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Option<Deal>>, OriginError> {
    let id = DealId::parse(&id).map_err(|_| OriginError::UnknownDeal)?;
    let (freeze, now) = (state.config.edit_freeze, now());
    let may_change = |stored: &Deal| freeze.check(stored.starts_at, now);
    match sales::cancel_deal(&state.db, &id, (&marketer.label, now), may_change).await? {
        (Change::Done, deal) => Ok(Json(deal)),
        (Change::Unknown, _) => Err(OriginError::UnknownDeal),
        (Change::Frozen(frozen), _) => Err(OriginError::Frozen(frozen)),
    }
}
