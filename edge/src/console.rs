//! `/api/console/*`: the marketer console's API, proxied to origin's `/admin/*` (same method,
//! body and query) once the edge has checked the marketer token. A request without the right
//! token is answered 401 here and never reaches origin; origin checks the token again.

use worker::{Env, Fetch, Headers, Method, Request, RequestInit, Response};

use crate::error::{EdgeError, EdgeResult};
use crate::{bindings, marketer};

/// Largest console request body forwarded (a deal's schedule is well under 4 KB).
const MAX_CONSOLE_BODY_BYTES: usize = 64 * 1024;

/// Proxies `req` (whose path is `/api/console/<rest>`) to origin's `/admin/<rest>`.
pub async fn proxy(mut req: Request, rest: &[&str], env: &Env) -> EdgeResult<Response> {
    marketer::require(&req, env)?;
    let authorization = req.headers().get("authorization")?.unwrap_or_default();
    // Only plain path segments (`orders.csv` is one): no `.` or `..` can walk out of /admin/.
    let plain = |s: &&str| {
        !s.is_empty()
            && s.bytes().any(|b| b != b'.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if rest.is_empty() || !rest.iter().all(plain) {
        return Err(EdgeError::Rejected {
            status: 404,
            code: "not_found",
            message: "There is no such console page.".into(),
        });
    }
    let announced = req
        .headers()
        .get("content-length")?
        .and_then(|n| n.parse::<usize>().ok());
    if announced.is_some_and(|n| n > MAX_CONSOLE_BODY_BYTES) {
        return Err(too_large());
    }

    let mut path = rest.join("/");
    if let Some(query) = req.url()?.query() {
        path.push('?');
        path.push_str(query);
    }
    let method = req.method();
    let body = if matches!(method, Method::Get | Method::Head) {
        None
    } else {
        let body = req.bytes().await?;
        if body.len() > MAX_CONSOLE_BODY_BYTES {
            return Err(too_large());
        }
        Some(body)
    };
    let answer = to_origin(env, &authorization, method, &path, body).await?;
    // The body streams through as origin sends it (an export of every order never sits whole
    // in the isolate); its type and any download name go with it.
    let mut response =
        Response::from_body(answer.body().clone())?.with_status(answer.status_code());
    let headers = response.headers_mut();
    for name in ["content-type", "content-disposition"] {
        if let Some(value) = answer.headers().get(name)? {
            headers.set(name, &value)?;
        }
    }
    headers.set("cache-control", "no-store")?;
    Ok(response)
}

/// Sends a console request to origin's `/admin/<path>` (with its query) with the marketer's
/// `authorization`; origin's answer unless it is a 5xx, whose words stay in the log.
pub async fn to_origin(
    env: &Env,
    authorization: &str,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> EdgeResult<Response> {
    let url = format!("{}/admin/{path}", bindings::origin_url(env)?);
    let headers = Headers::new();
    headers.set("authorization", authorization)?;
    let mut init = RequestInit::new();
    if let Some(body) = body {
        headers.set("content-type", "application/json")?;
        init.with_body(Some(js_sys::Uint8Array::from(body.as_slice()).into()));
    }
    init.with_method(method).with_headers(headers);
    let answer = Fetch::Request(Request::new_with_init(&url, &init)?)
        .send()
        .await?;
    let status = answer.status_code();
    if status >= 500 {
        return Err(EdgeError::Unavailable(
            format!("origin answered {status} to a console request").into(),
        ));
    }
    Ok(answer)
}

fn too_large() -> EdgeError {
    EdgeError::Rejected {
        status: 413,
        code: "body_too_large",
        message: "The request body is larger than 64 KB.".into(),
    }
}
