//! The console's figures, from made-up orders and ledgers.

use super::*;
use crate::deal::tests::sample_deal;

fn deal(id: &str, stock: u32, currency: &str) -> Deal {
    Deal {
        id: DealId::parse(id).unwrap(),
        stock,
        currency: currency.into(),
        ..sample_deal()
    }
}

fn count(id: &str, second: i64, orders: u32) -> SecondCount {
    SecondCount {
        deal_id: DealId::parse(id).unwrap(),
        second,
        orders,
    }
}

fn sales(id: &str, orders: u64, units: u64, revenue_minor: i64) -> DealSales {
    DealSales {
        deal_id: DealId::parse(id).unwrap(),
        orders,
        units,
        revenue_minor,
        sold_out_at: None,
    }
}

#[test]
fn window_picks_buckets_and_aligns_them() {
    let now = UnixMillis(1_000_500); // second 1,000, half-way through
    let w = DashboardWindow::new(now, 60, None).unwrap();
    assert_eq!((w.bucket_s(), w.buckets()), (1, 60));
    // The last bucket is the second holding `now`.
    assert_eq!(w.start(), UnixMillis(941_000));
    assert_eq!(w.bucket_of(1_000), Some(59));
    assert_eq!(w.bucket_of(941), Some(0));
    assert_eq!(w.bucket_of(940), None);
    assert_eq!(w.bucket_of(1_001), None);

    let w = DashboardWindow::new(now, 300, None).unwrap();
    assert_eq!((w.bucket_s(), w.buckets()), (5, 60));
    // Second 1,000 opens the 5 s bucket [1000, 1005): it is the last one.
    assert_eq!(w.bucket_of(1_004), Some(59));
    assert_eq!(w.bucket_of(999), Some(58));
    assert_eq!(w.start(), UnixMillis(705_000));

    let w = DashboardWindow::new(now, 3_600, None).unwrap();
    assert_eq!((w.bucket_s(), w.buckets()), (10, 360));
}

#[test]
fn window_refuses_what_it_cannot_show() {
    let now = UnixMillis(0);
    for (window, bucket) in [
        (0, None),
        (9, None),
        (3_601, None),
        (60, Some(7)),
        (10, Some(30)),
        (3_600, Some(1)),
    ] {
        assert_eq!(
            DashboardWindow::new(now, window, bucket),
            Err(InvalidWindow),
            "{window} s in {bucket:?} s buckets"
        );
    }
    assert!(DashboardWindow::new(now, 300, Some(1)).is_ok());
}

#[test]
fn orders_land_in_their_bucket_and_add_up_in_the_total() {
    let w = DashboardWindow::new(UnixMillis(100_000), 10, None).unwrap();
    // Seconds 91..=100 are buckets 0..=9.
    let deals = [deal("a", 10, "USD"), deal("b", 5, "USD")];
    let counts = [
        count("a", 91, 2),
        count("a", 100, 3),
        count("b", 100, 4),
        count("b", 90, 50),    // before the window
        count("ghost", 95, 9), // not a scheduled deal
        count("a", 101, 7),    // after now (a skewed clock)
    ];
    let d = build(&w, &deals, &[], &counts);
    assert_eq!(d.bucket_s, 1);
    assert_eq!(d.window_start, UnixMillis(91_000));
    assert_eq!(d.deals[0].orders_per_bucket, [2, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
    assert_eq!(d.deals[1].orders_per_bucket, [0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
    assert_eq!(d.total.orders_per_bucket, [2, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
}

#[test]
fn wide_buckets_sum_their_seconds() {
    let w = DashboardWindow::new(UnixMillis(1_000_000), 300, None).unwrap();
    let deals = [deal("a", 10, "USD")];
    let counts = [count("a", 995, 1), count("a", 996, 2), count("a", 999, 3)];
    let d = build(&w, &deals, &[], &counts);
    assert_eq!(d.deals[0].orders_per_bucket.len(), 60);
    assert_eq!(d.deals[0].orders_per_bucket[58], 6);
    assert_eq!(d.deals[0].orders_per_bucket[59], 0);
}

#[test]
fn totals_units_left_and_revenue_per_currency() {
    let w = DashboardWindow::new(UnixMillis(100_000), 60, None).unwrap();
    let deals = [
        deal("a", 10, "USD"),
        deal("b", 5, "USD"),
        deal("c", 3, "KRW"),
        deal("d", 8, "USD"),
    ];
    let mut sold_out = sales("b", 2, 5, 5_000);
    sold_out.sold_out_at = Some(UnixMillis(42));
    let all = [
        sales("a", 3, 4, 3_000),
        sold_out,
        // More units than stock (never by the edge, but the screen must not underflow).
        sales("c", 4, 4, 120_000),
    ];
    let d = build(&w, &deals, &all, &[]);
    let left: Vec<_> = d.deals.iter().map(|x| x.units_left).collect();
    assert_eq!(left, [6, 0, 0, 8]);
    assert_eq!(d.deals[1].sold_out_at, Some(UnixMillis(42)));
    assert_eq!(d.deals[3].orders, 0);
    assert_eq!(d.deals[3].revenue.minor, 0);
    assert_eq!(d.total.orders, 9);
    assert_eq!(d.total.units_sold, 13);
    assert_eq!(d.total.units_left, 14);
    assert_eq!(
        d.total.revenue,
        [
            Money {
                minor: 120_000,
                currency: "KRW".into()
            },
            Money {
                minor: 8_000,
                currency: "USD".into()
            },
        ]
    );
}

#[test]
fn a_freed_unit_clears_sold_out() {
    let w = DashboardWindow::new(UnixMillis(100_000), 60, None).unwrap();
    let mut s = sales("a", 1, 9, 900);
    s.sold_out_at = Some(UnixMillis(5));
    let d = build(&w, &[deal("a", 10, "USD")], &[s], &[]);
    assert_eq!(d.deals[0].sold_out_at, None);
}

#[test]
fn sold_out_is_when_units_reach_stock() {
    let at = |ms| UnixMillis(ms);
    assert_eq!(
        sold_out_at(3, [(at(1), 1), (at(2), 2), (at(3), 1)]),
        Some(at(2))
    );
    assert_eq!(sold_out_at(3, [(at(1), 1), (at(2), 1)]), None);
    assert_eq!(sold_out_at(1, [(at(7), 2)]), Some(at(7)));
    assert_eq!(sold_out_at(1, []), None);
}

#[test]
fn the_dashboard_round_trips_as_json() {
    let w = DashboardWindow::new(UnixMillis(100_000), 10, None).unwrap();
    let d = build(&w, &[deal("a", 10, "USD")], &[], &[]);
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(serde_json::from_str::<Dashboard>(&json).unwrap(), d);
}
