//! Where a deal stands for a shopper: the domain's rule (`Availability`), in the shop's words.

pub use festival_domain::availability::{Availability as DealState, stock_percent};

use crate::i18n::{Lang, tr};

/// The state in words.
pub fn state_words(state: DealState, lang: Lang) -> &'static str {
    tr(state.text(), lang)
}
