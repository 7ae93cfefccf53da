//! The live dashboard over real HTTP: orders, revenue, stock and sell-out counted per deal and
//! in total, in the window asked for; a window it cannot show is refused.

use festival_domain::UnixMillis;
use festival_domain::dashboard::Dashboard;
use serde_json::{Value, json};

use super::{HOUR, deal_json, insert_deal, origin};
use crate::now;

#[tokio::test]
async fn the_dashboard_counts_orders_revenue_stock_and_sell_out() {
    let origin = origin().await;
    let mut hot = deal_json("hot", -120_000);
    hot["stock"] = json!(3);
    insert_deal(&origin, hot).await;
    insert_deal(&origin, deal_json("calm", -120_000)).await;
    insert_deal(&origin, deal_json("later", HOUR)).await;

    let t = now().0;
    for (id, deal, quantity, total, status, at) in [
        ("o1", "hot", 1, 1_250, "confirmed", t - 30_000),
        ("o2", "hot", 1, 1_250, "cancelled", t - 29_000),
        ("o3", "hot", 2, 2_500, "confirmed", t - 20_000),
        ("o4", "calm", 1, 1_250, "confirmed", t - 20_000),
        // Outside a 60 s window, but part of the totals.
        ("o5", "calm", 2, 2_500, "confirmed", t - 100_000),
    ] {
        origin
            .insert_order(id, deal, quantity, total, status, at)
            .await;
    }

    let (status, body) = origin
        .admin("GET", "/admin/dashboard?window_s=60", &Value::Null)
        .await;
    assert_eq!(status, 200, "{body}");
    let d: Dashboard = serde_json::from_value(body).unwrap();
    assert_eq!((d.bucket_s, d.total.orders_per_bucket.len()), (1, 60));
    let ids: Vec<_> = d.deals.iter().map(|x| x.deal_id.as_str()).collect();
    assert_eq!(ids, ["hot", "calm", "later"], "soonest start first");
    let (hot, calm, later) = (&d.deals[0], &d.deals[1], &d.deals[2]);

    // Three orders came in for `hot` within the window (the cancelled one was an order too).
    assert_eq!(hot.orders_per_bucket.iter().sum::<u32>(), 3);
    assert_eq!(calm.orders_per_bucket.iter().sum::<u32>(), 1);
    assert_eq!(d.total.orders_per_bucket.iter().sum::<u32>(), 4);
    assert!(later.orders_per_bucket.iter().all(|n| *n == 0));

    assert_eq!((hot.orders, hot.units_sold, hot.units_left), (2, 3, 0));
    assert_eq!(hot.revenue.minor, 3_750);
    assert_eq!(hot.sold_out_at, Some(UnixMillis(t - 20_000)));
    assert_eq!(
        (calm.units_sold, calm.units_left, calm.sold_out_at),
        (3, 7, None)
    );
    assert_eq!(calm.revenue.minor, 3_750);
    assert_eq!(later.units_left, 10);
    assert_eq!(d.total.units_left, 17);
    assert_eq!(d.total.revenue.len(), 1);
    assert_eq!(d.total.revenue[0].minor, 7_500);

    let (status, body) = origin.admin("GET", "/admin/dashboard", &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["bucket_s"], 5,
        "the default window is five minutes in 5 s buckets"
    );
}

#[tokio::test]
async fn the_dashboard_refuses_a_window_it_cannot_show() {
    let origin = origin().await;
    for query in [
        "window_s=5",
        "window_s=999999",
        "window_s=abc",
        "window_s=-60",
        "window_s=60&bucket_s=7",
        "window=60",
    ] {
        let (status, body) = origin
            .admin("GET", &format!("/admin/dashboard?{query}"), &Value::Null)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("invalid_window")),
            "{query}"
        );
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
}
