//! Where a deal stands for a shopper: the domain's rule (`Availability`), in the shop's words.

pub use festival_domain::availability::{Availability as DealState, stock_percent};

use crate::i18n::{Lang, Text, tr};

/// The state in words.
pub fn state_words(state: DealState, lang: Lang) -> &'static str {
    let text = match state {
        DealState::Upcoming { .. } => Text::StateUpcoming,
        DealState::OnSale => Text::StateOnSale,
        DealState::AlmostGone => Text::StateAlmostGone,
        DealState::SoldOut => Text::StateSoldOut,
        DealState::Ended => Text::StateEnded,
    };
    tr(text, lang)
}
