//! The demo festival `cargo xtask dev` starts with: a sale two minutes out, four deals, one of
//! them with only five units so "sold out" is easy to see.

use festival_domain::{Deal, DealId, UnixMillis};
use sqlx::AnyPool;

use crate::db;

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

/// Seeds the demo deals when no deal is scheduled; `Ok(true)` when it seeded.
pub async fn seed_if_empty(db: &AnyPool, now: UnixMillis) -> Result<bool, sqlx::Error> {
    if !db::list_deals(db).await?.is_empty() {
        return Ok(false);
    }
    for deal in demo_deals(now) {
        db::insert_deal(db, &deal, now).await?;
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
    }
}
