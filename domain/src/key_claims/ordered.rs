//! Which deals a customer ordered in: an index kept in the customer's `KeyClaims` object beside
//! the claims, written in the same storage write as a fresh claim, so `GET /api/orders` asks
//! only the shards that hold the customer's orders instead of one shard of every deal ever
//! scheduled.
//!
//! Two keys per (customer, deal): `ordered:<customer>:<deal>` holds the latest day the customer
//! ordered there (the look-up, listed by the customer's prefix), and
//! `ordered-by-day:<day>:<customer>:<deal>` (the sweep's, sorted by day). An entry is kept
//! [`ORDERS_LISTED_DAYS`] after the customer's last order in that deal; the alarm deletes older
//! ones a page at a time, and a look-up only when no later order renewed it.

use crate::deal::DealId;
use crate::order::CustomerId;
use crate::time::UnixMillis;

use super::{CLAIM_KEPT_MS, Claim, day_of};

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

/// The puts that record a fresh claim's deal in its customer's list, at `now`.
pub fn record(claim: &Claim, now: UnixMillis) -> [(String, String); 2] {
    let day = day_of(now);
    [
        (lookup_key(&claim.customer, &claim.deal), day.to_string()),
        (by_day_key(day, &claim.customer, &claim.deal), String::new()),
    ]
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
    use crate::order::IdempotencyKey;

    fn claim(customer: &str, deal: &str) -> Claim {
        Claim {
            customer: CustomerId::new(customer).unwrap(),
            key: IdempotencyKey::new("key-00000001").unwrap(),
            deal: DealId::parse(deal).unwrap(),
            quantity: 1,
        }
    }

    fn on_day(day: i64) -> UnixMillis {
        UnixMillis(day * CLAIM_KEPT_MS + 1)
    }

    #[test]
    fn a_customers_deals_are_listed_by_their_prefix_alone() {
        let [(lookup, day), (by_day, _)] = record(&claim("ada", "lantern"), on_day(100));
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

    #[test]
    fn entries_expire_after_the_days_listed_unless_renewed() {
        let [(_, _), (old, _)] = record(&claim("ada", "lantern"), on_day(100));
        let [(_, renewed_day), (newer, _)] = record(&claim("ada", "lantern"), on_day(110));
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
