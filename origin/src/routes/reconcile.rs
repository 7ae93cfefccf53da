//! `GET /admin/sold`: what origin holds as sold, per deal — origin's side of `cargo xtask
//! reconcile`.

use axum::Json;
use axum::extract::State;

use super::marketer::Marketer;
use crate::db::{self, DealTotals};
use crate::{AppState, OriginError};

pub(super) async fn sold(
    _: Marketer,
    State(state): State<AppState>,
) -> Result<Json<Vec<DealTotals>>, OriginError> {
    Ok(Json(db::sold_per_deal(&state.db).await?))
}
