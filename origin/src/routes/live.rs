//! A live sale's controls and the audit log, for the marketer token: `POST
//! /admin/deals/{id}/live` (end now, add stock, pause, resume), `GET /admin/live` (every deal
//! with its controls) and `GET /admin/audit` (every change, newest first).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use festival_domain::DealId;
use festival_domain::audit::{AUDIT_PAGE, AUDIT_PAGE_MOST, AuditPage};
use festival_domain::catalog::ScheduledDeal;
use festival_domain::live::LiveAction;

use super::marketer::Marketer;
use crate::db::audit;
use crate::db::live::{self, Outcome};
use crate::{AppState, OriginError, now};

/// `POST /admin/deals/{id}/live` with a [`LiveAction`]: the deal with its controls after it.
/// The edge sends an end with its own clock's moment, and pushes the answer to the shards.
pub(super) async fn act(
    marketer: Marketer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ScheduledDeal>, OriginError> {
    let id = DealId::parse(&id).map_err(|_| OriginError::UnknownDeal)?;
    let action: LiveAction =
        serde_json::from_slice(&body).map_err(|e| OriginError::BadRequest(e.to_string()))?;
    let (freeze, now) = (state.config.edit_freeze, now());
    // A live control pins the deal's shards to its schedule, so it waits until the schedule
    // can no longer change: before, a marketer edits the sale instead.
    let may_act = |deal: &festival_domain::Deal| match freeze.check(deal.starts_at, now) {
        Ok(()) => Err("This sale can still be edited: change its schedule instead."),
        Err(_) => Ok(()),
    };
    match live::act(&state.db, &id, &action, (&marketer.label, now), may_act).await? {
        Outcome::Done(deal) => Ok(Json(*deal)),
        Outcome::Unknown => Err(OriginError::UnknownDeal),
        Outcome::Refused(words) => Err(OriginError::LiveRefused(words)),
    }
}

/// `GET /admin/live`: every scheduled deal with its live controls.
pub(super) async fn list(
    _: Marketer,
    State(state): State<AppState>,
) -> Result<Json<Vec<ScheduledDeal>>, OriginError> {
    Ok(Json(live::list_scheduled(&state.db).await?))
}

/// `GET /admin/audit?before=&limit=`: a page of the audit log, newest first.
pub(super) async fn audit_log(
    _: Marketer,
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<AuditPage>, OriginError> {
    let mut before = None;
    let mut limit = AUDIT_PAGE;
    for (name, value) in &query {
        let bad = || OriginError::InvalidQuery(format!("`{name}` cannot be `{value}`"));
        match name.as_str() {
            "before" => before = Some(value.parse::<i64>().map_err(|_| bad())?),
            "limit" => {
                limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|l| (1..=AUDIT_PAGE_MOST).contains(l))
                    .ok_or_else(bad)?
            }
            _ => {
                return Err(OriginError::InvalidQuery(format!(
                    "the audit log takes `before` and `limit`, not `{name}`"
                )));
            }
        }
    }
    Ok(Json(audit::page(&state.db, before, limit).await?))
}
