//! `/metrics` through origin's real router. The registry is the process's, shared with the tests
//! that run alongside (the guard's sends an unsigned batch, health's break their databases): each
//! test reads the metrics before and after, and asserts on the increase.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use festival_domain::UnixMillis;
use festival_domain::batch::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use festival_domain::settings::{DEV_BATCH_SECRET, DEV_MARKETER_TOKEN};
use tower::ServiceExt;

use crate::db::testing::TestDatabase;
use crate::{AppState, Config, db};

/// Origin's router (development secrets) on a fresh database, its state, and the database.
async fn origin(name: &str) -> (axum::Router, AppState, TestDatabase) {
    let database = TestDatabase::fresh(name).await;
    let args = ["--dev", "--database-url", &database.url].map(String::from);
    let config = Config::from_args_and_env(args, |_| None).unwrap();
    let state = AppState {
        db: db::connect(&database.url).await.unwrap(),
        config: Arc::new(config),
    };
    (crate::app(state.clone()), state, database)
}

/// The status, `Content-Type` and body of `request`.
async fn call(app: &axum::Router, request: Request<Body>) -> (StatusCode, String, String) {
    let answer = app.clone().oneshot(request).await.unwrap();
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE);
    let content_type = content_type.map_or("", |v| v.to_str().unwrap()).to_owned();
    let body = axum::body::to_bytes(answer.into_body(), 1 << 20).await;
    let body = String::from_utf8(body.unwrap().to_vec()).unwrap();
    (status, content_type, body)
}

fn get_metrics(token: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/metrics");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).unwrap()
}

/// `/metrics` with the marketer token: 200, in the text format 0.0.4.
async fn scrape(app: &axum::Router) -> String {
    let (status, content_type, text) = call(app, get_metrics(Some(DEV_MARKETER_TOKEN))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    text
}

/// The value of `series` (its name and labels, as written) in `text`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

/// How much each of `series` grew from `before` to `after`.
fn growth<const N: usize>(before: &str, after: &str, series: [&str; N]) -> [f64; N] {
    series.map(|series| sample(after, series) - sample(before, series))
}

/// A batch of `nonces.len()` reserved lamp orders, as the edge sends it.
fn batch_body(nonces: &[u128]) -> String {
    let orders: Vec<String> = nonces
        .iter()
        .map(|nonce| {
            format!(
                r#"{{"id":"lamp.0.{nonce:032x}","status":"reserved","deal_id":"lamp",
                "customer_id":"c1","idempotency_key":"key-{nonce:08}","quantity":1,
                "unit_price_minor":100,"total_minor":100,"currency":"USD","priced_at":1}}"#
            )
        })
        .collect();
    format!(r#"{{"orders":[{}]}}"#, orders.join(","))
}

/// `POST /internal/orders/batch` of `body`, signed with `secret` (unsigned when `None`).
fn post_batch(body: &str, secret: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/internal/orders/batch");
    if let Some(secret) = secret {
        let now: UnixMillis = crate::now();
        let signature = batch::sign(secret.as_bytes(), now, body.as_bytes());
        request = request
            .header(TIMESTAMP_HEADER, now.0.to_string())
            .header(SIGNATURE_HEADER, signature);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn metrics_need_the_marketer_token() {
    let (app, _state, _database) = origin("metrics_token").await;
    for token in [None, Some("not-the-marketer-token")] {
        let (status, _, body) = call(&app, get_metrics(token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
        assert!(body.contains(r#""code":"unauthorized""#), "{body}");
    }
    let text = scrape(&app).await;
    for (name, kind) in [
        ("festival_batches_stored_total", "counter"),
        ("festival_orders_stored_total", "counter"),
        ("festival_batches_refused_total", "counter"),
        ("festival_ingest_seconds", "histogram"),
        ("festival_database_errors_total", "counter"),
    ] {
        assert!(text.contains(&format!("# TYPE {name} {kind}\n")), "{text}");
    }
    for series in [
        r#"festival_ingest_seconds_bucket{le="0.001"}"#,
        r#"festival_ingest_seconds_bucket{le="5"}"#,
        r#"festival_ingest_seconds_bucket{le="+Inf"}"#,
        r#"festival_batches_refused_total{reason="stale_signature"}"#,
        r#"festival_orders_stored_total{result="already"}"#,
    ] {
        sample(&text, series);
    }
}

#[tokio::test]
async fn stored_batches_count_their_orders_and_refused_ones_their_reason() {
    let (app, _state, _database) = origin("metrics_ingest").await;
    let series = [
        "festival_batches_stored_total",
        r#"festival_orders_stored_total{result="new"}"#,
        r#"festival_orders_stored_total{result="already"}"#,
        "festival_ingest_seconds_count",
        r#"festival_batches_refused_total{reason="unsigned"}"#,
        r#"festival_batches_refused_total{reason="bad_signature"}"#,
        r#"festival_batches_refused_total{reason="bad_request"}"#,
    ];
    let before = scrape(&app).await;
    let body = batch_body(&[1, 2]);
    let (status, _, receipt) = call(&app, post_batch(&body, Some(DEV_BATCH_SECRET))).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let after = scrape(&app).await;
    let [batches, new, _, timed, ..] = growth(&before, &after, series);
    assert!(batches >= 1.0 && new >= 2.0 && timed >= 1.0, "{after}");

    // The same batch again: its orders were stored already.
    call(&app, post_batch(&body, Some(DEV_BATCH_SECRET))).await;
    // Refused: unsigned, signed with another secret, and signed but not a batch.
    let refused = [
        post_batch(&body, None),
        post_batch(&body, Some("another-secret-of-at-least-32-bytes")),
        post_batch("[]", Some(DEV_BATCH_SECRET)),
    ];
    for request in refused {
        let (status, _, answer) = call(&app, request).await;
        assert!(status.is_client_error(), "{status}: {answer}");
    }
    let last = scrape(&app).await;
    let [batches, _, already, _, unsigned, bad_signature, bad_request] =
        growth(&after, &last, series);
    assert!(batches >= 1.0 && already >= 2.0, "{last}");
    assert!(
        unsigned >= 1.0 && bad_signature >= 1.0 && bad_request >= 1.0,
        "{last}"
    );
}

#[tokio::test]
async fn database_failures_are_counted() {
    let (app, state, _database) = origin("metrics_database").await;
    let series = [
        "festival_database_errors_total",
        r#"festival_batches_refused_total{reason="database_unavailable"}"#,
    ];
    let before = scrape(&app).await;
    state.db.close().await;
    let request = post_batch(&batch_body(&[3]), Some(DEV_BATCH_SECRET));
    let (status, _, answer) = call(&app, request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    let after = scrape(&app).await;
    let [errors, refused] = growth(&before, &after, series);
    assert!(errors >= 1.0 && refused >= 1.0, "{after}");
}
