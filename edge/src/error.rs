//! The edge's one error type. A handler returns `EdgeResult<Response>` and stops with `?` on
//! whatever went wrong — a shopper's request refused (`Refusal`, a 4xx with a stable code), a
//! missing token, a bad operator request, or the platform failing (a Durable Object, the queue,
//! origin: `worker::Error`) — and `lib.rs` turns it into an answer in one place: refusals with
//! their code and words, platform failures logged in full and answered 503 `unavailable`, never
//! with an internal message.

use festival_domain::Refusal;
use worker::Response;

use crate::http;

/// Why a request was not served.
#[derive(Debug)]
pub enum EdgeError {
    /// The shopper's request is refused: its status, code and words are the `Refusal`'s.
    Refused(Refusal),
    /// The console's or operator's routes without the marketer token: 401 `unauthorized`.
    Unauthorized,
    /// A console or operator request the edge will not pass on: its status, code and words.
    Rejected {
        status: u16,
        code: &'static str,
        message: String,
    },
    /// The platform failed: logged, answered 503 `unavailable`.
    Unavailable(worker::Error),
}

/// A handler's result.
pub type EdgeResult<T> = Result<T, EdgeError>;

impl From<Refusal> for EdgeError {
    fn from(refusal: Refusal) -> Self {
        EdgeError::Refused(refusal)
    }
}

impl From<worker::Error> for EdgeError {
    fn from(error: worker::Error) -> Self {
        EdgeError::Unavailable(error)
    }
}

impl From<serde_json::Error> for EdgeError {
    fn from(error: serde_json::Error) -> Self {
        EdgeError::Unavailable(error.into())
    }
}

impl EdgeError {
    /// The stable code the answer carries.
    pub fn code(&self) -> &'static str {
        match self {
            EdgeError::Refused(refusal) => refusal.code(),
            EdgeError::Unauthorized => "unauthorized",
            EdgeError::Rejected { code, .. } => code,
            EdgeError::Unavailable(_) => "unavailable",
        }
    }

    /// The answer's status.
    pub fn status(&self) -> u16 {
        match self {
            EdgeError::Refused(refusal) => refusal.http_status(),
            EdgeError::Unauthorized => 401,
            EdgeError::Rejected { status, .. } => *status,
            EdgeError::Unavailable(_) => 503,
        }
    }

    /// The answer.
    pub fn into_response(self) -> worker::Result<Response> {
        match self {
            EdgeError::Refused(refusal) => http::refusal(&refusal),
            EdgeError::Unauthorized => {
                http::error(401, "unauthorized", "A valid marketer token is required.")
            }
            EdgeError::Rejected {
                status,
                code,
                message,
            } => http::error(status, code, &message),
            EdgeError::Unavailable(_) => http::unavailable(),
        }
    }
}
