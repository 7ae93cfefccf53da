//! JSON answers, the cookies every route sets, and how an error becomes an answer: handlers
//! return an [`EdgeError`](crate::error::EdgeError), whose `into_response` renders it with the
//! functions here.

use festival_domain::Refusal;
use festival_domain::refusal::ErrorBody;
use festival_domain::token;
use serde::Serialize;
use worker::{Request, Response, Result};

/// `value` as JSON with `status`.
pub fn json<T: Serialize>(value: &T, status: u16) -> Result<Response> {
    let mut response = Response::from_json(value)?.with_status(status);
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}

/// A refusal as `{code, message}` with its status (and `Retry-After` when rate limited).
pub fn refusal(refusal: &Refusal) -> Result<Response> {
    let mut response = json(&refusal.body(), refusal.http_status())?;
    if let Refusal::RateLimited { retry_after_s } = refusal {
        response
            .headers_mut()
            .set("retry-after", &retry_after_s.to_string())?;
    }
    Ok(response)
}

/// An error answer `{code, message}` with `status`, for errors outside [`Refusal`] (the
/// console's and operator's routes: `EdgeError::Unauthorized` and `Rejected`).
pub fn error(status: u16, code: &str, message: &str) -> Result<Response> {
    let body = ErrorBody {
        code: code.into(),
        message: message.into(),
    };
    json(&body, status)
}

/// The edge could not reach a part of the platform it needs; the shopper may retry.
pub fn unavailable() -> Result<Response> {
    error(
        503,
        "unavailable",
        "The shop is busy right now. Please try again in a moment.",
    )
}

/// The edge is not configured to serve safely (see `bindings::misconfiguration`); the details
/// go to the log, never to the caller.
pub fn misconfigured() -> Result<Response> {
    error(
        503,
        "misconfigured",
        "The shop is not open: its configuration is incomplete.",
    )
}

/// Sets the cookie `name` on `response` for `max_age_s` seconds (0 removes it), `Secure` when
/// `req` came over https (`festival_domain::token::set_cookie` says how, and why).
pub fn set_cookie(
    response: &mut Response,
    req: &Request,
    name: &str,
    value: &str,
    max_age_s: i64,
) -> Result<()> {
    let https = req.url()?.scheme() == "https";
    let cookie = token::set_cookie(name, value, max_age_s, https);
    // Appended: an answer may set two (the waiting room's pass and ticket).
    response.headers_mut().append("set-cookie", &cookie)
}
