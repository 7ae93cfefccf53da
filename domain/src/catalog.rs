//! What `GET /api/catalog` answers: the deals, their stock left, and the server's clock.

use serde::{Deserialize, Serialize};

use crate::deal::Deal;
use crate::time::UnixMillis;

/// The storefront's catalog. `server_time` lets a browser correct its clock: countdowns run on
/// the server's time, never the shopper's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The edge's clock when it answered.
    pub server_time: UnixMillis,
    /// Deals, soonest start first.
    pub deals: Vec<CatalogDeal>,
    /// A short-lived token that lets this session order (absent without a session). Bots that
    /// never load the storefront have none.
    #[serde(default)]
    pub sale_token: Option<String>,
}

/// A deal with its live stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDeal {
    /// The schedule.
    pub deal: Deal,
    /// Units not yet reserved (may lag the truth by a moment; the Durable Object decides).
    pub stock_left: u32,
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
}
