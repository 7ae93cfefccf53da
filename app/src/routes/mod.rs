//! One module per page, as `Page` in `router.rs` names them and `App` in `lib.rs` maps them.

pub mod deal;
pub mod festival;
pub mod my_orders;
pub mod not_found;
pub mod order;
