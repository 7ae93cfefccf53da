//! The outbox alarm over more pending records than one run reads: a pass spans runs and ends
//! on the earliest due time, so records sent earlier keep their backoff; and the orders of one
//! send window go to the queue together.

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use festival_domain::stock::records::{LEDGER_KEY, Pending, order_key, pending_key};
use festival_domain::stock::{Ledger, Shard, ShardSpec, StockCommand};
use festival_domain::{
    CustomerId, DealId, IdempotencyKey, OrderId, OrderStatus, PricedOrder, Quantity, UnixMillis,
};

use super::faults::Faults;
use super::world::{SimHost, World};

/// Runs a future that awaits only storage (which the simulated world answers at once).
fn finish<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("only storage was awaited"),
    }
}

/// A world with one shard of the deal `paging` holding a ledger and `records` (storage key and
/// value); the shard, and the world's time now.
fn shard_holding(
    records: impl FnOnce(&DealId, i64) -> Vec<(String, String)>,
) -> (Rc<World>, Rc<Shard<SimHost>>, i64) {
    let deal = DealId::parse("paging").unwrap();
    let world = World::new(Faults::new(1, &[]), vec![deal.clone()]);
    let shard = world.shard((0, 0));
    let now = world.now.get();
    let spec = ShardSpec {
        index: 0,
        shards: 1,
        stock: 100,
    };
    {
        let mut objects = world.objects.borrow_mut();
        let storage = &mut objects.get_mut(&(0, 0)).unwrap().storage;
        storage.extend(records(&deal, now));
        let ledger = Ledger::fresh(spec).pinned(spec);
        storage.insert(LEDGER_KEY.into(), serde_json::to_string(&ledger).unwrap());
    }
    (world, shard, now)
}

#[test]
fn a_pass_over_many_pending_records_ends_on_the_earliest_due_time() {
    // 40 records, already sent and waiting to be sent again: more than one run's 8 pages of 4.
    let (world, shard, now) = shard_holding(|deal, now| {
        (0..40u128)
            .map(|i| {
                let pending = Pending {
                    status: OrderStatus::Reserved,
                    due: UnixMillis(now + 60_000 + i as i64 * 1_000),
                    sends: 1,
                    since: UnixMillis(now),
                };
                let id = OrderId::new(deal, 0, i);
                (pending_key(&id), serde_json::to_string(&pending).unwrap())
            })
            .collect()
    });
    let earliest_due = now + 60_000;
    let alarm = || world.objects.borrow()[&(0, 0)].alarm;

    finish(shard.alarm()).unwrap();
    assert_eq!(alarm(), Some(now), "the pass goes on at once");
    finish(shard.alarm()).unwrap();
    assert_eq!(
        alarm(),
        Some(earliest_due),
        "the pass ends on the earliest due time"
    );
    finish(shard.alarm()).unwrap();
    assert_eq!(alarm(), Some(now), "a new pass begins at the start");
    assert_eq!(world.messages.get(), 0, "nothing was due");
}

#[test]
fn a_pass_that_sent_everything_ends_on_the_resends() {
    // Exactly one run's 8 pages of 4, all due: the run sends them all, and the pass's next run
    // reads an empty page.
    let (world, shard, now) = shard_holding(|deal, now| {
        (0..32u128)
            .flat_map(|i| {
                let id = OrderId::new(deal, 0, i);
                let pending = Pending::new(OrderStatus::Reserved, UnixMillis(now));
                [
                    (pending_key(&id), serde_json::to_string(&pending).unwrap()),
                    (order_key(&id), format!(r#"{{"id":"{id}"}}"#)),
                ]
            })
            .collect()
    });
    let alarm = || world.objects.borrow()[&(0, 0)].alarm;
    finish(shard.alarm()).unwrap();
    assert_eq!(world.messages.get(), 1, "the 32 went in one message");
    finish(shard.alarm()).unwrap();
    assert_eq!(
        alarm(),
        Some(now + 60_000),
        "the pass ends on the first re-send, not on nothing"
    );
}

/// An order for the deal `paging` by `customer`, priced at `now`.
fn order_by(customer: &str, now: i64) -> PricedOrder {
    PricedOrder {
        deal_id: DealId::parse("paging").unwrap(),
        customer_id: CustomerId::new(customer).unwrap(),
        idempotency_key: IdempotencyKey::new(&format!("key-of-{customer}")).unwrap(),
        quantity: Quantity::new(1).unwrap(),
        unit_price_minor: 100,
        total_minor: 100,
        currency: "USD".into(),
        priced_at: UnixMillis(now),
    }
}

#[test]
fn the_orders_of_one_send_window_go_to_the_queue_in_one_message() {
    let (world, shard, now) = shard_holding(|_, _| Vec::new());
    let alarm = || world.objects.borrow()[&(0, 0)].alarm;
    // The object's start arms the alarm at once (to send what a restart left); with nothing
    // pending, that run leaves it unset.
    finish(shard.handle(StockCommand::Backlog)).unwrap();
    finish(shard.alarm()).unwrap();
    assert_eq!(alarm(), None);
    let reserve = |customer: &str| StockCommand::Reserve {
        spec: ShardSpec {
            index: 0,
            shards: 1,
            stock: 100,
        },
        orders: vec![order_by(customer, world.now.get())],
        per_customer_limit: 1,
    };
    finish(shard.handle(reserve("first"))).unwrap();
    assert_eq!(alarm(), Some(now + 1_000), "the first order opens a window");
    world.now.set(now + 400);
    finish(shard.handle(reserve("second"))).unwrap();
    assert_eq!(alarm(), Some(now + 1_000), "a later order joins it");
    assert_eq!(
        world.messages.get(),
        0,
        "nothing is sent before the window closes"
    );
    world.now.set(now + 1_000);
    finish(shard.alarm()).unwrap();
    assert_eq!(
        world.messages.get(),
        1,
        "the window's two orders went in one message"
    );
}

#[test]
fn a_flow_of_orders_keeps_its_window_open_and_goes_in_one_message() {
    let (world, shard, start) = shard_holding(|_, _| Vec::new());
    let alarm = || world.objects.borrow()[&(0, 0)].alarm;
    let spec = ShardSpec {
        index: 0,
        shards: 1,
        stock: 100,
    };
    // An order every 200 ms for 2 s: the alarm goes off at 1 s, finds the flow going on, and
    // waits for it to pause.
    for i in 0..10 {
        let now = start + i * 200;
        world.now.set(now);
        if alarm().is_some_and(|at| at <= now) {
            finish(shard.alarm()).unwrap();
        }
        let orders = vec![order_by(&format!("flow-{i}"), now)];
        let command = StockCommand::Reserve {
            spec,
            orders,
            per_customer_limit: 1,
        };
        finish(shard.handle(command)).unwrap();
    }
    assert_eq!(
        world.messages.get(),
        0,
        "nothing sent while the orders flow"
    );
    // Each time the alarm goes off it finds an order too recent and waits on, to a quiet spell
    // after the last one.
    let quiet = start + 9 * 200 + 250;
    while world.messages.get() == 0 {
        let at = alarm().expect("the alarm stays armed");
        assert!(at <= quiet, "the alarm waits past the pause: {at}");
        world.now.set(at);
        finish(shard.alarm()).unwrap();
    }
    assert_eq!(world.now.get(), quiet, "sent once the flow paused");
    assert_eq!(
        world.messages.get(),
        1,
        "the flow's 10 orders went in one message"
    );
}
