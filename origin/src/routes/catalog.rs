//! `GET /internal/catalog`: the schedule the edge serves (and caches). The edge signs the
//! request; the marketer token opens it too.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use festival_domain::Deal;

use super::guard::require_edge_or_marketer;
use crate::{AppState, OriginError, db};

pub(super) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Vec<Deal>>, OriginError> {
    require_edge_or_marketer(&headers, &uri, &state.config)?;
    Ok(Json(db::list_deals(&state.db).await?))
}
