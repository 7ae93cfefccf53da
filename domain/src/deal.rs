//! A flash deal: what is sold, at what price, how many, when, and how many per customer.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::is_currency_code;
use crate::time::UnixMillis;

mod translations;

pub use translations::{DealWords, LANGUAGES, Translations, language_of};

/// A deal's id: 1–64 characters of `a-z`, `0-9` and `-`. The alphabet keeps ids safe in URLs,
/// Durable Object names and order ids (which use `.` as a separator).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DealId(String);

impl DealId {
    /// Longest id accepted.
    pub const MAX_LEN: usize = 64;

    /// Parses an id, refusing anything outside the alphabet or length.
    pub fn parse(raw: &str) -> Result<Self, InvalidDealId> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(DealId(raw.to_owned()))
        } else {
            Err(InvalidDealId)
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A string that is not a valid [`DealId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a deal id is 1-64 characters of a-z, 0-9 and '-'")]
pub struct InvalidDealId;

impl TryFrom<String> for DealId {
    type Error = InvalidDealId;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        DealId::parse(&raw)
    }
}

impl From<DealId> for String {
    fn from(id: DealId) -> String {
        id.0
    }
}

impl fmt::Display for DealId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A scheduled flash sale of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// Stable id, used in URLs and order ids.
    pub id: DealId,
    /// Product name as shoppers see it.
    pub name: String,
    /// A sentence or two about the product.
    #[serde(default)]
    pub description: String,
    /// Product picture; empty when there is none.
    #[serde(default)]
    pub image_url: String,
    /// Sale price per unit, in minor units.
    pub price_minor: i64,
    /// The regular price it is compared against, in minor units.
    pub was_price_minor: i64,
    /// ISO 4217 code of both prices.
    pub currency: String,
    /// Units for sale in this deal, in total.
    pub stock: u32,
    /// Orders are taken from this moment on.
    pub starts_at: UnixMillis,
    /// Orders are refused from this moment on.
    pub ends_at: UnixMillis,
    /// Most units one customer may buy in this deal, over all their orders.
    pub per_customer_limit: u32,
    /// Durable Object shards holding the stock; 0 derives it from the stock (see
    /// [`Deal::shard_count`]).
    #[serde(default)]
    pub shards: u32,
    /// The name and description in the shop's other languages, each language once.
    #[serde(default, skip_serializing_if = "Translations::is_empty")]
    pub translations: Translations,
}

/// Most shards a deal may have.
pub const MAX_SHARDS: u32 = 32;
/// Units per shard when the count is derived: a hot deal's shard takes about 1,000 requests/s,
/// and a few hundred units per shard keep each one busy for the first seconds of the burst.
pub const UNITS_PER_DERIVED_SHARD: u32 = 250;
/// Most shards a derived count gives.
pub const MAX_DERIVED_SHARDS: u32 = 16;

/// The units shard `index` of `shards` starts with when `stock` is split evenly, the remainder
/// going to the first shards.
pub fn share_of(stock: u32, shards: u32, index: u32) -> u32 {
    let shards = shards.max(1);
    stock / shards + u32::from(index < stock % shards)
}

/// Where a deal stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    /// Before `starts_at`.
    Upcoming,
    /// Between `starts_at` (inclusive) and `ends_at` (exclusive).
    Open,
    /// At or after `ends_at`.
    Ended,
}

/// One broken scheduling rule, named by the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleProblem {
    /// The field the marketer should fix, as named in [`Deal`].
    pub field: &'static str,
    /// What is wrong, in words.
    pub message: &'static str,
}

impl Deal {
    /// The sale's state at `now`; the caller's clock decides (the edge's, for orders).
    pub fn state_at(&self, now: UnixMillis) -> SaleState {
        if now < self.starts_at {
            SaleState::Upcoming
        } else if now < self.ends_at {
            SaleState::Open
        } else {
            SaleState::Ended
        }
    }

    /// How many shards hold the stock: the schedule's count, or one per
    /// [`UNITS_PER_DERIVED_SHARD`] units; never more than the stock, so no shard starts empty.
    pub fn shard_count(&self) -> u32 {
        let wanted = if self.shards >= 1 {
            self.shards.min(MAX_SHARDS)
        } else {
            self.stock
                .div_ceil(UNITS_PER_DERIVED_SHARD)
                .min(MAX_DERIVED_SHARDS)
        };
        wanted.min(self.stock).max(1)
    }

    /// Whether `id` could be an order of this deal: its deal, and a shard below the count. What
    /// the edge checks, from its copy of the schedule, before it asks a shard about an id.
    pub fn could_hold(&self, id: &crate::order::OrderId) -> bool {
        id.deal_id() == self.id && id.shard() < self.shard_count()
    }

    /// The shard that serves `customer`: always the same one, so that a customer's idempotency
    /// keys and units held live in one place.
    pub fn shard_for(&self, customer: &crate::order::CustomerId) -> u32 {
        customer.bucket(self.shard_count())
    }

    /// Checks the rules a marketer's schedule must follow; `now` is the server's clock. Returns
    /// every problem at once so a form can show each beside its field.
    pub fn schedule_problems(&self, now: UnixMillis) -> Vec<ScheduleProblem> {
        let mut problems = Vec::new();
        let mut add = |field, message| problems.push(ScheduleProblem { field, message });
        if self.name.trim().is_empty() || self.name.chars().count() > translations::MAX_NAME_CHARS {
            add("name", "Give the product a name of 1 to 120 characters.");
        }
        if self.price_minor <= 0 {
            add("price_minor", "The sale price must be above zero.");
        }
        if self.was_price_minor <= 0 {
            add("was_price_minor", "The regular price must be above zero.");
        } else if self.price_minor >= self.was_price_minor {
            add(
                "price_minor",
                "The sale price must be below the regular price.",
            );
        }
        if !is_currency_code(&self.currency) {
            add("currency", "Use a three-letter currency code such as USD.");
        }
        if self.stock < 1 {
            add("stock", "Stock must be at least 1.");
        }
        if self.shards > MAX_SHARDS {
            add("shards", "Use at most 32 shards (0 lets Festival choose).");
        }
        if self.per_customer_limit < 1 {
            add(
                "per_customer_limit",
                "The limit per customer must be at least 1.",
            );
        }
        if self.starts_at <= now {
            add("starts_at", "The sale must start in the future.");
        }
        if self.ends_at <= self.starts_at {
            add("ends_at", "The sale must end after it starts.");
        }
        #[cfg(feature = "translations")]
        problems.extend(self.words_problems());
        problems
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid deal open from t=1,000 to t=10,000, stock 10, limit 2, price 75.00 (was 100.00).
    pub(crate) fn sample_deal() -> Deal {
        Deal {
            id: DealId::parse("lantern").unwrap(),
            name: "Silk lantern".into(),
            description: String::new(),
            image_url: String::new(),
            price_minor: 7_500,
            was_price_minor: 10_000,
            currency: "USD".into(),
            stock: 10,
            starts_at: UnixMillis(1_000),
            ends_at: UnixMillis(10_000),
            per_customer_limit: 2,
            shards: 0,
            translations: Translations::new(),
        }
    }

    #[test]
    fn shards_split_the_stock_exactly() {
        for (stock, shards) in [
            (100, 4),
            (10, 3),
            (7, 7),
            (3, 8),
            (1_000, 0),
            (5, 0),
            (100_000, 0),
        ] {
            let deal = Deal {
                stock,
                shards,
                ..sample_deal()
            };
            let n = deal.shard_count();
            assert!((1..=MAX_SHARDS).contains(&n) && n <= stock);
            let total: u32 = (0..n).map(|i| share_of(stock, n, i)).sum();
            assert_eq!(total, stock, "stock {stock} over {n} shards");
            assert!((0..n).all(|i| share_of(stock, n, i) >= 1));
        }
        assert_eq!(
            Deal {
                stock: 1_000,
                shards: 0,
                ..sample_deal()
            }
            .shard_count(),
            4
        );
    }

    #[test]
    fn a_deal_could_hold_only_ids_of_its_own_shards() {
        use crate::order::OrderId;
        let deal = Deal {
            stock: 100,
            shards: 4,
            ..sample_deal()
        };
        assert!(deal.could_hold(&OrderId::new(&deal.id, 3, 7)));
        assert!(
            !deal.could_hold(&OrderId::new(&deal.id, 4, 7)),
            "beyond the count"
        );
        let other = DealId::parse("another-deal").unwrap();
        assert!(
            !deal.could_hold(&OrderId::new(&other, 0, 7)),
            "another deal's"
        );
    }

    #[test]
    fn a_customer_always_lands_on_the_same_shard() {
        let deal = Deal {
            stock: 100,
            shards: 4,
            ..sample_deal()
        };
        let mut seen = [0u32; 4];
        for i in 0..400 {
            let customer = crate::order::CustomerId::new(&format!("c{i}")).unwrap();
            let shard = deal.shard_for(&customer);
            assert_eq!(shard, deal.shard_for(&customer));
            seen[shard as usize] += 1;
        }
        assert!(
            seen.iter().all(|&n| n > 50),
            "customers spread over shards: {seen:?}"
        );
    }

    #[test]
    fn deal_ids_are_url_safe() {
        assert!(DealId::parse("tea-set-2026").is_ok());
        for bad in ["", "Tea", "a.b", "a/b", "a b", &"x".repeat(65)] {
            assert!(DealId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn state_follows_the_window() {
        let deal = sample_deal();
        assert_eq!(deal.state_at(UnixMillis(999)), SaleState::Upcoming);
        assert_eq!(deal.state_at(UnixMillis(1_000)), SaleState::Open);
        assert_eq!(deal.state_at(UnixMillis(9_999)), SaleState::Open);
        assert_eq!(deal.state_at(UnixMillis(10_000)), SaleState::Ended);
    }

    #[test]
    fn schedule_rules_name_each_field() {
        let ok = sample_deal();
        assert!(ok.schedule_problems(UnixMillis(0)).is_empty());

        let bad = Deal {
            price_minor: 10_000,
            stock: 0,
            per_customer_limit: 0,
            ends_at: UnixMillis(500),
            currency: "usd".into(),
            ..sample_deal()
        };
        let fields: Vec<_> = bad
            .schedule_problems(UnixMillis(2_000))
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "price_minor",
                "currency",
                "stock",
                "per_customer_limit",
                "starts_at",
                "ends_at"
            ]
        );
    }
}
