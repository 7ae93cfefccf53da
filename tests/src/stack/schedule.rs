//! Scheduling deals for a test, and reading what the edge lists.

use std::time::Duration;

use festival_domain::{Catalog, Deal, DealId, UnixMillis};
use libtest_mimic::Failed;

use super::{MARKETER_TOKEN, Stack, check, eventually};

impl Stack {
    /// Schedules a deal through origin's admin API, opening `opens_in_ms` from now, and waits
    /// until the edge lists it.
    pub async fn schedule(
        &self,
        id: &str,
        stock: u32,
        limit: u32,
        opens_in_ms: i64,
    ) -> Result<Deal, Failed> {
        self.schedule_sharded(id, stock, limit, 0, opens_in_ms)
            .await
    }

    /// [`Stack::schedule`] with `shards` Durable Object shards (0: derived from the stock).
    pub async fn schedule_sharded(
        &self,
        id: &str,
        stock: u32,
        limit: u32,
        shards: u32,
        opens_in_ms: i64,
    ) -> Result<Deal, Failed> {
        self.schedule_deal(test_deal(id, stock, limit, shards, opens_in_ms, 3_600_000)?)
            .await
    }

    /// Schedules `deal` through origin's admin API and waits until the edge lists it.
    pub async fn schedule_deal(&self, deal: Deal) -> Result<Deal, Failed> {
        let id = deal.id.clone();
        let response = self
            .http
            .post(format!("{}/admin/deals", self.origin))
            .bearer_auth(MARKETER_TOKEN)
            .json(&deal)
            .send()
            .await?;
        check(
            response.status() == 201,
            format!("scheduling {id}: {}", response.text().await?),
        )?;
        eventually(Duration::from_secs(30), || async {
            Ok(self
                .catalog()
                .await?
                .deals
                .iter()
                .any(|d| d.deal.id == deal.id))
        })
        .await?;
        Ok(deal)
    }

    /// Schedules a deal that opens in a moment (the schedule must start in the future) and waits
    /// until it is open by the edge's clock.
    pub async fn schedule_open(&self, id: &str, stock: u32, limit: u32) -> Result<Deal, Failed> {
        self.schedule_open_sharded(id, stock, limit, 0).await
    }

    /// [`Stack::schedule_open`] with `shards` shards.
    pub async fn schedule_open_sharded(
        &self,
        id: &str,
        stock: u32,
        limit: u32,
        shards: u32,
    ) -> Result<Deal, Failed> {
        let deal = self
            .schedule_sharded(id, stock, limit, shards, 2_000)
            .await?;
        self.edge_clock_reaches(deal.starts_at).await?;
        Ok(deal)
    }

    /// Waits until the edge's clock (the catalog's `server_time`, the clock that decides a
    /// sale's window) has reached `at`.
    pub async fn edge_clock_reaches(&self, at: UnixMillis) -> Result<(), Failed> {
        eventually(Duration::from_secs(30), || async {
            Ok(self.catalog().await?.server_time >= at)
        })
        .await
    }

    /// The edge's catalog (without a session). Sent again once if it could not be sent at
    /// all: a pooled keep-alive connection the server closed at the moment it was reused
    /// fails that way (a clean CI run saw it once), and a GET is safe to repeat.
    pub async fn catalog(&self) -> Result<Catalog, Failed> {
        let url = format!("{}/api/catalog", self.edge);
        let response = match self.http.get(&url).send().await {
            Err(error) if error.is_request() || error.is_connect() => {
                self.http.get(&url).send().await
            }
            answer => answer,
        };
        let response = response.map_err(|e| format!("{e}: {:?}", std::error::Error::source(&e)))?;
        Ok(response.json().await?)
    }

    /// The edge's catalog as JSON, with or without a session.
    pub async fn catalog_json(&self, session: Option<&str>) -> Result<serde_json::Value, Failed> {
        let mut request = self.http.get(format!("{}/api/catalog", self.edge));
        if let Some(session) = session {
            request = request.header(festival_domain::token::SESSION_HEADER, session);
        }
        Ok(request.send().await?.json().await?)
    }

    /// Units left in `deal` once the catalog shows `expected`, or its last figure after
    /// [`BOARD_SETTLES_WITHIN`]: the catalog's stock is read from the shards every second and
    /// cached for a second or two, so it lags them by a few seconds.
    pub async fn stock_left_reaching(&self, deal: &Deal, expected: u32) -> Result<u32, Failed> {
        let deadline = tokio::time::Instant::now() + BOARD_SETTLES_WITHIN;
        loop {
            let left = self.stock_left(deal).await?;
            if left == expected || tokio::time::Instant::now() > deadline {
                return Ok(left);
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// Units left in `deal` as the edge's catalog reports them now.
    pub async fn stock_left(&self, deal: &Deal) -> Result<u32, Failed> {
        let catalog = self.catalog().await?;
        let listed = catalog
            .deals
            .iter()
            .find(|d| d.deal.id == deal.id)
            .ok_or("deal not listed")?;
        Ok(listed.stock_left)
    }
}

/// How long the catalog's stock may lag the shards: the `CatalogStore` reads them every second,
/// the data centre's cache and the isolate each keep the board a second; with a margin.
pub const BOARD_SETTLES_WITHIN: std::time::Duration = std::time::Duration::from_secs(6);

/// A deal for a test, opening `opens_in_ms` from now and ending `ends_in_ms` from now.
pub fn test_deal(
    id: &str,
    stock: u32,
    limit: u32,
    shards: u32,
    opens_in_ms: i64,
    ends_in_ms: i64,
) -> Result<Deal, Failed> {
    let now = festival_origin::now();
    Ok(Deal {
        id: DealId::parse(id).map_err(|e| e.to_string())?,
        name: format!("Test deal {id}"),
        description: "A deal scheduled by an end-to-end test.".into(),
        image_url: String::new(),
        price_minor: 1_250,
        was_price_minor: 2_500,
        currency: "USD".into(),
        stock,
        starts_at: now.plus_millis(opens_in_ms),
        ends_at: now.plus_millis(ends_in_ms),
        per_customer_limit: limit,
        shards,
        translations: Default::default(),
    })
}
