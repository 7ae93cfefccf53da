//! Names of the bindings in `wrangler.toml`, in one place, and the settings read from them.

use worker::{Env, Result};

/// Durable Object namespace: one `DealStock` per deal holds its stock and its orders.
pub const DEAL_STOCK: &str = "DEAL_STOCK";
/// Durable Object namespace: the one `CatalogStore` keeps the last catalog fetched from origin.
pub const CATALOG: &str = "CATALOG";
/// Queue producer for accepted orders.
pub const ORDER_QUEUE: &str = "ORDER_QUEUE";
/// Variable: origin's base URL, e.g. `http://127.0.0.1:8788`.
pub const ORIGIN_URL: &str = "ORIGIN_URL";
/// Secret: the key batches to origin are signed with (`wrangler secret put BATCH_SECRET`).
pub const BATCH_SECRET: &str = "BATCH_SECRET";

/// Origin's base URL without a trailing slash.
pub fn origin_url(env: &Env) -> Result<String> {
    Ok(env
        .var(ORIGIN_URL)?
        .to_string()
        .trim_end_matches('/')
        .to_owned())
}

/// The batch signing secret.
pub fn batch_secret(env: &Env) -> Result<String> {
    Ok(env
        .secret(BATCH_SECRET)
        .or_else(|_| env.var(BATCH_SECRET))?
        .to_string())
}

/// The edge's clock: the only clock that decides whether a sale is open.
pub fn now() -> festival_domain::UnixMillis {
    festival_domain::UnixMillis(worker::Date::now().as_millis() as i64)
}
