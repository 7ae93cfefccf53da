//! Who may call origin: every route but `/health` needs the edge's signature (made with the
//! batch secret) or the marketer token. Batches are signed over their body; a GET has none, so
//! the edge signs its path and query (see `festival_domain::batch`).

use axum::http::{HeaderMap, Uri, header};
use festival_domain::batch::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};

use super::marketer;
use crate::{Config, OriginError, now};

/// Verifies the edge's signature over `signed`, fresh by origin's clock: 401 `unsigned`,
/// `stale_signature` or `bad_signature` otherwise.
pub(super) fn require_edge(
    headers: &HeaderMap,
    config: &Config,
    signed: &[u8],
) -> Result<(), OriginError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    batch::verify(
        config.batch_secret.as_bytes(),
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        signed,
        now(),
    )?;
    Ok(())
}

/// For origin's internal reads: the marketer token when the request sends an `Authorization`
/// header (401 `unauthorized` if it is wrong), else the edge's signature over the path and
/// query (401 `unsigned` when there is none).
pub(super) fn require_edge_or_marketer(
    headers: &HeaderMap,
    uri: &Uri,
    config: &Config,
) -> Result<(), OriginError> {
    if headers.contains_key(header::AUTHORIZATION) {
        return marketer::require(headers, &config.marketer_token);
    }
    let signed = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    require_edge(headers, config, signed.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use festival_domain::UnixMillis;
    use serde_json::Value;
    use tower::ServiceExt;

    use super::*;
    use crate::db::testing::TestDatabase;
    use crate::{AppState, db};

    const BATCH: &str = "1d6b0f3e8a2c4957b3e1f0a9c8d7e6f5";
    const TOKEN: &str = "c4e6a8f0b2d4e6a8c0e2a4b6d8f0a2c4";

    /// Origin's router on a fresh temporary database, and that file.
    async fn app(name: &str) -> (axum::Router, TestDatabase) {
        let database = TestDatabase::fresh(name).await;
        let env = |key: &str| match key {
            "FESTIVAL_BATCH_SECRET" => Some(BATCH.to_owned()),
            "FESTIVAL_MARKETER_TOKEN" => Some(TOKEN.to_owned()),
            _ => None,
        };
        let config =
            Config::from_args_and_env(["--database-url", &database.url].map(String::from), env)
                .unwrap();
        let state = AppState {
            db: db::connect(&database.url).await.unwrap(),
            config: Arc::new(config),
        };
        (crate::app(state), database)
    }

    /// The edge's headers for a GET of `path`, signed with `secret` at `at`.
    fn signed(secret: &str, at: UnixMillis, path: &str) -> Vec<(&'static str, String)> {
        vec![
            (TIMESTAMP_HEADER, at.0.to_string()),
            (
                SIGNATURE_HEADER,
                batch::sign(secret.as_bytes(), at, path.as_bytes()),
            ),
        ]
    }

    async fn call(
        app: &axum::Router,
        method: &str,
        path: &str,
        headers: &[(&'static str, String)],
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let answer = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = answer.status();
        let body = axum::body::to_bytes(answer.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn every_route_but_health_refuses_an_anonymous_caller() {
        let (app, _database) = app("guard_anonymous").await;
        let routes = [
            ("GET", "/internal/catalog"),
            (
                "GET",
                "/internal/orders/lamp.0.00000000000000000000000000000001",
            ),
            ("POST", "/internal/orders/batch"),
            ("POST", "/admin/deals"),
            ("GET", "/admin/deals"),
            ("PUT", "/admin/deals/lamp"),
            ("DELETE", "/admin/deals/lamp"),
            ("GET", "/admin/dashboard"),
            ("GET", "/admin/sold"),
            ("GET", "/admin/orders"),
            ("GET", "/admin/orders.csv"),
            ("GET", "/metrics"),
        ];
        for (method, route) in routes {
            let (status, body) = call(&app, method, route, &[]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {route}: {body}");
            let code = body["code"].as_str().unwrap_or_default();
            assert!(
                ["unsigned", "unauthorized"].contains(&code),
                "{method} {route}: {body}"
            );
        }
        let (status, _) = call(&app, "GET", "/health", &[]).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn internal_reads_take_the_edge_signature_or_the_marketer_token() {
        let (app, _database) = app("guard_reads").await;
        let now = crate::now();
        let bearer = |token: &str| vec![("authorization", format!("Bearer {token}"))];
        let catalog = "/internal/catalog";
        let order = "/internal/orders/lamp.0.00000000000000000000000000000001";
        let stale = now.plus_millis(-10 * 60 * 1000);
        let cases = [
            (catalog, signed(BATCH, now, catalog), StatusCode::OK, None),
            (catalog, bearer(TOKEN), StatusCode::OK, None),
            (catalog, vec![], StatusCode::UNAUTHORIZED, Some("unsigned")),
            (
                catalog,
                bearer("wrong"),
                StatusCode::UNAUTHORIZED,
                Some("unauthorized"),
            ),
            (
                catalog,
                signed("another-secret", now, catalog),
                StatusCode::UNAUTHORIZED,
                Some("bad_signature"),
            ),
            // A signature is good for the path it was made for only.
            (
                catalog,
                signed(BATCH, now, order),
                StatusCode::UNAUTHORIZED,
                Some("bad_signature"),
            ),
            (
                catalog,
                signed(BATCH, stale, catalog),
                StatusCode::UNAUTHORIZED,
                Some("stale_signature"),
            ),
            (order, vec![], StatusCode::UNAUTHORIZED, Some("unsigned")),
            (
                order,
                bearer(TOKEN),
                StatusCode::NOT_FOUND,
                Some("unknown_order"),
            ),
            (
                order,
                signed(BATCH, now, order),
                StatusCode::NOT_FOUND,
                Some("unknown_order"),
            ),
        ];
        for (route, headers, want_status, want_code) in cases {
            let (status, body) = call(&app, "GET", route, &headers).await;
            assert_eq!(status, want_status, "{route} {headers:?}: {body}");
            if let Some(code) = want_code {
                assert_eq!(body["code"], code, "{route} {headers:?}");
            }
        }
    }
}
