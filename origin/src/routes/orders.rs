//! `GET /internal/orders/{id}`: one stored order.

use axum::Json;
use axum::extract::{Path, State};
use festival_domain::{Order, OrderId};

use crate::{AppState, OriginError, db};

pub(super) async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Order>, OriginError> {
    let id = OrderId::parse(&id).ok_or(OriginError::UnknownOrder)?;
    db::get_order(&state.db, &id)
        .await?
        .map(Json)
        .ok_or(OriginError::UnknownOrder)
}
