//! Rate limits on order intake: one token bucket per session and one per client address, kept in
//! this isolate's memory. Cloudflare keeps a client on the same location and usually the same
//! isolate, so the buckets bound each client where it lands without a round trip on the burst
//! path; a global bound is the Durable Objects' own (one request at a time per shard).

use std::cell::RefCell;
use std::collections::HashMap;

use festival_domain::rate::{Rate, TokenBucket};
use festival_domain::{Refusal, UnixMillis};
use worker::{Env, Request, Result};

use crate::bindings;

/// Defaults: a shopper clicks a few times a second at most; an address may front many shoppers.
const SESSION_DEFAULT: Rate = Rate {
    per_second: 2.0,
    burst: 5.0,
};
const ADDRESS_DEFAULT: Rate = Rate {
    per_second: 50.0,
    burst: 100.0,
};
/// Past this many buckets, full ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

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

/// One order from this address.
pub fn by_address(env: &Env, address: &str, now: UnixMillis) -> Result<(), Refusal> {
    take(
        format!("a:{address}"),
        bindings::rate(env, "ADDRESS_ORDERS", ADDRESS_DEFAULT),
        now,
    )
}

/// One order from this session's customer.
pub fn by_session(env: &Env, customer: &str, now: UnixMillis) -> Result<(), Refusal> {
    take(
        format!("s:{customer}"),
        bindings::rate(env, "SESSION_ORDERS", SESSION_DEFAULT),
        now,
    )
}
