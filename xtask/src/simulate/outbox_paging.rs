//! The outbox alarm over more pending records than one run reads: a pass spans runs and ends
//! on the earliest due time, so records sent earlier keep their backoff.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use festival_domain::stock::records::{LEDGER_KEY, Pending, pending_key};
use festival_domain::stock::{Ledger, ShardSpec};
use festival_domain::{DealId, OrderId, OrderStatus, UnixMillis};

use super::faults::Faults;
use super::world::World;

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

#[test]
fn a_pass_over_many_pending_records_ends_on_the_earliest_due_time() {
    let deal = DealId::parse("paging").unwrap();
    let world = World::new(Faults::new(1, &[]), vec![deal.clone()]);
    let shard = world.shard((0, 0));
    let now = world.now.get();
    let spec = ShardSpec {
        index: 0,
        shards: 1,
        stock: 100,
    };
    let earliest_due = now + 60_000;
    // 40 records, already sent and waiting to be sent again: more than one run's 8 pages of 4.
    let records = (0..40u128).map(|i| {
        let pending = Pending {
            status: OrderStatus::Reserved,
            due: UnixMillis(earliest_due + i as i64 * 1_000),
            sends: 1,
            since: UnixMillis(now),
        };
        let id = OrderId::new(&deal, 0, i);
        (pending_key(&id), serde_json::to_string(&pending).unwrap())
    });
    {
        let mut objects = world.objects.borrow_mut();
        let storage = &mut objects.get_mut(&(0, 0)).unwrap().storage;
        storage.extend(records);
        let ledger = Ledger::fresh(spec).pinned(spec);
        storage.insert(LEDGER_KEY.into(), serde_json::to_string(&ledger).unwrap());
    }
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
    let deal = DealId::parse("paging").unwrap();
    let world = World::new(Faults::new(1, &[]), vec![deal.clone()]);
    let shard = world.shard((0, 0));
    let now = world.now.get();
    let spec = ShardSpec {
        index: 0,
        shards: 1,
        stock: 100,
    };
    // Exactly one run's 8 pages of 4, all due: the run sends them all, and the pass's next run
    // reads an empty page.
    {
        let mut objects = world.objects.borrow_mut();
        let storage = &mut objects.get_mut(&(0, 0)).unwrap().storage;
        for i in 0..32u128 {
            let id = OrderId::new(&deal, 0, i);
            let pending = Pending::new(OrderStatus::Reserved, UnixMillis(now));
            storage.insert(pending_key(&id), serde_json::to_string(&pending).unwrap());
            let order = format!(r#"{{"id":"{id}"}}"#);
            storage.insert(festival_domain::stock::records::order_key(&id), order);
        }
        let ledger = Ledger::fresh(spec).pinned(spec);
        storage.insert(LEDGER_KEY.into(), serde_json::to_string(&ledger).unwrap());
    }
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
