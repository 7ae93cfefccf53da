//! `GET /api/static-cards`: the storefront's page as plain HTML — no Wasm, no JavaScript. It
//! exists for `cargo xtask bench`, which times navigation → first painted deal card on the
//! storefront (`/`) and on this page, both served by this Worker, and reports the ratio: the
//! same markup ([`markup::page`]), the same stylesheet (the `<link rel="stylesheet">` of the
//! storefront's `index.html`), the same catalog. Nothing links to it, and only a development
//! edge serves it.

use worker::{Env, Request, Response};

use super::words::Words;
use super::{index_html, markup};
use crate::error::EdgeResult;
use crate::{bindings, catalog};

/// The page: the storefront's stylesheet, then what the storefront first paints.
pub async fn serve(req: Request, env: &Env) -> EdgeResult<Response> {
    if !bindings::is_development(env) {
        return Err(festival_domain::Refusal::NotFound.into());
    }
    let index = index_html(&req, env).await?;
    let stylesheet = index
        .find(r#"<link rel="stylesheet""#)
        .and_then(|start| {
            let end = start + index[start..].find('>')?;
            Some(&index[start..=end])
        })
        .unwrap_or_default();
    let body = markup::page(&catalog::public(env, "en").await?, &Words::english());
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>11.11 Festival (static cards)</title>
{stylesheet}
</head>
<body>
{body}</body>
</html>
"#
    );
    let mut response = Response::from_html(page)?;
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}
