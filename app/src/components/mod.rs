//! Widgets the pages are built from.

pub mod deal_card;
pub mod hero;
