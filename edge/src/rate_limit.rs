//! Rate limits per client address (IPv6 by its /64: `rate::address_key`) and per session, in two
//! lines. The first is a token bucket in this isolate's memory: no round trip, so most of a
//! burst from one client is answered there. Cloudflare runs many isolates, though, each with its
//! own buckets, so the second line is the Workers Rate Limiting binding, which counts per
//! location across isolates: one binding per route (`wrangler.toml`'s `[[ratelimits]]`), so
//! that one route's limit never starves another's — a shared address whose session starts are
//! spent still orders. The binding is asked only after the bucket let a request through.

use std::cell::RefCell;
use std::collections::HashMap;

use festival_domain::rate::{self, Rate, TokenBucket};
use festival_domain::{Refusal, UnixMillis};
use worker::{Env, Request, Result};

use crate::bindings;
use crate::error::EdgeResult;

/// Defaults: a shopper clicks a few times a second at most; an address may front many shoppers.
const SESSION_DEFAULT: Rate = Rate {
    per_second: 2.0,
    burst: 5.0,
};
const ADDRESS_DEFAULT: Rate = Rate {
    per_second: 50.0,
    burst: 100.0,
};
/// New sessions (identities) and waiting-room joins per address: each happens once per shopper
/// (a browser keeps its session a week; polls are not joins), but an office or a carrier's shared
/// address fronts many shoppers.
const ONCE_PER_SHOPPER_DEFAULT: Rate = Rate {
    per_second: 2.0,
    burst: 20.0,
};
/// Past this many buckets, full ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

/// A route's limit per address: its isolate bucket (the variables `<vars>_PER_S`/`_BURST`) and
/// its Rate Limiting binding (`binding`, whose `simple.period` in `wrangler.toml` is
/// `period_s`: what a refusal's `Retry-After` says).
struct Route {
    key_prefix: &'static str,
    vars: &'static str,
    default: Rate,
    binding: &'static str,
    period_s: u32,
}

/// `POST /api/session` without a live session: a new customer.
const SESSION_STARTS: Route = Route {
    key_prefix: "start",
    vars: "ADDRESS_SESSIONS",
    default: ONCE_PER_SHOPPER_DEFAULT,
    binding: bindings::SESSION_START_LIMIT,
    period_s: 10,
};
/// `POST /api/orders`.
const ORDERS: Route = Route {
    key_prefix: "order",
    vars: "ADDRESS_ORDERS",
    default: ADDRESS_DEFAULT,
    binding: bindings::ORDER_LIMIT,
    period_s: 10,
};
/// `POST /api/waiting-room` without a ticket: a join, the one call to the `WaitingRoom`.
const JOINS: Route = Route {
    key_prefix: "join",
    vars: "ADDRESS_JOINS",
    default: ONCE_PER_SHOPPER_DEFAULT,
    binding: bindings::JOIN_LIMIT,
    period_s: 10,
};

thread_local! {
    static BUCKETS: RefCell<HashMap<String, TokenBucket>> = RefCell::new(HashMap::new());
}

fn take(key: String, rate: Rate, now: UnixMillis) -> Result<(), Refusal> {
    BUCKETS.with_borrow_mut(|buckets| {
        if buckets.len() > MAX_BUCKETS {
            buckets.retain(|_, bucket| !bucket.is_full(rate, now));
        }
        let bucket = buckets
            .entry(key)
            .or_insert_with(|| TokenBucket::full(rate, now));
        bucket
            .take(rate, now)
            .map_err(|retry_after_s| Refusal::RateLimited { retry_after_s })
    })
}

/// The client's address as Cloudflare reports it.
pub fn client_address(req: &Request) -> Result<String> {
    Ok(req
        .headers()
        .get("cf-connecting-ip")?
        .unwrap_or_else(|| "unknown".into()))
}

/// One request of `route` from `address`: the isolate's bucket first, then the binding. A
/// binding the configuration lacks is an error (503, logged), never an open door.
async fn by_address(env: &Env, route: &Route, address: &str, now: UnixMillis) -> EdgeResult<()> {
    let key = rate::address_key(address);
    let rate = bindings::rate(env, route.vars, route.default);
    take(format!("{}:{key}", route.key_prefix), rate, now)?;
    if bindings::shared_limits_lifted(env) {
        return Ok(());
    }
    let outcome = env.rate_limiter(route.binding)?.limit(key).await?;
    if outcome.success {
        Ok(())
    } else {
        Err(Refusal::RateLimited {
            retry_after_s: route.period_s,
        }
        .into())
    }
}

/// One new session from this address.
pub async fn session_start(env: &Env, address: &str, now: UnixMillis) -> EdgeResult<()> {
    by_address(env, &SESSION_STARTS, address, now).await
}

/// One order from this address.
pub async fn order(env: &Env, address: &str, now: UnixMillis) -> EdgeResult<()> {
    by_address(env, &ORDERS, address, now).await
}

/// One join of the waiting room from this address.
pub async fn join(env: &Env, address: &str, now: UnixMillis) -> EdgeResult<()> {
    by_address(env, &JOINS, address, now).await
}

/// One order from this session's customer (the isolate's bucket only: a session's orders are
/// bounded across isolates by its customer's limit at the deal's shard).
pub fn by_session(env: &Env, customer: &str, now: UnixMillis) -> Result<(), Refusal> {
    take(
        format!("s:{customer}"),
        bindings::rate(env, "SESSION_ORDERS", SESSION_DEFAULT),
        now,
    )
}
