//! `CatalogStore`: the edge's durable copy of the schedule. A request gets the stored copy at
//! once; the object's own alarm refreshes it from origin every two seconds while shoppers ask,
//! so no shopper waits on origin, and a failed or hung refresh leaves the last good copy in
//! place. Only before the very first load does a request wait on origin (there is nothing else
//! to serve). The timing rules live in `catalog_freshness`.

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::time::Duration;

use festival_domain::{Deal, UnixMillis};
use futures_util::future::{Either, select};
use worker::{
    AbortController, Delay, DurableObject, Env, Fetch, Request, Response, Result, State,
    console_warn, durable_object,
};

use crate::bindings;
use crate::catalog_freshness::{ORIGIN_TIMEOUT_MS, must_arm, next_refresh};
use crate::origin_request;

/// Storage key of the last good schedule (JSON).
const DEALS_KEY: &str = "deals";

#[durable_object]
pub struct CatalogStore {
    state: State,
    env: Env,
    /// The stored schedule's JSON, once read or refreshed by this instance: requests skip the
    /// storage read.
    copy: RefCell<Option<String>>,
    /// When the last request came; `None` until one reaches this instance.
    last_request: Cell<Option<UnixMillis>>,
    /// When the alarm armed by this instance is due; `None` when none is (or it rested).
    alarm_at: Cell<Option<UnixMillis>>,
}

impl DurableObject for CatalogStore {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            copy: RefCell::new(None),
            last_request: Cell::new(None),
            alarm_at: Cell::new(None),
        }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        let now = bindings::now();
        self.last_request.set(Some(now));
        if must_arm(self.alarm_at.get(), now)
            && let Err(error) = self.arm(now, now).await
        {
            // The copy still serves; the next request tries to arm again.
            console_warn!("arming the catalog refresh failed: {error}");
        }
        let copy = match self.stored().await? {
            Some(copy) => copy,
            // Never loaded: the one case with nothing to serve but what origin says now.
            None => self.refresh().await?,
        };
        Response::ok(copy)
    }

    async fn alarm(&self) -> Result<Response> {
        let now = bindings::now();
        match next_refresh(now, self.last_request.get()) {
            // Armed before refreshing, so a failed or hung refresh never ends the cycle. If
            // arming fails, the error makes the runtime retry this alarm.
            Some(at) => self.arm(at, now).await?,
            // Nobody asked for a while: rest until the next request arms the alarm again.
            None => self.alarm_at.set(None),
        }
        if let Err(error) = self.refresh().await {
            console_warn!(
                "catalog refresh from origin failed; serving the last good copy: {error}"
            );
        }
        Response::ok("")
    }
}

impl CatalogStore {
    /// Sets the alarm for `at` (`now` is the clock it was computed with).
    async fn arm(&self, at: UnixMillis, now: UnixMillis) -> Result<()> {
        self.state
            .storage()
            .set_alarm(now.millis_until(at).max(0))
            .await?;
        self.alarm_at.set(Some(at));
        Ok(())
    }

    /// The last good copy: from memory, or from storage once per instance.
    async fn stored(&self) -> Result<Option<String>> {
        if let Some(copy) = self.copy.borrow().clone() {
            return Ok(Some(copy));
        }
        let stored: Option<String> = self.state.storage().get(DEALS_KEY).await?;
        if let Some(copy) = &stored {
            self.copy.replace(Some(copy.clone()));
        }
        Ok(stored)
    }

    /// Fetches the schedule from origin and keeps it, writing storage only when it changed (a
    /// write every two seconds would cost a commit each, for nothing).
    async fn refresh(&self) -> Result<String> {
        let fresh = self.fetch_from_origin().await?;
        if self.stored().await?.as_deref() != Some(fresh.as_str()) {
            self.state.storage().put(DEALS_KEY, &fresh).await?;
            self.copy.replace(Some(fresh.clone()));
        }
        Ok(fresh)
    }

    /// The schedule from origin (a signed request), checked to parse, as JSON text; gives up
    /// after [`ORIGIN_TIMEOUT_MS`] so a hung origin holds nothing up.
    async fn fetch_from_origin(&self) -> Result<String> {
        let request = origin_request::get(&self.env, "/internal/catalog")?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = async {
            let mut response = Fetch::Request(request).send_with_signal(&signal).await?;
            if response.status_code() != 200 {
                return Err(format!("origin answered {}", response.status_code()).into());
            }
            let text = response.text().await?;
            serde_json::from_str::<Vec<Deal>>(&text)?;
            Ok::<_, worker::Error>(text)
        };
        let timeout = Delay::from(Duration::from_millis(ORIGIN_TIMEOUT_MS));
        match select(pin!(fetch), timeout).await {
            Either::Left((answer, _)) => answer,
            Either::Right(_) => {
                controller.abort();
                Err(format!("origin did not answer within {ORIGIN_TIMEOUT_MS} ms").into())
            }
        }
    }
}
