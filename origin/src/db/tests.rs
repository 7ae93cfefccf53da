//! Storing batches, on the engine the run asks for (see `testing`).

use festival_domain::{
    CustomerId, DealId, IdempotencyKey, Order, OrderId, OrderStatus, PricedOrder, Quantity,
    UnixMillis,
};

use super::testing::TestDatabase;
use super::{connect, get_order, store_orders};

fn order(nonce: u128, status: OrderStatus) -> Order {
    let deal = DealId::parse("lantern").unwrap();
    Order {
        id: OrderId::new(&deal, 0, nonce),
        status,
        priced: PricedOrder {
            deal_id: deal,
            customer_id: CustomerId::new("ada").unwrap(),
            idempotency_key: IdempotencyKey::new(&format!("key-{nonce:08}")).unwrap(),
            quantity: Quantity::new(1).unwrap(),
            unit_price_minor: 100,
            total_minor: 100,
            currency: "USD".into(),
            priced_at: UnixMillis(5),
        },
    }
}

#[tokio::test]
async fn a_batch_is_stored_once_and_a_cancellation_always_wins() {
    let database = TestDatabase::fresh("store_orders").await;
    let db = connect(&database.url).await.unwrap();
    let (a, b) = (
        order(1, OrderStatus::Reserved),
        order(2, OrderStatus::Reserved),
    );
    let a_cancelled = Order {
        status: OrderStatus::Cancelled,
        ..a.clone()
    };
    let now = UnixMillis(10);
    // An order and its cancellation in one batch, and a copy of another.
    let batch = [a.clone(), b.clone(), a_cancelled.clone(), b.clone()];
    let fresh = store_orders(&db, &batch, now).await.unwrap();
    assert_eq!(fresh, [true, true, false, false]);
    let status = |id: OrderId| {
        let db = db.clone();
        async move { get_order(&db, &id).await.unwrap().unwrap().status }
    };
    assert_eq!(status(a.id.clone()).await, OrderStatus::Cancelled);
    assert_eq!(status(b.id.clone()).await, OrderStatus::Confirmed);

    // A late copy of the sale never undoes the cancellation; a replay changes nothing.
    assert_eq!(
        store_orders(&db, std::slice::from_ref(&a), now)
            .await
            .unwrap(),
        [false]
    );
    assert_eq!(status(a.id.clone()).await, OrderStatus::Cancelled);
    let b_cancelled = Order {
        status: OrderStatus::Cancelled,
        ..b.clone()
    };
    let twice = [b_cancelled.clone(), b_cancelled];
    assert_eq!(store_orders(&db, &twice, now).await.unwrap(), [true, false]);
    assert_eq!(status(b.id.clone()).await, OrderStatus::Cancelled);
    assert_eq!(
        store_orders(&db, &[], now).await.unwrap(),
        Vec::<bool>::new()
    );
}
