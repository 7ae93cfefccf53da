//! Requests from the edge to origin, signed with `BATCH_SECRET`: origin answers every route but
//! `/health` only to the edge's signature or the marketer's token. One signing for all of them,
//! as `festival_domain::batch` defines it.

use festival_domain::batch::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use worker::{Env, Headers, Method, Request, RequestInit, Result};

use crate::bindings::{self, BATCH_SECRET};

/// Sets on `headers` the edge's signature over `signed` (a batch's body, or a GET's path and
/// query), made now.
pub fn sign(env: &Env, headers: &Headers, signed: &[u8]) -> Result<()> {
    let timestamp = bindings::now();
    let secret = bindings::secret(env, BATCH_SECRET)?;
    let signature = batch::sign(secret.as_bytes(), timestamp, signed);
    headers.set(TIMESTAMP_HEADER, &timestamp.0.to_string())?;
    headers.set(SIGNATURE_HEADER, &signature)?;
    Ok(())
}

/// A signed `GET` of origin's `path` (with its query, if any), e.g. `/internal/catalog`.
pub fn get(env: &Env, path: &str) -> Result<Request> {
    let headers = Headers::new();
    sign(env, &headers, path.as_bytes())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let url = format!("{}{path}", bindings::origin_url(env)?);
    Request::new_with_init(&url, &init)
}
