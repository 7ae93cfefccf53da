//! `GET /internal/catalog`: the schedule the edge serves (and caches).

use axum::Json;
use axum::extract::State;
use festival_domain::Deal;

use crate::{AppState, OriginError, db};

pub(super) async fn list(State(state): State<AppState>) -> Result<Json<Vec<Deal>>, OriginError> {
    Ok(Json(db::list_deals(&state.db).await?))
}
