//! Idempotency keys scoped to the customer across deals, as Stripe scopes them to an account.
//!
//! A deal's shard remembers the keys of its own orders (`stock::records::KeyRecord`), so a key
//! reused with another quantity on the same deal is refused there. A key reused on *another*
//! deal reaches another object, which has never seen it. So before an order reaches its shard,
//! the edge claims its key in the `KeyClaims` object of the customer (one of [`CLAIM_OBJECTS`],
//! chosen by the customer): the first claim records what the key is for (deal, quantity); a
//! claim with the same body is a retry and goes on to the shard (which answers the replay); a
//! claim with another body is [`ClaimAnswer::Reused`]: 422 `idempotency_key_reused`.
//!
//! A key that names its deal (`<deal>.<…>`, as the storefront's do: `IdempotencyKey::deal`)
//! needs no claim: it can only be used on that deal, where the shard tells a retry from a reuse.
//!
//! A claim is kept for at least [`CLAIM_KEPT_MS`] (between one and two days): claims live under
//! the day they were made, a claim is looked up under today and yesterday, and the object's
//! alarm deletes older days. This is the decision; the object around it reads, writes and
//! sets the alarm.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::deal::DealId;
use crate::order::{CustomerId, IdempotencyKey, PricedOrder};
use crate::time::UnixMillis;

/// `KeyClaims` objects, named `claims#<index>`: a customer's keys always live in the same one.
/// Each order that reaches a shard with a key that names no deal makes one claim: at about
/// 1,000 requests/s an object on Cloudflare, 64 take some 64,000 claims/s. The storefront's
/// orders make none; their notes (`ordered::notes_of`) arrive a delivery round at a time.
/// (More objects cost nothing at rest; `GET /api/ops/costs` reads each one.)
pub const CLAIM_OBJECTS: u32 = 64;
/// A day of claims: a claim answers for at least this long after it was made.
pub const CLAIM_KEPT_MS: i64 = 24 * 60 * 60 * 1000;
/// Prefix of every claim's storage key.
pub const CLAIM_PREFIX: &str = "claim:";

/// One order's claim on its key: what the key is used for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub customer: CustomerId,
    pub key: IdempotencyKey,
    pub deal: DealId,
    pub quantity: u32,
}

impl Claim {
    pub fn of(order: &PricedOrder) -> Self {
        Claim {
            customer: order.customer_id.clone(),
            key: order.idempotency_key.clone(),
            deal: order.deal_id.clone(),
            quantity: order.quantity.get(),
        }
    }

    /// The object that holds this customer's claims.
    pub fn object_index(&self) -> u32 {
        self.customer.bucket(CLAIM_OBJECTS)
    }

    /// Its storage key under `day`. Days are zero-padded, so keys sort by day.
    fn storage_key(&self, day: i64) -> String {
        format!(
            "{CLAIM_PREFIX}{day:010}:{}:{}",
            self.customer.as_str(),
            self.key.as_str()
        )
    }
}

/// The name of `KeyClaims` object `index`.
pub fn object_name(index: u32) -> String {
    format!("claims#{index}")
}

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimAnswer {
    /// The key is new: it is now this body's.
    Fresh,
    /// The key was claimed with this same body: a retry.
    Same,
    /// The key was claimed for another deal or quantity.
    Reused,
}

/// What is stored per claim: the body the key was first used with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ClaimRecord {
    deal: DealId,
    quantity: u32,
}

/// The day `now` falls in.
pub fn day_of(now: UnixMillis) -> i64 {
    now.0.div_euclid(CLAIM_KEPT_MS)
}

/// The storage keys to read before deciding `claims` at `now`: each under today and yesterday.
pub fn keys_to_read(claims: &[Claim], now: UnixMillis) -> Vec<String> {
    let today = day_of(now);
    claims
        .iter()
        .flat_map(|claim| [claim.storage_key(today), claim.storage_key(today - 1)])
        .collect()
}

/// Decides `claims` in order against `stored` (what [`keys_to_read`] named): one answer each,
/// and the records to put (with each fresh claim, its deal in the customer's order list:
/// [`ordered`]). A key claimed twice in one batch answers the second as the first
/// left it.
pub fn decide(
    claims: &[Claim],
    stored: &BTreeMap<String, String>,
    now: UnixMillis,
) -> (Vec<ClaimAnswer>, Vec<(String, String)>) {
    let today = day_of(now);
    let mut known: BTreeMap<String, ClaimRecord> = BTreeMap::new();
    let mut puts = Vec::new();
    let answers = claims
        .iter()
        .map(|claim| {
            let today_key = claim.storage_key(today);
            let found = known.get(&today_key).cloned().or_else(|| {
                [today_key.clone(), claim.storage_key(today - 1)]
                    .iter()
                    .find_map(|key| serde_json::from_str(stored.get(key)?).ok())
            });
            match found {
                Some(record) if record.deal == claim.deal && record.quantity == claim.quantity => {
                    ClaimAnswer::Same
                }
                Some(_) => ClaimAnswer::Reused,
                None => {
                    let record = ClaimRecord {
                        deal: claim.deal.clone(),
                        quantity: claim.quantity,
                    };
                    let json = serde_json::to_string(&record).expect("a claim serializes");
                    puts.push((today_key.clone(), json));
                    puts.extend(ordered::record(&claim.customer, &claim.deal, now));
                    known.insert(today_key, record);
                    ClaimAnswer::Fresh
                }
            }
        })
        .collect();
    (answers, puts)
}

/// When the stored claim `key` is past keeping: at the start of the second day after the one it
/// was made on. `None` for a key that does not parse, which is past keeping at once.
pub fn expiry_of(key: &str) -> Option<UnixMillis> {
    let day = key
        .strip_prefix(CLAIM_PREFIX)?
        .split(':')
        .next()?
        .parse::<i64>()
        .ok()?;
    Some(UnixMillis((day + 2) * CLAIM_KEPT_MS))
}

/// Whether the stored claim `key` is past keeping at `now`.
pub fn is_expired(key: &str, now: UnixMillis) -> bool {
    expiry_of(key).is_none_or(|at| now >= at)
}

/// When claims made at `now` are past keeping: when the object's alarm should sweep them.
pub fn next_sweep(now: UnixMillis) -> UnixMillis {
    UnixMillis((day_of(now) + 2) * CLAIM_KEPT_MS)
}

pub mod ordered;
#[cfg(test)]
mod tests;
