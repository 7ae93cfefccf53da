//! Shopper sessions: `POST /api/session` signs one (a cookie for browsers, also in the body for
//! other clients), and every order takes its customer from it — never from the body. The sale
//! token (`POST /api/sale-token`) is bound to the session's customer.

use festival_domain::catalog::SaleTokenAnswer;
use festival_domain::token::{
    self, Purpose, SALE_TOKEN_TTL_MS, SESSION_COOKIE, SESSION_HEADER, SESSION_TTL_MS, TokenError,
};
use festival_domain::{CustomerId, Refusal, UnixMillis};
use serde::Serialize;
use worker::{Env, Request, Response, Result};

use crate::bindings::{self, SESSION_SECRET};
use crate::error::{EdgeError, EdgeResult};
use crate::stock::shard::random_u128;
use crate::{http, rate_limit};

/// The answer to `POST /api/session`.
#[derive(Serialize)]
struct SessionAnswer {
    customer_id: CustomerId,
    session: String,
    expires_at: UnixMillis,
}

/// The session's customer, or why there is none.
pub fn customer(req: &Request, env: &Env, now: UnixMillis) -> EdgeResult<CustomerId> {
    let header = req.headers().get(SESSION_HEADER)?;
    let cookie = req.headers().get("cookie")?;
    let presented = header.as_deref().or_else(|| {
        cookie
            .as_deref()
            .and_then(token::session_from_cookie_header)
    });
    let Some(presented) = presented else {
        return Err(Refusal::SessionRequired.into());
    };
    let secret = bindings::secret(env, SESSION_SECRET)?;
    let customer = token::verify(secret.as_bytes(), Purpose::Session, presented, now).map_err(
        |e| match e {
            TokenError::Invalid => Refusal::SessionInvalid,
            TokenError::Expired => Refusal::SessionExpired,
        },
    )?;
    Ok(customer)
}

/// `POST /api/session`: renews the presented session, or starts one for a new customer. A new
/// customer is a new identity, and identities must not be free: starts are limited per address
/// (`rate_limit::session_start`); a renewal mints nothing and is not limited.
pub async fn start(req: Request, env: &Env) -> EdgeResult<Response> {
    let now = bindings::now();
    let customer = match customer(&req, env, now) {
        Ok(customer) => customer,
        Err(EdgeError::Refused(_)) => {
            let address = rate_limit::client_address(&req)?;
            rate_limit::session_start(env, &address, now).await?;
            CustomerId::from_random(random_u128()?)
        }
        Err(error) => return Err(error),
    };
    let expires_at = now.plus_millis(SESSION_TTL_MS);
    let secret = bindings::secret(env, SESSION_SECRET)?;
    let session = token::issue(secret.as_bytes(), Purpose::Session, &customer, expires_at);
    let cookie = session.clone();
    let mut response = http::json(
        &SessionAnswer {
            customer_id: customer,
            session,
            expires_at,
        },
        200,
    )?;
    http::set_cookie(
        &mut response,
        &req,
        SESSION_COOKIE,
        &cookie,
        SESSION_TTL_MS / 1000,
    )?;
    Ok(response)
}

/// `POST /api/sale-token`: a sale token for the session's customer, valid for
/// [`SALE_TOKEN_TTL_MS`]. The storefront asks once per session and again before it expires;
/// it is not in the catalog, which is the same for everyone and cached.
pub fn issue_sale_token(req: &Request, env: &Env) -> EdgeResult<Response> {
    let now = bindings::now();
    let customer = customer(req, env, now)?;
    let secret = bindings::secret(env, SESSION_SECRET)?;
    let expires_at = now.plus_millis(SALE_TOKEN_TTL_MS);
    let sale_token = token::issue(secret.as_bytes(), Purpose::Sale, &customer, expires_at);
    Ok(http::json(
        &SaleTokenAnswer {
            sale_token,
            expires_at,
        },
        200,
    )?)
}

/// Whether `presented` is a live sale token of `customer`.
pub fn sale_token_is_valid(
    env: &Env,
    presented: &str,
    customer: &CustomerId,
    now: UnixMillis,
) -> Result<bool> {
    let secret = bindings::secret(env, SESSION_SECRET)?;
    Ok(
        token::verify(secret.as_bytes(), Purpose::Sale, presented, now)
            .is_ok_and(|owner| &owner == customer),
    )
}
