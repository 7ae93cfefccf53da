//! Shopping as a test: sessions, orders, calls to the edge's API, and what origin stored.

use std::time::Duration;

use festival_domain::Deal;
use festival_domain::token::SESSION_HEADER;
use libtest_mimic::Failed;
use serde_json::Value;

use super::{Shopper, Stack, check};

impl Stack {
    /// A new shopper through the edge's own routes: a session, then the catalog's sale token.
    pub async fn shopper(&self) -> Result<Shopper, Failed> {
        let response = self
            .http
            .post(format!("{}/api/session", self.edge))
            .send()
            .await?;
        check(response.status() == 200, "a session is issued")?;
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        check(
            cookie.starts_with("festival_session=") && cookie.contains("HttpOnly"),
            format!("the session comes as a cookie too: {cookie}"),
        )?;
        let answer: Value = response.json().await?;
        let session = answer["session"]
            .as_str()
            .ok_or("no session in the answer")?
            .to_owned();
        let customer = answer["customer_id"]
            .as_str()
            .ok_or("no customer id")?
            .to_owned();
        let answer: Value = self
            .http
            .post(format!("{}/api/sale-token", self.edge))
            .header(SESSION_HEADER, &session)
            .send()
            .await?
            .json()
            .await?;
        let sale_token = answer["sale_token"]
            .as_str()
            .ok_or("the edge gave no sale token")?
            .to_owned();
        Ok(Shopper {
            session,
            customer,
            sale_token,
        })
    }

    /// Posts an order body (any JSON) to the edge as `shopper`: status and parsed body.
    pub async fn post_order(
        &self,
        shopper: &Shopper,
        body: &Value,
    ) -> Result<(u16, Value), Failed> {
        let (status, _, answer) = self.post_order_with_headers(shopper, body).await?;
        Ok((status, answer))
    }

    /// [`Stack::post_order`] as a careful client does it: a 503 (the platform was busy) is
    /// retried with the same body — the idempotency key makes that safe. Locally, wrangler's dev
    /// proxy resets connections when a few hundred are open at once ("worker restarted
    /// mid-request"); Cloudflare's edge has no such front door.
    pub async fn post_order_retrying(
        &self,
        shopper: &Shopper,
        body: &Value,
    ) -> Result<(u16, Value), Failed> {
        for _ in 0..4 {
            match self.post_order_with_headers(shopper, body).await {
                Ok((status, _, answer)) if status != 503 => return Ok((status, answer)),
                // The dev proxy's 503 is plain text, so it fails to parse as well.
                _ => tokio::time::sleep(Duration::from_millis(300)).await,
            }
        }
        Err("no answer but 503 in four tries".into())
    }

    /// [`Stack::post_order`], also answering the response headers.
    pub async fn post_order_with_headers(
        &self,
        shopper: &Shopper,
        body: &Value,
    ) -> Result<(u16, reqwest::header::HeaderMap, Value), Failed> {
        let response = self.send_order(shopper, body).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let answer =
            serde_json::from_str(&text).map_err(|e| format!("{status} not JSON ({e}): {text}"))?;
        Ok((status, headers, answer))
    }

    /// Sends one order, again if the connection broke before an answer came, or if wrangler's
    /// dev proxy answered for a Worker it was restarting (a plain-text 503, "Your worker
    /// restarted mid-request"; Festival's own 503s are JSON). Under the suite's bursts the dev
    /// proxy now and then does either; the order carries its idempotency key, so sending it
    /// again cannot buy twice.
    async fn send_order(
        &self,
        shopper: &Shopper,
        body: &Value,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut tries = 0;
        loop {
            let sent = self
                .http
                .post(format!("{}/api/orders", self.edge))
                .header(SESSION_HEADER, &shopper.session)
                .json(body)
                .send()
                .await;
            match sent {
                Err(e) if tries < 3 && (e.is_request() || e.is_connect()) && !e.is_timeout() => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok(answer) if tries < 3 && answered_by_the_dev_proxy(&answer) => {
                    println!("the dev proxy restarted the Worker mid-request; sent again");
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                sent => return sent,
            }
        }
    }

    /// Sends `method path` as `shopper`: status and parsed body.
    pub async fn call(
        &self,
        shopper: &Shopper,
        method: reqwest::Method,
        path: &str,
    ) -> Result<(u16, Value), Failed> {
        let response = self
            .http
            .request(method, format!("{}{path}", self.edge))
            .header(SESSION_HEADER, &shopper.session)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// Sends `method path` to the edge with `body` (none: empty), as the marketer or operator
    /// holding `token` (none: no `Authorization` header): status and parsed body.
    /// `GET /api/ops/costs` with the marketer token: what the objects counted.
    pub async fn ops_costs(&self) -> Result<Value, Failed> {
        let (status, report) = self
            .call_with_token(
                reqwest::Method::GET,
                "/api/ops/costs",
                Some(super::MARKETER_TOKEN),
                None,
            )
            .await?;
        check(status == 200, format!("costs: {status} {report}"))?;
        Ok(report)
    }

    pub async fn call_with_token(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Result<(u16, Value), Failed> {
        let mut request = self.http.request(method, format!("{}{path}", self.edge));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// Rows stored at origin for `deal` (any status).
    pub async fn origin_rows(&self, deal: &Deal) -> Result<i64, Failed> {
        let count = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE deal_id = $1")
            .bind(deal.id.as_str())
            .fetch_one(&self.db)
            .await?;
        Ok(count)
    }
}

/// Whether `answer` is wrangler's dev proxy speaking for a Worker it was restarting: a 503 that
/// is not one of Festival's (which are JSON).
fn answered_by_the_dev_proxy(answer: &reqwest::Response) -> bool {
    let json = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    answer.status().as_u16() == 503 && !json
}
