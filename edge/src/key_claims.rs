//! `KeyClaims`: idempotency keys scoped to the customer across deals. Before an order reaches
//! its deal's shard, its key is claimed in the customer's object (one of
//! [`CLAIM_OBJECTS`](festival_domain::key_claims::CLAIM_OBJECTS)); a key first used with
//! another body is refused `idempotency_key_reused`. The decision is
//! `festival_domain::key_claims`.
//!
//! A claim is one object request of its own, not batched like reservations (`coalesce`): with
//! an order passing two batching lines in turn, the runtime cancelled requests as hung — in
//! `cargo xtask bench`, 1,071 of 3,764 orders on one shard answered 500, most in the third
//! round — while one request per claim answered every order 202, faster (504 against 84
//! orders/s in that round). The object still takes a list, so batching can come back.
//!
//! A key that names its deal (the storefront's) is not claimed: see
//! `festival_domain::key_claims`.
//!
//! The object also keeps which deals each of its customers ordered in (written with a fresh
//! claim, or noted by the order queue's consumer for orders that made none: [`note_ordered`];
//! `festival_domain::key_claims::ordered`), so a shopper's order list asks only those deals'
//! shards ([`ordered_deals`]); its alarm sweeps both, oldest first.

use std::cell::RefCell;
use std::collections::BTreeMap;

use festival_domain::costs::ObjectCosts;
use festival_domain::key_claims::ordered::{self, Ordered};
use festival_domain::key_claims::{
    self, CLAIM_PREFIX, Claim, ClaimAnswer, decide, expiry_of, is_expired, keys_to_read, next_sweep,
};
use festival_domain::{CustomerId, DealId, Order, PricedOrder, UnixMillis};
use futures_util::future::try_join_all;
use js_sys::{Array, Object, Reflect};
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, ListOptions, Request, Response, Result, State, durable_object};

use crate::bindings::{self, KEY_CLAIMS, STORAGE_KEYS_PER_CALL};
use crate::costs;
use crate::objects;

/// Most claims one request may carry: two keys read each, in one storage call.
const CLAIMS_PER_REQUEST: usize = STORAGE_KEYS_PER_CALL / 2;

/// What the Worker asks a `KeyClaims` object: a batch of claims (a JSON list), the deals a
/// customer ordered in, or notes of orders to list.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Command {
    Claims(Vec<Claim>),
    Ordered { ordered_by: CustomerId },
    Note { noted: Vec<Ordered> },
}

/// Lists each of `orders`' deals among its customer's, for the orders whose key named their
/// deal (no claim listed them: `ordered::notes_of`), in one request to each object concerned,
/// all at once. Called before origin is: an order is listed whether or not origin is up.
pub async fn note_ordered<'a>(
    env: &Env,
    orders: impl IntoIterator<Item = &'a Order>,
) -> Result<()> {
    let requests = ordered::notes_of(orders).into_iter().map(|(index, noted)| {
        let name = key_claims::object_name(index);
        async move {
            let _: usize = objects::post(env, KEY_CLAIMS, &name, &Command::Note { noted }).await?;
            Ok::<(), worker::Error>(())
        }
    });
    try_join_all(requests).await?;
    Ok(())
}

/// The deals `customer` ordered in (within `ordered::ORDERS_LISTED_DAYS`), sorted by id.
pub async fn ordered_deals(env: &Env, customer: &CustomerId) -> Result<Vec<DealId>> {
    let name = key_claims::object_name(customer.bucket(key_claims::CLAIM_OBJECTS));
    let command = Command::Ordered {
        ordered_by: customer.clone(),
    };
    objects::post(env, KEY_CLAIMS, &name, &command).await
}

/// Claims `order`'s idempotency key for its deal and quantity.
pub async fn claim(env: &Env, order: &PricedOrder) -> Result<ClaimAnswer> {
    let claim = Claim::of(order);
    let name = key_claims::object_name(claim.object_index());
    let command = Command::Claims(vec![claim]);
    let answers: Vec<ClaimAnswer> = objects::post(env, KEY_CLAIMS, &name, &command).await?;
    answers
        .into_iter()
        .next()
        .ok_or_else(|| format!("{name} gave no answer to a claim").into())
}

#[durable_object]
pub struct KeyClaims {
    state: State,
    costs: RefCell<ObjectCosts>,
}

impl DurableObject for KeyClaims {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            costs: RefCell::default(),
        }
    }

    /// Answers a [`Command`].
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(costs) = costs::answer(&req, &self.costs) {
            return costs;
        }
        match req.json().await? {
            Command::Claims(claims) => self.claim(claims).await,
            Command::Ordered { ordered_by } => self.ordered(&ordered_by).await,
            Command::Note { noted } => self.note(&noted).await,
        }
    }

    /// Deletes claims and order-list entries past keeping, a page of each at a time, oldest
    /// first; comes back when the next one is due.
    async fn alarm(&self) -> Result<Response> {
        self.costs.borrow_mut().alarms += 1;
        let now = bindings::now();
        let claims = self.sweep_claims(now).await?;
        let lists = self.sweep_order_lists(now).await?;
        if let Some(at) = [claims, lists].into_iter().flatten().min() {
            let storage = self.state.storage();
            storage.set_alarm(now.millis_until(at).max(0)).await?;
        }
        Response::ok("")
    }
}

impl KeyClaims {
    /// Decides a batch of claims and answers one [`ClaimAnswer`] each. Only storage is awaited
    /// from the read to the write, so the batch is decided atomically.
    async fn claim(&self, claims: Vec<Claim>) -> Result<Response> {
        self.costs.borrow_mut().request("claim");
        if claims.len() > CLAIMS_PER_REQUEST {
            return Response::error("too many claims in one batch", 400);
        }
        let now = bindings::now();
        let storage = self.state.storage();
        let keys = keys_to_read(&claims, now);
        let found = storage.get_multiple(keys.clone()).await?;
        let stored: BTreeMap<String, String> = keys
            .into_iter()
            .filter_map(|key| {
                let value = found.get(&key.clone().into()).as_string()?;
                Some((key, value))
            })
            .collect();
        let (answers, puts) = decide(&claims, &stored, now);
        self.put(&puts, now).await?;
        Response::from_json(&answers)
    }

    /// Lists the noted deals among their customers'; answers how many notes it wrote.
    async fn note(&self, noted: &[Ordered]) -> Result<Response> {
        self.costs.borrow_mut().request("note");
        let now = bindings::now();
        let puts: Vec<(String, String)> = noted
            .iter()
            .flat_map(|note| ordered::record(&note.customer, &note.deal, now))
            .collect();
        for part in puts.chunks(STORAGE_KEYS_PER_CALL) {
            self.put(part, now).await?;
        }
        Response::from_json(&noted.len())
    }

    /// Writes `puts` in one storage call (at most `STORAGE_KEYS_PER_CALL`), and makes sure the
    /// sweep's alarm is set.
    async fn put(&self, puts: &[(String, String)], now: UnixMillis) -> Result<()> {
        if puts.is_empty() {
            return Ok(());
        }
        let storage = self.state.storage();
        let writes = Object::new();
        for (key, value) in puts {
            Reflect::set(&writes, &key.into(), &value.into())?;
        }
        self.costs.borrow_mut().storage_writes += 1;
        storage.put_multiple_raw(writes).await?;
        if storage.get_alarm().await?.is_none() {
            storage
                .set_alarm(now.millis_until(next_sweep(now)).max(0))
                .await?;
        }
        Ok(())
    }

    /// The deals `customer` ordered in, from their look-up keys.
    async fn ordered(&self, customer: &CustomerId) -> Result<Response> {
        self.costs.borrow_mut().request("ordered");
        let keys = self.list(&ordered::lookup_prefix(customer)).await?;
        let deals: Vec<DealId> = keys
            .iter()
            .filter_map(|key| ordered::deal_of(key, customer))
            .collect();
        Response::from_json(&deals)
    }

    /// The first page of keys under `prefix`, in order.
    async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let options = ListOptions::new()
            .prefix(prefix)
            .limit(STORAGE_KEYS_PER_CALL);
        let listed = self.state.storage().list_with_options(options).await?;
        let mut keys = Vec::new();
        for entry in listed.entries() {
            let pair: Array = entry?.into();
            keys.extend(pair.get(0).as_string());
        }
        Ok(keys)
    }

    /// Deletes a page of claims past keeping; answers when the next sweep of claims is due.
    async fn sweep_claims(&self, now: UnixMillis) -> Result<Option<UnixMillis>> {
        let keys = self.list(CLAIM_PREFIX).await?;
        let (expired, kept): (Vec<String>, Vec<String>) =
            keys.into_iter().partition(|key| is_expired(key, now));
        let page_was_full = expired.len() == STORAGE_KEYS_PER_CALL;
        if !expired.is_empty() {
            self.state.storage().delete_multiple(expired).await?;
        }
        // Keys sort by day: a full page of expired claims may have more behind it; otherwise
        // the next sweep is due when the oldest claim left expires.
        Ok(if page_was_full {
            Some(now)
        } else {
            kept.first().and_then(|key| expiry_of(key))
        })
    }

    /// Deletes a page of order-list entries past keeping, with each look-up no later order
    /// renewed; answers when the next sweep of them is due.
    async fn sweep_order_lists(&self, now: UnixMillis) -> Result<Option<UnixMillis>> {
        let keys = self.list(ordered::ORDERED_BY_DAY_PREFIX).await?;
        let expired = ordered::expired(&keys, now);
        let next = keys
            .iter()
            .map(|key| ordered::expiry_of(key))
            .find(|at| *at > now);
        if expired.is_empty() {
            return Ok(next);
        }
        let storage = self.state.storage();
        let lookups: Vec<String> = expired
            .iter()
            .map(|e| e.lookup_key.clone())
            .filter(|key| !key.is_empty())
            .collect();
        let found = storage.get_multiple(lookups).await?;
        let mut deletes = Vec::new();
        for entry in &expired {
            let stored = found.get(&entry.lookup_key.clone().into()).as_string();
            if !entry.lookup_key.is_empty() && ordered::lookup_goes(stored.as_deref(), entry.day) {
                deletes.push(entry.lookup_key.clone());
            }
            deletes.push(entry.by_day_key.clone());
        }
        for page in deletes.chunks(STORAGE_KEYS_PER_CALL) {
            storage.delete_multiple(page.to_vec()).await?;
        }
        Ok(
            if expired.len() == keys.len() && keys.len() == STORAGE_KEYS_PER_CALL {
                Some(now)
            } else {
                next
            },
        )
    }
}
