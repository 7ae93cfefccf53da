//! What a shopper sees of a deal: its sale window (by the server's clock) combined with the last
//! stock reading. The storefront's cards and the plain-HTML benchmark page both show this, so
//! the rule lives here once.

use crate::catalog::CatalogDeal;
use crate::deal::{Deal, SaleState};
use crate::time::UnixMillis;
use crate::words::Text;

/// At most this many units left reads as "almost gone" …
const ALMOST_GONE_UNITS: u32 = 5;
/// … and so does at most this share of the stock, in percent.
const ALMOST_GONE_PERCENT: u64 = 10;

/// A deal's availability as a card shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Opens at `starts_at`.
    Upcoming {
        /// The deal's start.
        starts_at: UnixMillis,
    },
    /// Open, with plenty left.
    OnSale,
    /// Open, with at most 5 units or 10% of the stock left.
    AlmostGone,
    /// Open, nothing left.
    SoldOut,
    /// The sale window has closed.
    Ended,
    /// Open with units left, but a marketer paused it.
    Paused,
}

impl Availability {
    /// The availability of `deal` with `stock_left` units at server time `now`.
    pub fn of(deal: &Deal, stock_left: u32, now: UnixMillis) -> Availability {
        match deal.state_at(now) {
            SaleState::Upcoming => Availability::Upcoming {
                starts_at: deal.starts_at,
            },
            SaleState::Ended => Availability::Ended,
            SaleState::Open if stock_left == 0 => Availability::SoldOut,
            SaleState::Open if almost_gone(stock_left, deal.stock) => Availability::AlmostGone,
            SaleState::Open => Availability::OnSale,
        }
    }

    /// The availability of a catalog's deal at server time `now`: as [`Availability::of`], and
    /// paused where a marketer paused a sale that would sell (sold out and ended say more).
    pub fn listed(entry: &CatalogDeal, now: UnixMillis) -> Availability {
        match Availability::of(&entry.deal, entry.stock_left, now) {
            Availability::OnSale | Availability::AlmostGone if entry.paused => Availability::Paused,
            state => state,
        }
    }

    /// The stable name tests and styles key on (`data-state`).
    pub fn code(self) -> &'static str {
        match self {
            Availability::Upcoming { .. } => "upcoming",
            Availability::OnSale => "on_sale",
            Availability::AlmostGone => "almost_gone",
            Availability::SoldOut => "sold_out",
            Availability::Ended => "ended",
            Availability::Paused => "paused",
        }
    }

    /// What a card's badge says (in any language, through the storefront's words).
    pub fn text(self) -> Text {
        match self {
            Availability::Upcoming { .. } => Text::StateUpcoming,
            Availability::OnSale => Text::StateOnSale,
            Availability::AlmostGone => Text::StateAlmostGone,
            Availability::SoldOut => Text::StateSoldOut,
            Availability::Ended => Text::StateEnded,
            Availability::Paused => Text::StatePaused,
        }
    }

    /// Whether Buy can succeed (the edge has the last word).
    pub fn can_buy(self) -> bool {
        matches!(self, Availability::OnSale | Availability::AlmostGone)
    }

    /// Whether the stock shows as low (almost gone or gone).
    pub fn is_low(self) -> bool {
        matches!(self, Availability::AlmostGone | Availability::SoldOut)
    }
}

/// At most 5 units, or at most 10% of the stock, but not none.
pub fn almost_gone(stock_left: u32, stock: u32) -> bool {
    stock_left > 0
        && (stock_left <= ALMOST_GONE_UNITS
            || u64::from(stock_left) * 100 <= u64::from(stock) * ALMOST_GONE_PERCENT)
}

/// Stock left as a whole percentage of the stock, for the stock bar.
pub fn stock_percent(stock_left: u32, stock: u32) -> u64 {
    (u64::from(stock_left) * 100 / u64::from(stock.max(1))).min(100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::tests::sample_deal;

    #[test]
    fn almost_gone_by_units_or_share() {
        assert!(almost_gone(5, 1_000));
        assert!(almost_gone(100, 1_000));
        assert!(!almost_gone(101, 1_000));
        assert!(!almost_gone(6, 50));
        assert!(almost_gone(1, 1));
        assert!(!almost_gone(0, 10));
    }

    #[test]
    fn percent_is_bounded() {
        assert_eq!(stock_percent(3, 10), 30);
        assert_eq!(stock_percent(5, 0), 100);
    }

    #[test]
    fn a_paused_sale_that_would_sell_shows_paused() {
        let entry = |stock_left, paused| CatalogDeal {
            deal: Deal {
                stock: 100,
                ..sample_deal()
            },
            stock_left,
            paused,
        };
        let at = |entry: CatalogDeal, now| Availability::listed(&entry, UnixMillis(now));
        assert_eq!(at(entry(50, true), 5_000), Availability::Paused);
        assert_eq!(at(entry(2, true), 5_000), Availability::Paused);
        assert!(!Availability::Paused.can_buy() && !Availability::Paused.is_low());
        assert_eq!(at(entry(0, true), 5_000), Availability::SoldOut);
        assert_eq!(at(entry(50, true), 10_000), Availability::Ended);
        assert!(matches!(
            at(entry(50, true), 0),
            Availability::Upcoming { .. }
        ));
        assert_eq!(at(entry(50, false), 5_000), Availability::OnSale);
    }

    #[test]
    fn the_window_comes_first_then_the_stock() {
        let deal = Deal {
            stock: 100,
            ..sample_deal()
        };
        let at = |stock_left, now| Availability::of(&deal, stock_left, UnixMillis(now));
        assert_eq!(
            at(0, 999),
            Availability::Upcoming {
                starts_at: UnixMillis(1_000)
            }
        );
        assert_eq!(at(100, 10_000), Availability::Ended);
        assert_eq!(at(0, 5_000), Availability::SoldOut);
        assert_eq!(at(10, 5_000), Availability::AlmostGone);
        assert_eq!(at(11, 5_000), Availability::OnSale);
        assert!(at(10, 5_000).can_buy() && !at(0, 5_000).can_buy());
    }
}
