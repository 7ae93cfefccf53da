//! What `GET /api/catalog` answers: the deals, their stock left, and the server's clock — the
//! same for every shopper, so the edge serves it from a cache; and the sale token a session
//! gets from its own route.

use serde::{Deserialize, Serialize};

use crate::deal::Deal;
use crate::time::UnixMillis;

/// How long an ended sale stays in the public catalog (its card says "ended"); after that it
/// leaves, so a shop's catalog does not grow with every festival it ever ran. The console and
/// reconciliation still read every deal.
pub const ENDED_LISTED_MS: i64 = 60 * 60 * 1000;

/// The storefront's catalog. `server_time` lets a browser correct its clock: countdowns run on
/// the server's time, never the shopper's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The edge's clock when it answered.
    pub server_time: UnixMillis,
    /// Deals, soonest start first.
    pub deals: Vec<CatalogDeal>,
}

/// The answer to `POST /api/sale-token`: a short-lived token that lets this session order.
/// Bots that never load the storefront have none; a storefront asks once per session and again
/// before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleTokenAnswer {
    pub sale_token: String,
    pub expires_at: UnixMillis,
}

/// A deal with its live stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDeal {
    /// The schedule.
    pub deal: Deal,
    /// Units not yet reserved (may lag the truth by a moment; the Durable Object decides).
    pub stock_left: u32,
}

/// Whether the public catalog lists `deal` at `now`: until [`ENDED_LISTED_MS`] after its sale
/// ended. Only listed deals have their stock read for it.
pub fn is_listed(deal: &Deal, now: UnixMillis) -> bool {
    deal.ends_at.millis_until(now) < ENDED_LISTED_MS
}

/// Estimates the offset to add to a client clock to read server time, from one round trip:
/// the server's reading is taken as happening halfway between send and receive.
pub fn clock_offset_ms(sent_at: f64, received_at: f64, server_time: UnixMillis) -> f64 {
    server_time.0 as f64 - (sent_at + received_at) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_assumes_the_midpoint() {
        // Client clock 10 s behind; 200 ms round trip.
        assert_eq!(
            clock_offset_ms(1_000.0, 1_200.0, UnixMillis(11_100)),
            10_000.0
        );
        assert_eq!(clock_offset_ms(0.0, 0.0, UnixMillis(-5)), -5.0);
    }

    #[test]
    fn an_ended_sale_is_listed_for_an_hour_then_leaves() {
        // On sale from t=1,000 to t=10,000.
        let deal = crate::deal::tests::sample_deal();
        assert!(is_listed(&deal, UnixMillis(0)), "upcoming");
        assert!(is_listed(&deal, UnixMillis(1_500)), "on sale");
        assert!(is_listed(&deal, UnixMillis(10_000 + ENDED_LISTED_MS - 1)));
        assert!(!is_listed(&deal, UnixMillis(10_000 + ENDED_LISTED_MS)));
    }
}
