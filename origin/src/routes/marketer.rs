//! The marketer's token: `Authorization: Bearer <token>`, compared in constant time. Handlers
//! that only a marketer may call take a [`Marketer`] argument, so the check cannot be forgotten
//! and is written once; the console reaches them through the edge, which checks the token too,
//! but origin never trusts the network path.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use subtle::ConstantTimeEq;

use crate::{AppState, OriginError};

/// Proof that the request carried the marketer token (401 `unauthorized` otherwise), and the
/// token's label: who the audit log records its changes as.
pub(super) struct Marketer {
    pub label: String,
}

impl FromRequestParts<AppState> for Marketer {
    type Rejection = OriginError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        require(&parts.headers, &state.config.marketer_token).map(|()| Marketer {
            label: state.config.marketer_label.clone(),
        })
    }
}

/// Checks `Authorization: Bearer <token>` in constant time.
pub(super) fn require(headers: &HeaderMap, token: &str) -> Result<(), OriginError> {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(OriginError::Unauthorized)?;
    if bool::from(sent.as_bytes().ct_eq(token.as_bytes())) {
        Ok(())
    } else {
        Err(OriginError::Unauthorized)
    }
}
