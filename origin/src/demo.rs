//! The demo festival `cargo xtask dev` starts with: an 11.11 festival running from launch, its
//! sale two minutes out, four deals, one of them with only five units so "sold out" is easy to
//! see.

use festival_domain::{Deal, DealId, Festival, UnixMillis};
use sqlx::AnyPool;

use crate::db;
use crate::db::festivals::{self, Write, Written};

/// How long after launch the demo sale opens.
pub const DEMO_LEAD_MS: i64 = 2 * 60 * 1000;
/// How long the demo sale stays open.
pub const DEMO_LENGTH_MS: i64 = 24 * 60 * 60 * 1000;

/// The demo deals, opening [`DEMO_LEAD_MS`] after `now`.
pub fn demo_deals(now: UnixMillis) -> Vec<Deal> {
    let starts_at = now.plus_millis(DEMO_LEAD_MS);
    let ends_at = starts_at.plus_millis(DEMO_LENGTH_MS);
    let deal = |id: &str, name: &str, description: &str, price, was, stock, limit| Deal {
        id: DealId::parse(id).expect("demo ids are valid"),
        name: name.into(),
        description: description.into(),
        image_url: String::new(),
        price_minor: price,
        was_price_minor: was,
        currency: "USD".into(),
        stock,
        starts_at,
        ends_at,
        per_customer_limit: limit,
        shards: 0,
        translations: Default::default(),
    };
    vec![
        deal(
            "noise-cancelling-headphones",
            "Noise-cancelling headphones",
            "Over-ear, 40 h battery.",
            9_900,
            24_900,
            5,
            1,
        ),
        deal(
            "silk-lantern-set",
            "Silk lantern set",
            "Six hand-painted lanterns.",
            1_111,
            3_900,
            200,
            4,
        ),
        deal(
            "oolong-tea-gift-box",
            "Oolong tea gift box",
            "Tieguanyin, 250 g, tin box.",
            2_450,
            4_900,
            500,
            3,
        ),
        deal(
            "smart-rice-cooker",
            "Smart rice cooker",
            "1.8 L, fuzzy logic, keep-warm.",
            5_990,
            12_900,
            120,
            2,
        ),
    ]
}

/// The demo festival around `deals`: "11.11" from `now` until its deals end, shown in China's
/// time, in the storefront's own crimson.
pub fn demo_festival(deals: &[Deal], now: UnixMillis) -> Festival {
    Festival {
        id: "singles-day".into(),
        name: "11.11".into(),
        tagline: "Flash deals at huge discounts, while stock lasts.".into(),
        starts_at: now,
        ends_at: deals
            .iter()
            .map(|d| d.ends_at)
            .max()
            .unwrap_or(now.plus_millis(DEMO_LENGTH_MS)),
        time_zone: "Asia/Shanghai".into(),
        accent: "#b0001d".into(),
        deals: deals.iter().map(|d| d.id.clone()).collect(),
    }
}

/// Seeds the demo deals and their festival when no deal is scheduled; `Ok(true)` when it
/// seeded.
pub async fn seed_if_empty(db: &AnyPool, now: UnixMillis) -> Result<bool, sqlx::Error> {
    if !db::list_deals(db).await?.is_empty() {
        return Ok(false);
    }
    let deals = demo_deals(now);
    for deal in &deals {
        db::insert_deal(db, deal, now, "demo").await?;
    }
    let festival = demo_festival(&deals, now);
    let written = festivals::write(db, &festival, Write::Insert, ("demo", now)).await?;
    if written != Written::Done {
        // The deals are seeded; the shop runs without a festival rather than not at all.
        tracing::warn!(?written, "the demo festival was not seeded");
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_deals_follow_the_schedule_rules() {
        let now = UnixMillis(1_700_000_000_000);
        let deals = demo_deals(now);
        assert!(deals.len() >= 4);
        assert!(deals.iter().any(|d| d.stock == 5));
        for deal in &deals {
            assert_eq!(deal.schedule_problems(now), vec![], "{}", deal.id);
        }
        let ids: Vec<DealId> = deals.iter().map(|d| d.id.clone()).collect();
        let festival = demo_festival(&deals, now);
        assert_eq!(festival.problems(&[], &ids), vec![]);
        assert!(festival.is_on(now));
        assert!(deals.iter().all(|d| d.ends_at <= festival.ends_at));
    }
}
