//! `/admin/festivals`: a marketer schedules, lists, edits and takes out festivals (the console,
//! through the edge's `/api/console/*`). The rules are `Festival::problems`, checked against
//! the stored festivals and deals in the transaction that writes (`db::festivals`), which
//! records each change in the audit log.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use festival_domain::Festival;

use super::marketer::Marketer;
use crate::db::festivals::{self, Write, Written};
use crate::{AppState, OriginError, now};

/// `GET /admin/festivals`: every festival, soonest start first.
pub(super) async fn list(
    _: Marketer,
    State(state): State<AppState>,
) -> Result<Json<Vec<Festival>>, OriginError> {
    Ok(Json(festivals::list(&state.db).await?))
}

/// `POST /admin/festivals`: schedules a festival (201).
pub(super) async fn schedule(
    marketer: Marketer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Festival>), OriginError> {
    let festival = parse(&body)?;
    written(
        festivals::write(
            &state.db,
            &festival,
            Write::Insert,
            (&marketer.label, now()),
        )
        .await?,
    )?;
    Ok((StatusCode::CREATED, Json(festival)))
}

/// `PUT /admin/festivals/{id}`: replaces a festival, by the same rules.
pub(super) async fn edit(
    marketer: Marketer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Festival>, OriginError> {
    let festival = parse(&body)?;
    if festival.id != id {
        return Err(OriginError::FestivalIdMismatch);
    }
    written(
        festivals::write(
            &state.db,
            &festival,
            Write::Replace,
            (&marketer.label, now()),
        )
        .await?,
    )?;
    Ok(Json(festival))
}

/// `DELETE /admin/festivals/{id}`: takes a festival out; answers the festival it was. Its
/// deals stay scheduled.
pub(super) async fn remove(
    marketer: Marketer,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Festival>, OriginError> {
    festivals::delete(&state.db, &id, (&marketer.label, now()))
        .await?
        .map(Json)
        .ok_or(OriginError::UnknownFestival)
}

fn parse(body: &[u8]) -> Result<Festival, OriginError> {
    serde_json::from_slice(body).map_err(|e| OriginError::BadRequest(e.to_string()))
}

fn written(outcome: Written) -> Result<(), OriginError> {
    match outcome {
        Written::Done => Ok(()),
        Written::Exists => Err(OriginError::FestivalExists),
        Written::Unknown => Err(OriginError::UnknownFestival),
        Written::Refused(problems) => Err(OriginError::InvalidFestival(problems)),
    }
}
