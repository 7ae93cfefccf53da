//! The customers' `KeyClaims` objects, as an isolate meets them before it sends an order to its
//! shard (unless its key names its deal): the real decision (`festival_domain::key_claims`) over
//! one simulated store, with the request or the reply lost as the faults say. A claim is one
//! atomic step of its object, so losing either side of it is all a fault can do to it.

use std::collections::BTreeMap;
use std::rc::Rc;

use festival_domain::key_claims::{Claim, ClaimAnswer, decide, keys_to_read};
use festival_domain::{PricedOrder, UnixMillis};

use super::faults::Kind;
use super::world::World;

/// Whether the isolate sends `order` on to its shard, as the edge decides: a key that names its
/// deal goes on unclaimed (one that names another deal is refused when the request is read,
/// `IdempotencyKey::may_serve`); any other key goes on once claimed ([`claim`]).
pub fn admit(world: &Rc<World>, store: &mut BTreeMap<String, String>, order: &PricedOrder) -> bool {
    match order.idempotency_key.deal() {
        Some(_) => order.idempotency_key.may_serve(&order.deal_id),
        None => claim(world, store, order),
    }
}

/// Claims `order`'s key; answers whether the isolate sends the order on to its shard (a claim
/// with the same body, or a fresh one) — not when the claim or its reply was lost, or the key
/// was first used for another body.
fn claim(world: &Rc<World>, store: &mut BTreeMap<String, String>, order: &PricedOrder) -> bool {
    if world.fault(Kind::LostRequest) {
        world.note(format!(
            "  claim of {} lost",
            order.idempotency_key.as_str()
        ));
        return false;
    }
    let now = UnixMillis(world.now.get());
    let claims = [Claim::of(order)];
    let read = keys_to_read(&claims, now)
        .into_iter()
        .filter_map(|key| Some((key.clone(), store.get(&key)?.clone())))
        .collect();
    let (answers, puts) = decide(&claims, &read, now);
    store.extend(puts);
    if world.fault(Kind::LostReply) {
        world.note(format!(
            "  claim reply for {} lost",
            order.idempotency_key.as_str()
        ));
        return false;
    }
    answers[0] != ClaimAnswer::Reused
}
