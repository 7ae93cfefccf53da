//! Fail closed: origin answers its internal routes only to the edge's signature or the marketer
//! token, and an edge outside development mode refuses to serve with a plain-HTTP origin or a
//! short secret (503 `misconfigured`, and a log line naming what is wrong).

use std::sync::Arc;
use std::time::{Duration, Instant};

use festival_stack::process::{self as stack, EdgeRunner, EdgeSettings};
use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{BATCH_SECRET, MARKETER_TOKEN, Stack, check};

/// Origin's internal reads refuse a caller without the edge's signature (401 `unsigned`) or
/// with a wrong token (401 `unauthorized`); `/health` stays open. The shared stack's edge loads
/// its catalog through the same route, signed, so a signed read is taken.
pub async fn origin_refuses_unsigned_internal_reads(stack: Arc<Stack>) -> Result<(), Failed> {
    const ORDER: &str = "/internal/orders/e2e.0.00000000000000000000000000000001";
    let cases = [
        ("/internal/catalog", None, 401, Some("unsigned")),
        (
            "/internal/catalog",
            Some("not-the-token"),
            401,
            Some("unauthorized"),
        ),
        (ORDER, None, 401, Some("unsigned")),
        ("/internal/catalog", Some(MARKETER_TOKEN), 200, None),
        ("/health", None, 200, None),
    ];
    for (path, token, want_status, want_code) in cases {
        let mut request = stack.http.get(format!("{}{path}", stack.origin));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let body: Value = response.json().await?;
        check(
            status == want_status && want_code.is_none_or(|code| body["code"] == code),
            format!("GET {path} (token {token:?}): {status} {body}"),
        )?;
    }
    let catalog = stack.catalog().await;
    check(
        catalog.is_ok(),
        format!("the edge reads its catalog, signed: {catalog:?}"),
    )
}

/// An edge started without `FESTIVAL_DEV`, with a plain-HTTP origin and a short session
/// secret, answers 503 `misconfigured` even on its health route, and logs both problems.
pub async fn edge_outside_development_refuses_to_serve() -> Result<(), Failed> {
    let dir = std::env::temp_dir().join(format!("festival-e2e-{}-closed", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = stack::free_port();
    let settings = EdgeSettings {
        runner: EdgeRunner::WranglerDev,
        port,
        origin_url: "http://127.0.0.1:9",
        batch_secret: BATCH_SECRET,
        session_secret: "sixteen-bytes-ok",
        marketer_token: MARKETER_TOKEN,
        vars: &[],
        assets: Some(&dir.join("assets")),
        state_dir: &dir.join("edge"),
        config: None,
        development: false,
    };
    let log = dir.join("wrangler.log");
    let mut edge = stack::start_edge(&settings, Some(&log))?;
    let result = answers_misconfigured(&mut edge, port, &log).await;
    edge.stop();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn answers_misconfigured(
    edge: &mut stack::Service,
    port: u16,
    log: &std::path::Path,
) -> Result<(), Failed> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut answers = Vec::new();
    for path in ["/api/health", "/api/catalog"] {
        let url = format!("http://127.0.0.1:{port}{path}");
        let response = loop {
            // wrangler answers with its own page until the Worker is up; the Worker's answer
            // is JSON.
            if let Ok(response) = http.get(&url).send().await
                && response
                    .headers()
                    .get("content-type")
                    .is_some_and(|t| t.to_str().is_ok_and(|t| t.starts_with("application/json")))
            {
                break response;
            }
            check(!edge.has_exited(), "wrangler exited")?;
            check(
                Instant::now() < deadline,
                "the edge did not answer within 120 s",
            )?;
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let status = response.status().as_u16();
        let body: Value = response.json().await?;
        check(
            status == 503 && body["code"] == "misconfigured",
            format!("GET {path}: {status} {body}"),
        )?;
        answers.push(body);
    }
    // The log says why; the answer does not (it names no setting).
    let words = [
        "SESSION_SECRET is 16 bytes long: a secret must have at least 32 bytes",
        "ORIGIN_URL must be origin's https:// address",
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if words.iter().all(|w| text.contains(w)) {
            break;
        }
        check(
            Instant::now() < deadline,
            format!("wrangler's log does not name the problems:\n{text}"),
        )?;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    check(
        answers
            .iter()
            .all(|body| !body.to_string().contains("SESSION_SECRET")),
        format!("the answer names no setting: {answers:?}"),
    )
}
