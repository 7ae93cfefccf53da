//! Which deals a customer ordered in: an index kept in the customer's `KeyClaims` object beside
//! the claims, so `GET /api/orders` asks only the shards that hold the customer's orders instead
//! of one shard of every deal ever scheduled. A fresh claim writes its entry in the same storage
//! write; an order whose key named its deal made no claim, and the order queue's consumer notes
//! it ([`notes_of`]) before it sends the order to origin, a second or two after it was accepted.
//!
//! Two keys per (customer, deal): `ordered:<customer>:<deal>` holds the latest day the customer
//! ordered there (the look-up, listed by the customer's prefix), and
//! `ordered-by-day:<day>:<customer>:<deal>` (the sweep's, sorted by day). An entry is kept
//! [`ORDERS_LISTED_DAYS`] after the customer's last order in that deal; the alarm deletes older
//! ones a page at a time, and a look-up only when no later order renewed it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::deal::DealId;
use crate::order::{CustomerId, Order};
use crate::time::UnixMillis;

use super::{CLAIM_KEPT_MS, CLAIM_OBJECTS, day_of};

/// Prefix of the look-up keys.
pub const ORDERED_PREFIX: &str = "ordered:";
/// Prefix of the sweep's keys.
pub const ORDERED_BY_DAY_PREFIX: &str = "ordered-by-day:";
/// How long a deal stays in a customer's order list after their last order in it. Longer than
/// a session lasts unrenewed (7 days); origin keeps every order for good.
pub const ORDERS_LISTED_DAYS: i64 = 30;

/// The look-up key of `customer`'s orders in `deal`.
pub fn lookup_key(customer: &CustomerId, deal: &DealId) -> String {
    format!("{}{}", lookup_prefix(customer), deal.as_str())
}

/// The prefix that lists every deal `customer` ordered in.
pub fn lookup_prefix(customer: &CustomerId) -> String {
    format!("{ORDERED_PREFIX}{}:", customer.as_str())
}

/// The deal a look-up key listed under `customer`'s prefix names.
pub fn deal_of(lookup_key: &str, customer: &CustomerId) -> Option<DealId> {
    DealId::parse(lookup_key.strip_prefix(&lookup_prefix(customer))?).ok()
}

fn by_day_key(day: i64, customer: &CustomerId, deal: &DealId) -> String {
    format!(
        "{ORDERED_BY_DAY_PREFIX}{day:010}:{}:{}",
        customer.as_str(),
        deal.as_str()
    )
}

/// The puts that record `deal` in `customer`'s list, at `now`.
pub fn record(customer: &CustomerId, deal: &DealId, now: UnixMillis) -> [(String, String); 2] {
    let day = day_of(now);
    [
        (lookup_key(customer, deal), day.to_string()),
        (by_day_key(day, customer, deal), String::new()),
    ]
}

/// That a customer ordered in a deal, for a list no claim wrote: an order whose key named its
/// deal skipped the claim (`IdempotencyKey::deal`), so the order queue's consumer hands these
/// to the customers' objects, in one request an object for a whole delivery round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ordered {
    pub customer: CustomerId,
    pub deal: DealId,
}

/// The notes `orders` call for — one per customer and deal, for orders whose key named their
/// deal — grouped by the index of the `KeyClaims` object that keeps the customer's list.
pub fn notes_of<'a>(orders: impl IntoIterator<Item = &'a Order>) -> BTreeMap<u32, Vec<Ordered>> {
    let mut seen = BTreeSet::new();
    let mut notes: BTreeMap<u32, Vec<Ordered>> = BTreeMap::new();
    for order in orders {
        let priced = &order.priced;
        if priced.idempotency_key.deal().is_none()
            || !seen.insert((priced.customer_id.as_str(), priced.deal_id.as_str()))
        {
            continue;
        }
        notes
            .entry(priced.customer_id.bucket(CLAIM_OBJECTS))
            .or_default()
            .push(Ordered {
                customer: priced.customer_id.clone(),
                deal: priced.deal_id.clone(),
            });
    }
    notes
}

/// The cookie that carries, in the buyer's browser, the deals it just ordered in with a key that
/// named the deal: their list entries come with the consumer's notes, a second or two later, and
/// meanwhile `GET /api/orders` asks these deals' shards too. Not signed: it only names deals to
/// look in (at most [`RECENT_AT_MOST`], each looked up in the schedule before any shard is
/// asked), and a shard answers only the session's own orders.
pub const RECENT_COOKIE: &str = "festival.recent";
/// How long the cookie lasts: well past any delivery round.
pub const RECENT_KEPT_S: i64 = 300;
/// Most deals the cookie names.
pub const RECENT_AT_MOST: usize = 8;

/// The deals a [`RECENT_COOKIE`] value names (what does not parse is left out).
pub fn recent_deals(cookie: Option<&str>) -> Vec<DealId> {
    cookie
        .unwrap_or_default()
        .split('.')
        .filter_map(|deal| DealId::parse(deal).ok())
        .take(RECENT_AT_MOST)
        .collect()
}

/// The [`RECENT_COOKIE`] value once `deal` was ordered in: it first, then the others it named,
/// at most [`RECENT_AT_MOST`].
pub fn with_recent(cookie: Option<&str>, deal: &DealId) -> String {
    let others = recent_deals(cookie).into_iter().filter(|d| d != deal);
    let deals: Vec<String> = std::iter::once(deal.clone())
        .chain(others)
        .take(RECENT_AT_MOST)
        .map(|d| d.as_str().to_owned())
        .collect();
    deals.join(".")
}

/// A sweep's entry past keeping: its own key, and the look-up key it kept alive as of `day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub by_day_key: String,
    pub lookup_key: String,
    pub day: i64,
}

/// A sweep key's day and the look-up key it keeps alive; `None` when it does not parse.
fn entry_of(by_day_key: &str) -> Option<(i64, String)> {
    let mut parts = by_day_key
        .strip_prefix(ORDERED_BY_DAY_PREFIX)?
        .splitn(3, ':');
    let day = parts.next()?.parse::<i64>().ok()?;
    let customer = CustomerId::new(parts.next()?)?;
    let deal = DealId::parse(parts.next()?).ok()?;
    Some((day, lookup_key(&customer, &deal)))
}

/// When the sweep key `by_day_key` is past keeping (at once when it does not parse).
pub fn expiry_of(by_day_key: &str) -> UnixMillis {
    entry_of(by_day_key).map_or(UnixMillis(i64::MIN), |(day, _)| {
        UnixMillis((day + ORDERS_LISTED_DAYS) * CLAIM_KEPT_MS)
    })
}

/// The entries among `by_day_keys` (a page listed by [`ORDERED_BY_DAY_PREFIX`]) past keeping at
/// `now`. A key that does not parse is past keeping, with no look-up to take along.
pub fn expired(by_day_keys: &[String], now: UnixMillis) -> Vec<Expired> {
    by_day_keys
        .iter()
        .filter(|key| now >= expiry_of(key))
        .map(|key| {
            let (day, lookup_key) = entry_of(key).unwrap_or((i64::MAX, String::new()));
            Expired {
                by_day_key: key.clone(),
                lookup_key,
                day,
            }
        })
        .collect()
}

/// Whether an expiring entry of `entry_day` takes its look-up with it: only when the look-up
/// still holds that day (or a day that does not parse), not when a later order renewed it.
pub fn lookup_goes(stored_day: Option<&str>, entry_day: i64) -> bool {
    stored_day
        .and_then(|day| day.parse::<i64>().ok())
        .is_none_or(|day| day <= entry_day)
}

/// One page of a customer's `deals` (sorted by id): up to `per_page` after the cursor `after`,
/// and the cursor of the next page when there is one.
pub fn page<'a>(
    deals: &'a [DealId],
    after: Option<&str>,
    per_page: usize,
) -> (&'a [DealId], Option<&'a DealId>) {
    let start = after.map_or(0, |after| deals.partition_point(|d| d.as_str() <= after));
    let end = (start + per_page).min(deals.len());
    let next = (end < deals.len())
        .then(|| &deals[end - 1])
        .filter(|_| end > start);
    (&deals[start..end], next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_of(customer: &str, deal: &str, now: UnixMillis) -> [(String, String); 2] {
        let customer = CustomerId::new(customer).unwrap();
        record(&customer, &DealId::parse(deal).unwrap(), now)
    }

    fn on_day(day: i64) -> UnixMillis {
        UnixMillis(day * CLAIM_KEPT_MS + 1)
    }

    #[test]
    fn a_customers_deals_are_listed_by_their_prefix_alone() {
        let [(lookup, day), (by_day, _)] = record_of("ada", "lantern", on_day(100));
        let ada = CustomerId::new("ada").unwrap();
        assert!(lookup.starts_with(&lookup_prefix(&ada)));
        assert_eq!(deal_of(&lookup, &ada).unwrap().as_str(), "lantern");
        assert_eq!(day, "100");
        assert!(by_day.starts_with(ORDERED_BY_DAY_PREFIX));
        // "ad" is a prefix of "ada" as text, not as a customer.
        let ad = CustomerId::new("ad").unwrap();
        assert!(!lookup.starts_with(&lookup_prefix(&ad)));
        assert_eq!(deal_of(&lookup, &ad), None);
    }

    fn order(customer: &str, deal: &str, key: &str, random: u128) -> Order {
        use crate::order::{IdempotencyKey, OrderId, OrderStatus, PricedOrder, Quantity};
        let deal = DealId::parse(deal).unwrap();
        Order {
            id: OrderId::new(&deal, 0, random),
            status: OrderStatus::Reserved,
            priced: PricedOrder {
                deal_id: deal,
                customer_id: CustomerId::new(customer).unwrap(),
                idempotency_key: IdempotencyKey::new(key).unwrap(),
                quantity: Quantity::new(1).unwrap(),
                unit_price_minor: 100,
                total_minor: 100,
                currency: "USD".into(),
                priced_at: UnixMillis(1),
            },
        }
    }

    #[test]
    fn notes_cover_each_customer_and_deal_once_for_keys_that_named_the_deal() {
        let orders = [
            order("ada", "lantern", "lantern.key-00000001", 1),
            order("ada", "lantern", "lantern.key-00000002", 2),
            order("ada", "kite", "kite.key-00000003", 3),
            order("bo", "lantern", "lantern.key-00000004", 4),
            // A claim listed this one already.
            order("cy", "lantern", "key-00000005", 5),
        ];
        let notes = notes_of(&orders);
        let mut noted: Vec<(u32, &str, &str)> = notes
            .iter()
            .flat_map(|(index, notes)| {
                notes
                    .iter()
                    .map(move |n| (*index, n.customer.as_str(), n.deal.as_str()))
            })
            .collect();
        noted.sort();
        let ada = CustomerId::new("ada").unwrap().bucket(CLAIM_OBJECTS);
        let bo = CustomerId::new("bo").unwrap().bucket(CLAIM_OBJECTS);
        let mut expected = vec![
            (ada, "ada", "kite"),
            (ada, "ada", "lantern"),
            (bo, "bo", "lantern"),
        ];
        expected.sort();
        assert_eq!(noted, expected);
    }

    #[test]
    fn the_recent_cookie_names_the_latest_deals_once_each() {
        let deal = |id: &str| DealId::parse(id).unwrap();
        let once = with_recent(None, &deal("lantern"));
        assert_eq!(once, "lantern");
        let twice = with_recent(Some(&once), &deal("kite"));
        assert_eq!(twice, "kite.lantern");
        assert_eq!(with_recent(Some(&twice), &deal("lantern")), "lantern.kite");
        let many = (0..20).fold(String::new(), |c, i| {
            with_recent(Some(&c), &deal(&format!("deal-{i}")))
        });
        assert_eq!(recent_deals(Some(&many)).len(), RECENT_AT_MOST);
        assert_eq!(recent_deals(Some(&many))[0].as_str(), "deal-19");
        assert_eq!(
            recent_deals(Some("lantern.Not A Deal..kite")),
            vec![deal("lantern"), deal("kite")]
        );
        assert!(recent_deals(None).is_empty());
    }

    #[test]
    fn entries_expire_after_the_days_listed_unless_renewed() {
        let [(_, _), (old, _)] = record_of("ada", "lantern", on_day(100));
        let [(_, renewed_day), (newer, _)] = record_of("ada", "lantern", on_day(110));
        let keys = vec![old.clone(), newer.clone(), "ordered-by-day:junk".to_owned()];
        let at_130 = expired(&keys, on_day(100 + ORDERS_LISTED_DAYS));
        assert_eq!(at_130.len(), 2, "the old entry and the junk: {at_130:?}");
        assert_eq!(at_130[0].by_day_key, old);
        assert_eq!(at_130[0].day, 100);
        // A later order renewed the look-up: it stays until its own entry expires.
        assert!(!lookup_goes(Some(&renewed_day), at_130[0].day));
        assert!(lookup_goes(Some("100"), 100));
        assert!(lookup_goes(None, 100));
        let at_140 = expired(&keys, on_day(110 + ORDERS_LISTED_DAYS));
        assert_eq!(at_140.len(), 3);
        assert_eq!(
            expiry_of(&newer),
            UnixMillis((110 + ORDERS_LISTED_DAYS) * CLAIM_KEPT_MS)
        );
        assert!(lookup_goes(Some(&renewed_day), at_140[1].day));
    }

    #[test]
    fn pages_walk_every_deal_once() {
        let deals: Vec<DealId> = (0..25)
            .map(|i| DealId::parse(&format!("deal-{i:02}")).unwrap())
            .collect();
        let (mut seen, mut after) = (Vec::new(), None::<String>);
        loop {
            let (page, next) = page(&deals, after.as_deref(), 10);
            seen.extend(page.iter().cloned());
            match next {
                Some(next) => after = Some(next.as_str().to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, deals);
        assert_eq!(page(&deals, Some("deal-24"), 10), (&[][..], None));
        assert_eq!(page(&[], None, 10), (&[][..], None));
        let (first, next) = page(&deals[..10], None, 10);
        assert_eq!(
            (first.len(), next),
            (10, None),
            "a full last page has no next"
        );
    }
}
