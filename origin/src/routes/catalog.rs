//! `GET /internal/catalog`: the schedule the edge serves (and caches) — every deal with its
//! live controls (`ScheduledDeal`), and the festivals not yet ended. The edge signs the
//! request; the marketer token opens it too.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use festival_domain::catalog::Schedule;

use super::guard::require_edge_or_marketer;
use crate::db::festivals;
use crate::{AppState, OriginError, db, now};

pub(super) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Schedule>, OriginError> {
    require_edge_or_marketer(&headers, &uri, &state.config)?;
    Ok(Json(Schedule {
        deals: db::live::list_scheduled(&state.db).await?,
        festivals: festivals::not_ended(&state.db, now()).await?,
    }))
}
