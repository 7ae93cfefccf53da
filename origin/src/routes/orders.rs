//! `GET /internal/orders/{id}`: one stored order, for an operator (the marketer token) or the
//! edge (a signed request).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use festival_domain::{Order, OrderId};

use super::guard::require_edge_or_marketer;
use crate::{AppState, OriginError, db};

pub(super) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Json<Order>, OriginError> {
    require_edge_or_marketer(&headers, &uri, &state.config)?;
    let id = OrderId::parse(&id).ok_or(OriginError::UnknownOrder)?;
    db::get_order(&state.db, &id)
        .await?
        .map(Json)
        .ok_or(OriginError::UnknownOrder)
}
