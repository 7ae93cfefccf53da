//! The marketer's live "big screen": orders per second, revenue, units left and sell-out time,
//! per deal and in total.
//!
//! Origin aggregates the orders table into [`DealSales`] and [`SecondCount`] rows; [`build`] turns
//! them into the [`Dashboard`] the console draws. Bucketing and totals live here, as a pure
//! function, so they are tested without a database and read the same in origin and the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::deal::{Deal, DealId};
use crate::money::Money;
use crate::time::UnixMillis;

/// Shortest window the dashboard shows, in seconds.
pub const MIN_WINDOW_S: u32 = 10;
/// Longest window the dashboard shows, in seconds (one hour).
pub const MAX_WINDOW_S: u32 = 3_600;
/// Window used when the request names none: the last five minutes.
pub const DEFAULT_WINDOW_S: u32 = 300;
/// Most buckets one series holds; wider windows get wider buckets.
pub const MAX_BUCKETS: u32 = 360;

/// The time span a dashboard covers, cut into equal buckets. The last bucket holds `now` and is
/// still filling; buckets are aligned to whole multiples of `bucket_s` since the epoch, so two
/// readings a moment apart put an order in the same bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardWindow {
    now: UnixMillis,
    /// First second (since the epoch) of the first bucket.
    start_s: i64,
    bucket_s: u32,
    buckets: u32,
}

/// A window the dashboard cannot show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the window is {MIN_WINDOW_S} to {MAX_WINDOW_S} seconds, cut into buckets of 1, 5, 10, 30 or 60 seconds"
)]
pub struct InvalidWindow;

impl DashboardWindow {
    /// The window of `window_s` seconds ending at `now`. `bucket_s` defaults to 1 s for windows up
    /// to two minutes and 5 s (or wider, to stay within [`MAX_BUCKETS`]) above.
    pub fn new(
        now: UnixMillis,
        window_s: u32,
        bucket_s: Option<u32>,
    ) -> Result<Self, InvalidWindow> {
        if !(MIN_WINDOW_S..=MAX_WINDOW_S).contains(&window_s) {
            return Err(InvalidWindow);
        }
        let bucket_s = match bucket_s {
            Some(b) if [1, 5, 10, 30, 60].contains(&b) && b <= window_s => b,
            Some(_) => return Err(InvalidWindow),
            None if window_s <= 120 => 1,
            None => [5, 10, 30, 60]
                .into_iter()
                .find(|b| window_s.div_ceil(*b) <= MAX_BUCKETS)
                .unwrap_or(60),
        };
        let buckets = window_s.div_ceil(bucket_s);
        if buckets > MAX_BUCKETS {
            return Err(InvalidWindow);
        }
        let bucket = i64::from(bucket_s);
        let now_s = now.0.div_euclid(1_000);
        let end_s = now_s.div_euclid(bucket) * bucket + bucket;
        Ok(DashboardWindow {
            now,
            start_s: end_s - i64::from(buckets) * bucket,
            bucket_s,
            buckets,
        })
    }

    /// The first moment the window covers.
    pub fn start(&self) -> UnixMillis {
        UnixMillis(self.start_s * 1_000)
    }

    /// Seconds per bucket.
    pub fn bucket_s(&self) -> u32 {
        self.bucket_s
    }

    /// Number of buckets.
    pub fn buckets(&self) -> u32 {
        self.buckets
    }

    /// The bucket holding second `second` (since the epoch), if the window covers it.
    pub fn bucket_of(&self, second: i64) -> Option<usize> {
        let offset = second - self.start_s;
        let index = offset.div_euclid(i64::from(self.bucket_s));
        (offset >= 0 && index < i64::from(self.buckets)).then_some(index as usize)
    }
}

/// One deal's sales so far, over orders that are not cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealSales {
    /// The deal.
    pub deal_id: DealId,
    /// Orders taken.
    pub orders: u64,
    /// Units in those orders.
    pub units: u64,
    /// Sum of their totals, in the deal's minor units.
    pub revenue_minor: i64,
    /// When the units sold reached the stock, if they did.
    pub sold_out_at: Option<UnixMillis>,
}

/// How many orders of one deal were priced within one second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondCount {
    /// The deal.
    pub deal_id: DealId,
    /// Whole seconds since the epoch (`priced_at / 1000`).
    pub second: i64,
    /// Orders priced in that second.
    pub orders: u32,
}

/// What `GET /admin/dashboard` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Origin's clock when it answered.
    pub now: UnixMillis,
    /// Start of the first bucket.
    pub window_start: UnixMillis,
    /// Seconds per bucket; a bucket's orders divided by this is its orders per second.
    pub bucket_s: u32,
    /// Every scheduled deal, soonest start first.
    pub deals: Vec<DealDashboard>,
    /// All deals together.
    pub total: TotalDashboard,
}

/// One deal on the big screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealDashboard {
    /// The deal.
    pub deal_id: DealId,
    /// Product name.
    pub name: String,
    /// When the sale opens.
    pub starts_at: UnixMillis,
    /// When it closes.
    pub ends_at: UnixMillis,
    /// Scheduled stock.
    pub stock: u32,
    /// Orders taken (not cancelled).
    pub orders: u64,
    /// Units in those orders.
    pub units_sold: u64,
    /// Stock minus units sold, never below zero.
    pub units_left: u64,
    /// Revenue so far, in the deal's currency.
    pub revenue: Money,
    /// When units sold reached the stock, if they did.
    pub sold_out_at: Option<UnixMillis>,
    /// Orders priced in each bucket of the window, oldest first (cancelled ones included: they
    /// were orders when they came in).
    pub orders_per_bucket: Vec<u32>,
}

/// The festival as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalDashboard {
    /// Orders taken over all deals.
    pub orders: u64,
    /// Units sold over all deals.
    pub units_sold: u64,
    /// Units left over all deals.
    pub units_left: u64,
    /// Revenue per currency, by currency code (amounts in different currencies never add up).
    pub revenue: Vec<Money>,
    /// Orders per bucket over all deals.
    pub orders_per_bucket: Vec<u32>,
}

/// Builds the dashboard of `deals` from their sales and their orders per second. Sales and
/// counts of deals not in `deals` are ignored; seconds outside the window are ignored.
pub fn build(
    window: &DashboardWindow,
    deals: &[Deal],
    sales: &[DealSales],
    per_second: &[SecondCount],
) -> Dashboard {
    let buckets = window.buckets as usize;
    let mut series: BTreeMap<&DealId, Vec<u32>> = deals
        .iter()
        .map(|deal| (&deal.id, vec![0; buckets]))
        .collect();
    for count in per_second {
        if let (Some(bucket), Some(series)) = (
            window.bucket_of(count.second),
            series.get_mut(&count.deal_id),
        ) {
            series[bucket] = series[bucket].saturating_add(count.orders);
        }
    }

    let mut total = TotalDashboard {
        orders: 0,
        units_sold: 0,
        units_left: 0,
        revenue: Vec::new(),
        orders_per_bucket: vec![0; buckets],
    };
    let mut revenue: BTreeMap<&str, i64> = BTreeMap::new();
    let mut out = Vec::with_capacity(deals.len());
    for deal in deals {
        let sold = sales.iter().find(|s| s.deal_id == deal.id);
        let orders = sold.map_or(0, |s| s.orders);
        let units_sold = sold.map_or(0, |s| s.units);
        let revenue_minor = sold.map_or(0, |s| s.revenue_minor);
        let units_left = u64::from(deal.stock).saturating_sub(units_sold);
        let orders_per_bucket = series.remove(&deal.id).unwrap_or_default();
        for (sum, n) in total.orders_per_bucket.iter_mut().zip(&orders_per_bucket) {
            *sum = sum.saturating_add(*n);
        }
        total.orders += orders;
        total.units_sold += units_sold;
        total.units_left += units_left;
        *revenue.entry(deal.currency.as_str()).or_default() += revenue_minor;
        out.push(DealDashboard {
            deal_id: deal.id.clone(),
            name: deal.name.clone(),
            starts_at: deal.starts_at,
            ends_at: deal.ends_at,
            stock: deal.stock,
            orders,
            units_sold,
            units_left,
            revenue: Money {
                minor: revenue_minor,
                currency: deal.currency.clone(),
            },
            // Only while nothing is left: a cancel that frees a unit reopens the deal.
            sold_out_at: sold.and_then(|s| s.sold_out_at).filter(|_| units_left == 0),
            orders_per_bucket,
        });
    }
    total.revenue = revenue
        .into_iter()
        .map(|(currency, minor)| Money {
            minor,
            currency: currency.to_owned(),
        })
        .collect();
    Dashboard {
        now: window.now,
        window_start: window.start(),
        bucket_s: window.bucket_s,
        deals: out,
        total,
    }
}

/// When cumulative units first reach `stock`, given `(priced_at, quantity)` of the orders in the
/// order they were priced; `None` while units are left.
pub fn sold_out_at(
    stock: u32,
    orders_by_time: impl IntoIterator<Item = (UnixMillis, u32)>,
) -> Option<UnixMillis> {
    let mut units = 0u64;
    for (at, quantity) in orders_by_time {
        units += u64::from(quantity);
        if units >= u64::from(stock) {
            return Some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests;
