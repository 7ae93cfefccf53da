use super::*;
use crate::deal::DealId;
use crate::order::{CustomerId, IdempotencyKey, Quantity};

const SPEC: ShardSpec = ShardSpec {
    stock: 10,
    shards: 2,
    index: 0,
};

fn order(customer: &str, key: &str, quantity: i64) -> PricedOrder {
    PricedOrder {
        deal_id: DealId::parse("lantern").unwrap(),
        customer_id: CustomerId::new(customer).unwrap(),
        idempotency_key: IdempotencyKey::new(key).unwrap(),
        quantity: Quantity::new(quantity).unwrap(),
        unit_price_minor: 100,
        total_minor: 100 * quantity,
        currency: "USD".into(),
        priced_at: UnixMillis(5),
    }
}

fn decide_on(stored: &BTreeMap<String, String>, orders: &[PricedOrder]) -> Decision {
    let mut next = 0;
    decide(
        SPEC,
        Ledger::fresh(SPEC),
        orders,
        2,
        stored,
        UnixMillis(5),
        || {
            next += 1;
            next
        },
    )
    .unwrap()
}

fn accepted(attempt: &Attempt) -> Order {
    match attempt {
        Attempt::Done(Reservation::Accepted { order }) => order.clone(),
        other => panic!("not accepted: {other:?}"),
    }
}

/// Storage after applying `writes` to `stored`.
fn applied(mut stored: BTreeMap<String, String>, writes: &Writes) -> BTreeMap<String, String> {
    stored.extend(writes.puts.clone());
    stored
}

#[test]
fn a_new_order_writes_order_key_pending_customer_and_ledger_at_once() {
    let decision = decide_on(&BTreeMap::new(), &[order("ann", "key-00000001", 2)]);
    let order = accepted(&decision.attempts[0]);
    assert_eq!(decision.ledger.stock_left, 3);
    assert_eq!(decision.ledger.reserved_units, 2);
    let keys: Vec<&str> = decision.writes.puts.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5);
    assert!(keys.contains(&order_key(&order.id).as_str()));
    assert!(keys.contains(&pending_key(&order.id).as_str()));
    assert!(keys.contains(&LEDGER_KEY));
}

#[test]
fn the_same_key_replays_and_another_body_is_refused() {
    let first = order("ann", "key-00000001", 1);
    let decision = decide_on(&BTreeMap::new(), std::slice::from_ref(&first));
    let made = accepted(&decision.attempts[0]);
    let stored = applied(BTreeMap::new(), &decision.writes);
    let mut read = BTreeMap::new();
    for key in keys_to_read(std::slice::from_ref(&first)) {
        if let Some(value) = stored.get(&key) {
            read.insert(key, value.clone());
        }
    }
    for key in replay_keys(&read) {
        read.insert(key.clone(), stored[&key].clone());
    }
    let again = decide_on(&read, &[first, order("ann", "key-00000001", 2)]);
    assert_eq!(
        again.attempts,
        [
            Attempt::Done(Reservation::Replayed { order: made }),
            Attempt::Done(Reservation::KeyReused),
        ]
    );
    assert!(again.writes.is_empty(), "a replay writes nothing");
}

#[test]
fn within_one_batch_a_key_makes_one_order_and_the_limit_holds() {
    let decision = decide_on(
        &BTreeMap::new(),
        &[
            order("ann", "key-00000001", 1),
            order("ann", "key-00000001", 1),
            order("ann", "key-00000002", 1),
            order("ann", "key-00000003", 1),
            order("bo", "key-00000001", 2),
        ],
    );
    let first = accepted(&decision.attempts[0]);
    assert_eq!(
        decision.attempts[1],
        Attempt::Done(Reservation::Replayed { order: first })
    );
    accepted(&decision.attempts[2]);
    assert_eq!(
        decision.attempts[3],
        Attempt::Done(Reservation::LimitReached { limit: 2 })
    );
    accepted(&decision.attempts[4]);
    assert_eq!(decision.ledger.stock_left, 1);
}

#[test]
fn short_of_units_is_short_and_a_damaged_record_fails_its_order_alone() {
    let mut stored = BTreeMap::new();
    stored.insert(
        customer_key(&CustomerId::new("cy").unwrap()),
        "{damaged".to_owned(),
    );
    let decision = decide_on(
        &stored,
        &[
            order("ann", "key-00000001", 2),
            order("bo", "key-00000001", 2),
            order("cy", "key-00000001", 1),
            order("dee", "key-00000001", 2),
        ],
    );
    accepted(&decision.attempts[0]);
    accepted(&decision.attempts[1]);
    assert!(matches!(decision.attempts[2], Attempt::Failed(_)));
    assert_eq!(decision.attempts[3], Attempt::Short);
}

#[test]
fn a_full_batch_fits_one_write() {
    let orders: Vec<PricedOrder> = (0..MAX_BATCH)
        .map(|n| order(&format!("c{n}"), "key-00000001", 1))
        .collect();
    let big = ShardSpec {
        stock: 1_000,
        shards: 1,
        index: 0,
    };
    let mut next = 0;
    let decision = decide(
        big,
        Ledger::fresh(big),
        &orders,
        2,
        &BTreeMap::new(),
        UnixMillis(0),
        || {
            next += 1;
            next
        },
    )
    .unwrap();
    assert!(decision.writes.len() <= 128);
    assert_eq!(decision.ledger.reserved_orders as usize, MAX_BATCH);
}

#[test]
fn a_stopped_sale_refuses_new_orders_and_still_replays_old_ones() {
    let first = order("ann", "key-00000001", 1);
    let made = decide_on(&BTreeMap::new(), std::slice::from_ref(&first));
    let stored = applied(BTreeMap::new(), &made.writes);
    for (live, why) in [
        (
            crate::live::LiveControl {
                paused: true,
                pause_revision: 1,
                ..Default::default()
            },
            crate::live::Stop::Paused,
        ),
        (
            crate::live::LiveControl {
                ended_at: Some(UnixMillis(4)),
                ..Default::default()
            },
            crate::live::Stop::Ended,
        ),
    ] {
        let ledger = made.ledger.with_live(live, SPEC.index);
        let batch = [first.clone(), order("bob", "key-00000002", 1)];
        let decision = decide(SPEC, ledger, &batch, 2, &stored, UnixMillis(5), || 9).unwrap();
        assert!(matches!(
            decision.attempts[0],
            Attempt::Done(Reservation::Replayed { .. })
        ));
        assert_eq!(
            decision.attempts[1],
            Attempt::Done(Reservation::Stopped { why })
        );
        assert!(decision.writes.is_empty(), "a refusal writes nothing");
    }
}

#[test]
fn units_added_are_sold_and_a_total_seen_twice_adds_once() {
    let live = crate::live::LiveControl {
        added_units: 3,
        ..Default::default()
    };
    let ledger = Ledger::fresh(SPEC).with_live(live, 0).with_live(live, 0);
    // Shard 0 of 2 takes 2 of the 3 units added, once.
    assert_eq!((ledger.stock_left, ledger.added_units), (7, 2));
    let more = ledger.with_live(
        crate::live::LiveControl {
            added_units: 4,
            ..live
        },
        0,
    );
    assert_eq!(
        (more.stock_left, more.added_units),
        (7, 2),
        "4 splits 2 + 2"
    );
    let older = more.with_live(crate::live::LiveControl::default(), 0);
    assert_eq!(older, more, "an older copy changes nothing");
}
