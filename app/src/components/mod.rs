//! Widgets the pages are built from.

pub mod cancel;
pub mod deal_card;
pub mod deal_parts;
pub mod hero;
pub mod purchase;
