//! Festival's rules, written once and compiled for the browser (app), the Worker (edge) and the
//! origin service.
//!
//! Architecture invariant: this crate does no I/O. The clock, randomness and storage come in as
//! arguments, so every rule is a pure function that a test can replay deterministically.

pub mod audit;
pub mod availability;
pub mod batch;
pub mod catalog;
pub mod costs;
pub mod dashboard;
pub mod dead_letter;
pub mod deal;
pub mod festival;
pub mod freeze;
#[cfg(test)]
mod fuzz;
pub mod key_claims;
pub mod lang;
pub mod live;
pub mod money;
pub mod order;
pub mod rate;
pub mod reconcile;
pub mod refusal;
pub mod settings;
pub mod stock;
pub mod time;
pub mod token;
pub mod waiting_room;
pub mod words;

pub use batch::{BatchReceipt, MAX_BATCH_ORDERS, OrderBatch, SignatureError};
pub use catalog::{Catalog, CatalogDeal};
pub use deal::{Deal, DealId, SaleState};
pub use festival::Festival;
pub use money::Money;
pub use order::{
    CustomerId, IdempotencyKey, Order, OrderId, OrderRequest, OrderStatus, PricedOrder, Quantity,
};
pub use refusal::{Refusal, RefusalCode};
pub use time::UnixMillis;
