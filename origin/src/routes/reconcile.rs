//! `GET /admin/sold`: what origin holds as sold, per deal — origin's side of `cargo xtask
//! reconcile`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;

use super::admin::require_marketer;
use crate::db::{self, DealTotals};
use crate::{AppState, OriginError};

pub(super) async fn sold(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<DealTotals>>, OriginError> {
    require_marketer(&headers, &state.config.marketer_token)?;
    Ok(Json(db::sold_per_deal(&state.db).await?))
}
