//! Where a deal stands for a shopper: the sale window (the domain's rule, on the server's clock)
//! combined with the last stock reading.

use festival_domain::deal::SaleState;
use festival_domain::{CatalogDeal, UnixMillis};

use crate::i18n::{Lang, Text, tr};

/// At most this many units left reads as "almost gone" …
const ALMOST_GONE_UNITS: u32 = 5;
/// … and so does at most this share of the stock, in percent.
const ALMOST_GONE_PERCENT: u64 = 10;

/// A deal's state as its card shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealState {
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
}

impl DealState {
    /// The state of `entry` at server time `now`.
    pub fn of(entry: &CatalogDeal, now: UnixMillis) -> DealState {
        match entry.deal.state_at(now) {
            SaleState::Upcoming => DealState::Upcoming {
                starts_at: entry.deal.starts_at,
            },
            SaleState::Ended => DealState::Ended,
            SaleState::Open if entry.stock_left == 0 => DealState::SoldOut,
            SaleState::Open if almost_gone(entry.stock_left, entry.deal.stock) => {
                DealState::AlmostGone
            }
            SaleState::Open => DealState::OnSale,
        }
    }

    /// The name tests and styles key on (`data-state`).
    pub fn code(self) -> &'static str {
        match self {
            DealState::Upcoming { .. } => "upcoming",
            DealState::OnSale => "on_sale",
            DealState::AlmostGone => "almost_gone",
            DealState::SoldOut => "sold_out",
            DealState::Ended => "ended",
        }
    }

    /// Whether Buy can succeed (the edge has the last word).
    pub fn can_buy(self) -> bool {
        matches!(self, DealState::OnSale | DealState::AlmostGone)
    }

    /// The state in words.
    pub fn words(self, lang: Lang) -> &'static str {
        let text = match self {
            DealState::Upcoming { .. } => Text::StateUpcoming,
            DealState::OnSale => Text::StateOnSale,
            DealState::AlmostGone => Text::StateAlmostGone,
            DealState::SoldOut => Text::StateSoldOut,
            DealState::Ended => Text::StateEnded,
        };
        tr(text, lang)
    }
}

/// At most 5 units, or at most 10% of the stock, but not none.
pub fn almost_gone(stock_left: u32, stock: u32) -> bool {
    stock_left > 0
        && (stock_left <= ALMOST_GONE_UNITS
            || u64::from(stock_left) * 100 <= u64::from(stock) * ALMOST_GONE_PERCENT)
}

/// Stock left as a whole percentage of the stock, for the bar.
pub fn stock_percent(stock_left: u32, stock: u32) -> u64 {
    (u64::from(stock_left) * 100 / u64::from(stock.max(1))).min(100)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
