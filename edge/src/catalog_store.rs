//! `CatalogStore`: the edge's durable copy of the schedule, and the board isolates read — the
//! schedule with each listed deal's stock left. A request gets the board at once; the object's
//! own alarm refreshes the schedule from origin and reads the shards' stock every second while
//! isolates ask, so no shopper waits on origin or a shard, and however many isolates poll, the
//! shards are read once a second in all. A failed or hung refresh leaves the last good copy in
//! place. Only before the very first load does a request wait (there is nothing else to
//! serve). The timing rules live in `catalog_freshness`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::pin::pin;
use std::time::Duration;

use festival_domain::catalog::{Board, BoardDeal, Schedule, ScheduledDeal, is_listed};
use festival_domain::costs::ObjectCosts;
use festival_domain::{DealId, UnixMillis};
use futures_util::future::{Either, join_all, select};
use worker::{
    AbortController, Delay, DurableObject, Env, Fetch, Request, Response, Result, State,
    console_warn, durable_object,
};

use crate::catalog_freshness::{ORIGIN_TIMEOUT_MS, must_arm, next_refresh};
use crate::{bindings, costs};
use crate::{origin_request, stock};

/// Storage key of the last good schedule (JSON: deals and festivals, a `Schedule`). Earlier
/// keys (`deals`, a list of deals alone; `schedule`, the deals with their live controls) are
/// left unread: a store upgraded in place loads the schedule from origin once, as a new one
/// does.
const SCHEDULE_KEY: &str = "schedule-and-festivals";

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
    /// Each listed deal's units left as last read from its shards; `None` until read once
    /// by this instance (stock lives in the shards, so it is not stored here).
    stock: RefCell<Option<HashMap<DealId, u32>>>,
    /// What this instance did (`GET /costs`; see `festival_domain::costs`).
    costs: RefCell<ObjectCosts>,
}

impl DurableObject for CatalogStore {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            copy: RefCell::new(None),
            last_request: Cell::new(None),
            alarm_at: Cell::new(None),
            stock: RefCell::new(None),
            costs: RefCell::default(),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        if let Some(costs) = costs::answer(&req, &self.costs) {
            return costs;
        }
        self.costs.borrow_mut().request("board");
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
        let schedule: Schedule = serde_json::from_str(&copy)?;
        if self.stock.borrow().is_none() {
            self.read_stock(&schedule.deals, now).await;
        }
        Response::from_json(&self.board(schedule))
    }

    async fn alarm(&self) -> Result<Response> {
        self.costs.borrow_mut().alarms += 1;
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
        if let Some(copy) = self.stored().await? {
            let schedule: Schedule = serde_json::from_str(&copy)?;
            self.read_stock(&schedule.deals, now).await;
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

    /// The schedule with each deal's units left: the last reading, or the whole stock for a
    /// deal not read yet (scheduled a moment ago, so nothing is sold) or no longer listed.
    fn board(&self, schedule: Schedule) -> Board {
        let stock = self.stock.borrow();
        let deals = schedule
            .deals
            .into_iter()
            .map(|ScheduledDeal { deal, live }| {
                let left = stock.as_ref().and_then(|s| s.get(&deal.id).copied());
                BoardDeal {
                    stock_left: left.unwrap_or(deal.stock + live.added_units),
                    deal,
                    live,
                }
            })
            .collect();
        Board {
            deals,
            festivals: schedule.festivals,
        }
    }

    /// Reads the units left of every deal the public catalog lists, from all their shards at
    /// once. A deal whose shards fail keeps its last figure (the shard decides every order;
    /// the board only shows it).
    async fn read_stock(&self, deals: &[ScheduledDeal], now: UnixMillis) {
        let listed: Vec<&ScheduledDeal> = deals
            .iter()
            .filter(|d| is_listed(&d.live.shown(&d.deal), now))
            .collect();
        let readings = join_all(
            listed
                .iter()
                .map(|listed| stock::ledgers(&self.env, &listed.deal, listed.live)),
        )
        .await;
        let mut costs = self.costs.borrow_mut();
        let mut fresh = self.stock.borrow().clone().unwrap_or_default();
        for (deal, reading) in listed.iter().map(|listed| &listed.deal).zip(readings) {
            costs.object_calls += u64::from(deal.shard_count());
            match reading {
                Ok(ledgers) => {
                    let left = ledgers.iter().map(|ledger| ledger.stock_left).sum();
                    fresh.insert(deal.id.clone(), left);
                }
                Err(error) => console_warn!("reading {}'s stock failed: {error}", deal.id),
            }
        }
        fresh.retain(|id, _| listed.iter().any(|listed| &listed.deal.id == id));
        self.stock.replace(Some(fresh));
    }

    /// The last good copy: from memory, or from storage once per instance.
    async fn stored(&self) -> Result<Option<String>> {
        if let Some(copy) = self.copy.borrow().clone() {
            return Ok(Some(copy));
        }
        let stored: Option<String> = self.state.storage().get(SCHEDULE_KEY).await?;
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
            self.state.storage().put(SCHEDULE_KEY, &fresh).await?;
            self.costs.borrow_mut().storage_writes += 1;
            self.copy.replace(Some(fresh.clone()));
        }
        Ok(fresh)
    }

    /// The schedule from origin (a signed request), checked to parse, as JSON text; gives up
    /// after [`ORIGIN_TIMEOUT_MS`] so a hung origin holds nothing up.
    async fn fetch_from_origin(&self) -> Result<String> {
        let request = origin_request::get(&self.env, "/internal/catalog")?;
        self.costs.borrow_mut().origin_fetches += 1;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = async {
            let mut response = Fetch::Request(request).send_with_signal(&signal).await?;
            if response.status_code() != 200 {
                return Err(format!("origin answered {}", response.status_code()).into());
            }
            let text = response.text().await?;
            serde_json::from_str::<Schedule>(&text)?;
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
