//! `CatalogStore`: the edge's durable copy of the schedule. It refreshes from origin every few
//! seconds and keeps serving its last good copy while origin is unreachable, so the shop stays
//! open when origin is down.

use std::cell::Cell;

use festival_domain::{Deal, UnixMillis};
use worker::{
    DurableObject, Env, Fetch, Request, Response, Result, State, console_warn, durable_object,
};

use crate::bindings;

/// How old the stored copy may be before the next request refreshes it from origin.
const REFRESH_AFTER_MS: i64 = 2_000;
/// Storage key of the last good schedule (JSON).
const DEALS_KEY: &str = "deals";

#[durable_object]
pub struct CatalogStore {
    state: State,
    env: Env,
    /// When a refresh last started; requests during a refresh serve the stored copy.
    refreshed_at: Cell<UnixMillis>,
}

impl DurableObject for CatalogStore {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            refreshed_at: Cell::new(UnixMillis(i64::MIN / 2)),
        }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        let now = bindings::now();
        let storage = self.state.storage();
        let stored: Option<String> = storage.get(DEALS_KEY).await?;
        if stored.is_none() || self.refreshed_at.get().millis_until(now) >= REFRESH_AFTER_MS {
            self.refreshed_at.set(now);
            match self.fetch_from_origin().await {
                Ok(fresh) => {
                    storage.put(DEALS_KEY, &fresh).await?;
                    return Response::ok(fresh);
                }
                Err(error) => console_warn!("catalog refresh from origin failed: {error}"),
            }
        }
        match stored {
            Some(deals) => Response::ok(deals),
            None => Response::error("the catalog has never been loaded from origin", 503),
        }
    }
}

impl CatalogStore {
    /// The schedule from origin, checked to parse, as JSON text.
    async fn fetch_from_origin(&self) -> Result<String> {
        let url = format!("{}/internal/catalog", bindings::origin_url(&self.env)?);
        let mut response = Fetch::Url(url.parse()?).send().await?;
        if response.status_code() != 200 {
            return Err(format!("origin answered {}", response.status_code()).into());
        }
        let text = response.text().await?;
        serde_json::from_str::<Vec<Deal>>(&text)?;
        Ok(text)
    }
}
