//! Every way an origin request can fail, and the one place that turns it into HTTP.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use festival_domain::SignatureError;
use festival_domain::deal::ScheduleProblem;
use festival_domain::freeze::Frozen;
use festival_domain::refusal::ErrorBody;
use serde_json::json;

/// An origin request's failure. The response carries a stable code and words, never SQL or paths.
#[derive(Debug, thiserror::Error)]
pub enum OriginError {
    /// The batch signature is missing, stale or wrong.
    #[error("{0}")]
    Signature(#[from] SignatureError),
    /// The console token is missing or wrong.
    #[error("a valid marketer token is required")]
    Unauthorized,
    /// The body is not the JSON this route takes.
    #[error("the request body is not valid: {0}")]
    BadRequest(String),
    /// A batch holds more orders than allowed.
    #[error("a batch holds at most {0} orders")]
    BatchTooLarge(usize),
    /// A deal breaks the scheduling rules.
    #[error("the schedule breaks {} rule(s)", .0.len())]
    InvalidSchedule(Vec<ScheduleProblem>),
    /// A deal with this id exists already.
    #[error("a deal with this id exists already")]
    DealExists,
    /// No such order.
    #[error("there is no such order")]
    UnknownOrder,
    /// No deal has this id.
    #[error("there is no such deal")]
    UnknownDeal,
    /// The sale has started, or starts within the edit freeze: its schedule can no longer
    /// change (or an edit would move its start inside the freeze).
    #[error("{}", .0.message())]
    Frozen(Frozen),
    /// A festival breaks the rules (dates, overlap, time zone, colour, deals).
    #[error("the festival breaks {} rule(s)", .0.len())]
    InvalidFestival(Vec<ScheduleProblem>),
    /// A festival with this id exists already.
    #[error("a festival with this id exists already")]
    FestivalExists,
    /// No festival has this id.
    #[error("there is no such festival")]
    UnknownFestival,
    /// The body names another festival than the path.
    #[error("the festival id in the body differs from the one in the path")]
    FestivalIdMismatch,
    /// The body names another deal than the path.
    #[error("the deal id in the body differs from the one in the path")]
    DealIdMismatch,
    /// The dashboard's query asks for a window it cannot show.
    #[error("{0}")]
    InvalidWindow(String),
    /// A listing's query names a parameter it does not take, or a value it cannot use.
    #[error("{0}")]
    InvalidQuery(String),
    /// A live sale's action does not apply to it as it stands (in words).
    #[error("{0}")]
    LiveRefused(&'static str),
    /// The database failed; details go to the log only.
    #[error("the database is unavailable")]
    Database(#[from] sqlx::Error),
}

impl OriginError {
    /// The stable code the answer carries (`unsigned`, `bad_request`, …).
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            OriginError::Signature(e) => (StatusCode::UNAUTHORIZED, e.code()),
            OriginError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            OriginError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            OriginError::BatchTooLarge(_) => (StatusCode::UNPROCESSABLE_ENTITY, "batch_too_large"),
            OriginError::InvalidSchedule(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_schedule")
            }
            OriginError::DealExists => (StatusCode::CONFLICT, "deal_exists"),
            OriginError::UnknownOrder => (StatusCode::NOT_FOUND, "unknown_order"),
            OriginError::UnknownDeal => (StatusCode::NOT_FOUND, "unknown_deal"),
            OriginError::Frozen(Frozen::Started) => (StatusCode::CONFLICT, "sale_started"),
            OriginError::Frozen(_) => (StatusCode::CONFLICT, "schedule_frozen"),
            OriginError::InvalidFestival(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_festival")
            }
            OriginError::FestivalExists => (StatusCode::CONFLICT, "festival_exists"),
            OriginError::UnknownFestival => (StatusCode::NOT_FOUND, "unknown_festival"),
            OriginError::FestivalIdMismatch => (StatusCode::BAD_REQUEST, "festival_id_mismatch"),
            OriginError::DealIdMismatch => (StatusCode::BAD_REQUEST, "deal_id_mismatch"),
            OriginError::InvalidWindow(_) => (StatusCode::BAD_REQUEST, "invalid_window"),
            OriginError::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "invalid_query"),
            OriginError::LiveRefused(_) => (StatusCode::CONFLICT, "live_action_refused"),
            OriginError::Database(_) => (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable"),
        }
    }
}

impl IntoResponse for OriginError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let OriginError::Database(e) = &self {
            tracing::error!("database error: {e}");
            crate::metrics::database_error();
        }
        let body = ErrorBody {
            code: code.to_owned(),
            message: self.to_string(),
        };
        match self {
            OriginError::InvalidSchedule(problems) | OriginError::InvalidFestival(problems) => (
                status,
                Json(json!({"code": body.code, "message": body.message, "problems": problems})),
            )
                .into_response(),
            _ => (status, Json(body)).into_response(),
        }
    }
}
