//! The export over the real router, on the engine the run asks for (see `db::testing`), with
//! 10,000 orders.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use festival_domain::{
    CustomerId, DealId, IdempotencyKey, Order, OrderId, OrderStatus, PricedOrder, Quantity,
    UnixMillis,
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::*;
use crate::db::testing::TestDatabase;
use crate::{Config, db};

const TOKEN: &str = "c4e6a8f0b2d4e6a8c0e2a4b6d8f0a2c4";
const ORDERS: usize = 10_000;

fn order(deal: &DealId, n: usize) -> Order {
    let status = if n.is_multiple_of(10) {
        OrderStatus::Cancelled
    } else {
        OrderStatus::Reserved
    };
    Order {
        id: OrderId::new(deal, (n % 4) as u32, n as u128),
        status,
        priced: PricedOrder {
            deal_id: deal.clone(),
            customer_id: CustomerId::from_random(n as u128),
            idempotency_key: IdempotencyKey::new(&format!("export-{n:08}")).unwrap(),
            quantity: Quantity::new(1).unwrap(),
            unit_price_minor: 1_250,
            total_minor: 1_250,
            currency: "USD".into(),
            priced_at: UnixMillis(1_794_355_200_000 + n as i64),
        },
    }
}

/// Origin's router over a database holding `ORDERS` orders of `lamp` and 10 of `kettle`.
async fn stocked() -> (axum::Router, TestDatabase) {
    let database = TestDatabase::fresh("export").await;
    let env = |key: &str| match key {
        "FESTIVAL_BATCH_SECRET" => Some(TOKEN.to_owned()),
        "FESTIVAL_MARKETER_TOKEN" => Some(TOKEN.to_owned()),
        _ => None,
    };
    let args = ["--database-url", &database.url].map(String::from);
    let config = Config::from_args_and_env(args, env).unwrap();
    let pool = db::connect(&database.url).await.unwrap();
    let (lamp, kettle) = (
        DealId::parse("lamp").unwrap(),
        DealId::parse("kettle").unwrap(),
    );
    let orders: Vec<Order> = (0..ORDERS).map(|n| order(&lamp, n)).collect();
    for batch in orders.chunks(100) {
        db::store_orders(&pool, batch, UnixMillis(1_794_355_300_000))
            .await
            .unwrap();
    }
    let others: Vec<Order> = (0..10).map(|n| order(&kettle, ORDERS + n)).collect();
    db::store_orders(&pool, &others, UnixMillis(1))
        .await
        .unwrap();
    let state = AppState {
        db: pool,
        config: Arc::new(config),
    };
    (crate::app(state), database)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn ten_thousand_orders_leave_as_csv_a_page_at_a_time_and_as_json_pages() {
    let (app, _database) = stocked().await;

    let started = Instant::now();
    let answer = app
        .clone()
        .oneshot(get("/admin/orders.csv?deal=lamp"))
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "text/csv; charset=utf-8");
    let mut body = answer.into_body();
    let (mut lines, mut chunks, mut largest) = (Vec::new(), 0, 0);
    while let Some(frame) = body.frame().await {
        let data = frame.unwrap().into_data().unwrap();
        chunks += 1;
        largest = largest.max(data.len());
        lines.extend(
            String::from_utf8(data.to_vec())
                .unwrap()
                .lines()
                .map(str::to_owned),
        );
    }
    let elapsed = started.elapsed();
    println!(
        "CSV of {ORDERS} orders: {} ms, {chunks} chunks, the largest {largest} bytes",
        elapsed.as_millis()
    );
    assert_eq!(lines[0], CSV_HEADER.trim_end());
    assert_eq!(
        lines.len(),
        ORDERS + 1,
        "a header and one line per order of the deal"
    );
    // One page of orders at most is ever held: the body came in one chunk per page.
    assert_eq!(chunks, ORDERS / CSV_PAGE as usize);
    assert!(
        largest < CSV_PAGE as usize * 200,
        "{largest} bytes in one chunk"
    );
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first.len(), 11);
    assert_eq!(first[1], "lamp");
    assert_eq!(first[2], "cancelled", "order 0 was cancelled: {}", lines[1]);
    assert_eq!(first[9], "2026-11-11T00:00:00.000Z");
    let cancelled = lines.iter().filter(|l| l.contains(",cancelled,")).count();
    assert_eq!(cancelled, ORDERS / 10);

    // Every deal's orders, in JSON pages of 1,000 by the cursor.
    let (mut seen, mut after, mut pages) = (0, String::new(), 0);
    loop {
        let path = format!("/admin/orders?limit=1000&after={after}");
        let answer = app.clone().oneshot(get(&path)).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let bytes = answer.into_body().collect().await.unwrap().to_bytes();
        let page: Value = serde_json::from_slice(&bytes).unwrap();
        pages += 1;
        seen += page["orders"].as_array().unwrap().len();
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    assert_eq!((seen, pages), (ORDERS + 10, 11));
}

#[test]
fn a_listing_takes_its_own_parameters_only() {
    let listing = parse_listing("deal=lamp&after=&limit=20", true).unwrap();
    assert_eq!(listing.deal, Some(DealId::parse("lamp").unwrap()));
    assert_eq!((listing.after, listing.limit), (None, Some(20)));
    for bad in [
        "limit=0",
        "limit=1001",
        "limit=x",
        "deal=No!",
        "after=nope",
        "page=2",
    ] {
        let refused = parse_listing(bad, true).unwrap_err();
        assert!(matches!(refused, OriginError::InvalidQuery(_)), "{bad}");
    }
    assert!(parse_listing("deal=lamp", false).is_ok());
    assert!(
        parse_listing("limit=5", false).is_err(),
        "the CSV takes deal only"
    );
}
