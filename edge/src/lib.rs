//! Festival's Cloudflare Worker: the storefront's API, order intake with stock held in sharded
//! Durable Objects, and the queue that carries accepted orders to origin.
//!
//! Static assets (the app) never reach this code: wrangler's `[assets]` serves them and runs the
//! Worker only for `/api/*` (see `wrangler.toml`).

use festival_domain::Refusal;
use worker::{Context, Env, MessageBatch, Method, Request, Response, Result, console_error, event};

mod bell;
mod bindings;
mod catalog;
mod catalog_freshness;
mod catalog_store;
mod console;
mod dead_letters;
mod delivery;
mod http;
mod marketer;
mod ops;
mod orders;
mod rate_limit;
mod redrive;
mod session;
mod static_cards;
mod stock;
mod waiting_room;

pub use catalog_store::CatalogStore;
pub use dead_letters::DeadLetters;
pub use stock::shard::DealStock;
pub use waiting_room::WaitingRoom;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let (method, path) = (req.method(), req.path());
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let answer = match (method.clone(), segments.as_slice()) {
        (Method::Get, ["api", "health"]) => http::json(&serde_json::json!({"status": "ok"}), 200),
        (Method::Post, ["api", "session"]) => session::start(req, &env).await,
        (Method::Post, ["api", "waiting-room"]) => waiting_room::join(req, &env).await,
        (Method::Get, ["api", "catalog"]) => catalog::serve(req, &env).await,
        (Method::Post, ["api", "orders"]) => orders::place(req, &env, &ctx).await,
        (Method::Get, ["api", "orders"]) => orders::mine(req, &env).await,
        (Method::Get, ["api", "orders", id]) => orders::show(req, id, &env).await,
        (Method::Post, ["api", "orders", id, "cancel"]) => orders::cancel(req, id, &env).await,
        (Method::Get, ["api", "ops", "reconcile"]) => ops::reconcile(req, &env).await,
        (Method::Post, ["api", "ops", "redrive"]) => redrive::redrive(req, &env).await,
        (Method::Get, ["api", "static-cards"]) => static_cards::serve(req, &env).await,
        (
            _,
            [
                "api",
                "health" | "session" | "waiting-room" | "catalog" | "orders" | "static-cards",
            ]
            | ["api", "orders", _]
            | ["api", "orders", _, "cancel"]
            | ["api", "ops", "reconcile" | "redrive"],
        ) => http::refusal(&Refusal::MethodNotAllowed),
        (_, ["api", "console", rest @ ..]) => console::proxy(req, rest, &env).await,
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
    delivery::consume(batch, &env).await
}
