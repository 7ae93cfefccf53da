//! Festival's Cloudflare Worker: the storefront's API, order intake with stock held in Durable
//! Objects, and the queue that carries accepted orders to origin.
//!
//! Static assets (the app) never reach this code: wrangler's `[assets]` serves them and runs the
//! Worker only for `/api/*` (see `wrangler.toml`).

use festival_domain::Refusal;
use worker::{Context, Env, MessageBatch, Method, Request, Response, Result, console_error, event};

mod bindings;
mod catalog;
mod catalog_store;
mod delivery;
mod http;
mod orders;
mod stock;

pub use catalog_store::CatalogStore;
pub use stock::shard::DealStock;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let (method, path) = (req.method(), req.path());
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let answer = match (method.clone(), segments.as_slice()) {
        (Method::Get, ["api", "catalog"]) => catalog::serve(&env).await,
        (Method::Post, ["api", "orders"]) => orders::place(req, &env).await,
        (Method::Get, ["api", "orders", id]) => orders::show(id, &env).await,
        (_, ["api", "catalog"] | ["api", "orders"] | ["api", "orders", _]) => {
            http::refusal(&Refusal::MethodNotAllowed)
        }
        _ => http::refusal(&Refusal::NotFound),
    };
    // A failure of the platform (a Durable Object or the queue unreachable) is logged in full
    // and answered with a stable code, never with an internal message.
    answer.or_else(|error| {
        console_error!("{method:?} {path}: {error}");
        http::unavailable()
    })
}

#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> Result<()> {
    delivery::deliver(batch, &env).await
}
