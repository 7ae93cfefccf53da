//! The marketer's (and operator's) token: the console's API and `/api/ops` check it here.

use subtle::ConstantTimeEq;
use worker::{Env, Request, Result, console_error};

use crate::bindings::{self, MARKETER_TOKEN};
use crate::error::{EdgeError, EdgeResult};

/// Whether the request carries `Authorization: Bearer <MARKETER_TOKEN>`, compared in constant
/// time. With no token configured, nobody is a marketer.
pub fn is_marketer(req: &Request, env: &Env) -> Result<bool> {
    let expected = bindings::secret(env, MARKETER_TOKEN).unwrap_or_default();
    if expected.is_empty() {
        console_error!("{MARKETER_TOKEN} is not set: the console and /api/ops are closed");
        return Ok(false);
    }
    let sent = req.headers().get("authorization")?.unwrap_or_default();
    let sent = sent.strip_prefix("Bearer ").unwrap_or_default();
    Ok(bool::from(sent.as_bytes().ct_eq(expected.as_bytes())))
}

/// Stops a request without the marketer token: 401 `unauthorized`.
pub fn require(req: &Request, env: &Env) -> EdgeResult<()> {
    if is_marketer(req, env)? {
        Ok(())
    } else {
        Err(EdgeError::Unauthorized)
    }
}
