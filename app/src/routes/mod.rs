//! One module per page, as the router in `lib.rs` maps them.

pub mod festival;
pub mod not_found;
pub mod order;
