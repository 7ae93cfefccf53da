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

use std::cell::RefCell;
use std::collections::BTreeMap;

use festival_domain::PricedOrder;
use festival_domain::costs::ObjectCosts;
use festival_domain::key_claims::{
    self, CLAIM_PREFIX, Claim, ClaimAnswer, decide, expiry_of, is_expired, keys_to_read, next_sweep,
};
use js_sys::{Array, Object, Reflect};
use worker::{DurableObject, Env, ListOptions, Request, Response, Result, State, durable_object};

use crate::bindings::{self, KEY_CLAIMS, STORAGE_KEYS_PER_CALL};
use crate::costs;
use crate::objects;

/// Most claims one request may carry: two keys read each, in one storage call.
const CLAIMS_PER_REQUEST: usize = STORAGE_KEYS_PER_CALL / 2;

/// Claims `order`'s idempotency key for its deal and quantity.
pub async fn claim(env: &Env, order: &PricedOrder) -> Result<ClaimAnswer> {
    let claim = Claim::of(order);
    let name = key_claims::object_name(claim.object_index());
    let answers: Vec<ClaimAnswer> = objects::post(env, KEY_CLAIMS, &name, &[claim]).await?;
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

    /// Decides a batch of claims (the JSON body) and answers one [`ClaimAnswer`] each. Only
    /// storage is awaited from the read to the write, so the batch is decided atomically.
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(costs) = costs::answer(&req, &self.costs) {
            return costs;
        }
        self.costs.borrow_mut().request("claim");
        let claims: Vec<Claim> = req.json().await?;
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
        if !puts.is_empty() {
            let writes = Object::new();
            for (key, value) in &puts {
                Reflect::set(&writes, &key.into(), &value.into())?;
            }
            self.costs.borrow_mut().storage_writes += 1;
            storage.put_multiple_raw(writes).await?;
            if storage.get_alarm().await?.is_none() {
                storage
                    .set_alarm(now.millis_until(next_sweep(now)).max(0))
                    .await?;
            }
        }
        Response::from_json(&answers)
    }

    /// Deletes claims past keeping, a page at a time, oldest day first.
    async fn alarm(&self) -> Result<Response> {
        self.costs.borrow_mut().alarms += 1;
        let now = bindings::now();
        let storage = self.state.storage();
        let options = ListOptions::new()
            .prefix(CLAIM_PREFIX)
            .limit(STORAGE_KEYS_PER_CALL);
        let listed = storage.list_with_options(options).await?;
        let (mut expired, mut first_kept) = (Vec::new(), None);
        for entry in listed.entries() {
            let pair: Array = entry?.into();
            let Some(key) = pair.get(0).as_string() else {
                continue;
            };
            if is_expired(&key, now) {
                expired.push(key);
            } else {
                first_kept = first_kept.or(expiry_of(&key));
            }
        }
        let page_was_full = expired.len() == STORAGE_KEYS_PER_CALL;
        if !expired.is_empty() {
            storage.delete_multiple(expired).await?;
        }
        // Keys sort by day: a full page of expired claims may have more behind it; otherwise
        // the next sweep is due when the oldest claim left expires.
        if page_was_full {
            storage.set_alarm(0).await?;
        } else if let Some(at) = first_kept {
            storage.set_alarm(now.millis_until(at).max(0)).await?;
        }
        Response::ok("")
    }
}
