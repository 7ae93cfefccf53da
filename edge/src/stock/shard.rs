//! `DealStock`: one shard of a deal, as a Durable Object. It is a thin shell: the protocol —
//! reservations, limits, keys, cancels, lending, confirmation, re-sending — is
//! `festival_domain::stock::Shard`, driven here over the object's storage, its siblings, the
//! order queue and its alarm.

use std::cell::RefCell;
use std::collections::BTreeMap;

use festival_domain::UnixMillis;
use festival_domain::costs::ObjectCosts;
use festival_domain::stock::{Fault, Host, Shard, StockCommand, Tuning, Writes};
use futures_util::future::join;
use js_sys::{Array, Object, Reflect};
use worker::{
    Delay, DurableObject, Env, ListOptions, Request, Response, Result, State, console_warn,
    durable_object,
};

use crate::bindings::{self, ORDER_QUEUE, STORAGE_KEYS_PER_CALL};
use crate::costs;

#[durable_object]
pub struct DealStock {
    shard: Shard<DurableHost>,
    /// Whether this object made sure its storage has today's layout (see `old_layout`).
    old_storage_migrated: std::cell::Cell<bool>,
}

impl DurableObject for DealStock {
    fn new(state: State, env: Env) -> Self {
        // The var `RESEND_AFTER_S` overrides the first wait before a re-send (the fault tests
        // shorten it).
        let mut tuning = Tuning::default();
        if let Some(seconds) = env
            .var("RESEND_AFTER_S")
            .ok()
            .and_then(|var| var.to_string().parse::<i64>().ok())
        {
            tuning.resend_after_ms = seconds * 1000;
        }
        let host = DurableHost {
            state,
            env,
            costs: RefCell::default(),
        };
        Self {
            shard: Shard::new(host, tuning),
            old_storage_migrated: std::cell::Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(costs) = costs::answer(&req, &self.shard.host().costs) {
            return costs;
        }
        self.migrate_old_storage_once().await?;
        let command: StockCommand = req.json().await?;
        self.shard.host().costs.borrow_mut().request(command.kind());
        match self.shard.handle(command).await {
            Ok(json) => {
                let mut response = Response::ok(json)?;
                response
                    .headers_mut()
                    .set("content-type", "application/json")?;
                Ok(response)
            }
            Err(fault) => Response::error(fault.0, 500),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.shard.host().costs.borrow_mut().alarms += 1;
        self.migrate_old_storage_once().await?;
        self.shard.alarm().await.map_err(|fault| fault.0)?;
        Response::ok("")
    }
}

impl DealStock {
    /// Once per start of this object, before anything reads a customer: converts storage written
    /// by an earlier version (see `old_layout`).
    async fn migrate_old_storage_once(&self) -> Result<()> {
        if !self.old_storage_migrated.get() {
            let storage = self.shard.host().state.storage();
            super::old_layout::convert_customer_keys(&storage).await?;
            self.old_storage_migrated.set(true);
        }
        Ok(())
    }
}

/// The world of one `DealStock`: its storage, its siblings, the queue, the clock; and what it
/// cost since the object started (see `festival_domain::costs`).
pub struct DurableHost {
    state: State,
    env: Env,
    costs: RefCell<ObjectCosts>,
}

fn fault(error: worker::Error) -> Fault {
    Fault(error.to_string())
}

impl Host for DurableHost {
    async fn read(
        &self,
        keys: Vec<String>,
    ) -> std::result::Result<BTreeMap<String, String>, Fault> {
        let storage = self.state.storage();
        let mut found = BTreeMap::new();
        for part in keys.chunks(STORAGE_KEYS_PER_CALL) {
            let stored = storage.get_multiple(part.to_vec()).await.map_err(fault)?;
            for key in part {
                if let Some(value) = stored.get(&key.into()).as_string() {
                    found.insert(key.clone(), value);
                }
            }
        }
        Ok(found)
    }

    async fn list(
        &self,
        prefix: &str,
        start_after: Option<String>,
        limit: usize,
    ) -> std::result::Result<Vec<(String, String)>, Fault> {
        // Storage lists from a key inclusive: the smallest key after `k` is `k` + NUL.
        let start = start_after.map(|key| format!("{key}\0"));
        let mut options = ListOptions::new().prefix(prefix).limit(limit);
        if let Some(start) = &start {
            options = options.start(start);
        }
        let listed = self
            .state
            .storage()
            .list_with_options(options)
            .await
            .map_err(fault)?;
        let mut entries = Vec::with_capacity(limit);
        for entry in listed.entries() {
            let pair: Array = entry.map_err(|e| Fault(format!("{e:?}")))?.into();
            if let (Some(key), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                entries.push((key, value));
            }
        }
        Ok(entries)
    }

    /// Puts and deletes are issued in the same turn, with no await between them, so storage
    /// commits them together (Durable Objects coalesce such writes into one atomic batch).
    async fn write(&self, writes: Writes) -> std::result::Result<(), Fault> {
        self.costs.borrow_mut().storage_writes += 1;
        let storage = self.state.storage();
        let puts = Object::new();
        for (key, value) in &writes.puts {
            Reflect::set(&puts, &key.into(), &value.into()).map_err(|e| Fault(format!("{e:?}")))?;
        }
        let put = async {
            if writes.puts.is_empty() {
                return Ok(());
            }
            storage.put_multiple_raw(puts).await
        };
        let delete = async {
            if writes.deletes.is_empty() {
                return Ok(0);
            }
            storage.delete_multiple(writes.deletes.clone()).await
        };
        let (put, delete) = join(put, delete).await;
        put.map_err(fault)?;
        delete.map_err(fault)?;
        Ok(())
    }

    async fn ask(
        &self,
        deal: &festival_domain::DealId,
        index: u32,
        command: &StockCommand,
    ) -> std::result::Result<String, Fault> {
        super::ask_text(&self.env, deal, index, command)
            .await
            .map_err(fault)
    }

    async fn send(&self, messages: Vec<String>) -> std::result::Result<(), Fault> {
        if messages.is_empty() {
            return Ok(());
        }
        {
            let mut costs = self.costs.borrow_mut();
            costs.queue_sends += 1;
            costs.queue_messages += messages.len() as u64;
        }
        let queue = self.env.queue(ORDER_QUEUE).map_err(fault)?;
        queue.send_batch(messages).await.map_err(fault)
    }

    async fn set_alarm(&self, at: Option<UnixMillis>) -> std::result::Result<(), Fault> {
        let storage = self.state.storage();
        match at {
            Some(at) => {
                let offset = (at.0 - bindings::now().0).max(0);
                storage.set_alarm(offset).await.map_err(fault)
            }
            None => storage.delete_alarm().await.map_err(fault),
        }
    }

    async fn pause(&self, ms: u32) {
        Delay::from(std::time::Duration::from_millis(ms.into())).await;
    }

    fn now(&self) -> UnixMillis {
        bindings::now()
    }

    fn random(&self) -> u128 {
        random_u128().unwrap_or_else(|error| {
            // The platform's random source does not fail; if it ever did, the clock and a count
            // still make ids unique per shard, which runs one event at a time.
            console_warn!("{error}");
            let count = FALLBACK_COUNT.replace(FALLBACK_COUNT.get() + 1);
            ((bindings::now().0 as u128) << 64) | u128::from(count)
        })
    }

    fn log(&self, message: &str) {
        console_warn!("{message}");
    }
}

thread_local! {
    static FALLBACK_COUNT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// 128 bits from the platform's cryptographic random source, for order ids.
pub fn random_u128() -> Result<u128> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("random source: {e}"))?;
    Ok(u128::from_le_bytes(bytes))
}
