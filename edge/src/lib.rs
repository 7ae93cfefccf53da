//! Festival's Cloudflare Worker: the storefront's API, order intake with stock held in sharded
//! Durable Objects, and the queue that carries accepted orders to origin.
//!
//! Static assets (the app) never reach this code: wrangler's `[assets]` serves them and runs the
//! Worker only for `/api/*` (see `wrangler.toml`).

use error::{EdgeError, EdgeResult};
use festival_domain::Refusal;
use worker::{
    Context, Env, MessageBatch, Method, QueueRetryOptionsBuilder, Request, Response, Result,
    console_error, event,
};

mod bell;
mod bindings;
mod catalog;
mod catalog_freshness;
mod catalog_store;
mod coalesce;
mod console;
mod costs;
mod dead_letters;
mod delivery;
mod error;
mod events;
mod first_paint;
mod http;
mod key_claims;
mod live_control;
mod marketer;
mod objects;
mod ops;
mod orders;
mod origin_request;
mod rate_limit;
mod redrive;
mod session;
mod stock;
mod waiting_room;

pub use catalog_store::CatalogStore;
pub use dead_letters::DeadLetters;
pub use key_claims::KeyClaims;
pub use stock::shard::DealStock;
pub use waiting_room::WaitingRoom;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let (method, path) = (req.method(), req.path());
    // Fail closed: an edge with a weak secret or a plain-HTTP origin serves nobody, not even
    // its health route, so a deployment check sees it at once.
    if let Some(problems) = bindings::misconfiguration(&env) {
        console_error!("refusing {method:?} {path}: the edge is misconfigured: {problems}");
        return http::misconfigured();
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let answer: EdgeResult<Response> = match (method.clone(), segments.as_slice()) {
        (Method::Get, ["api", "health"]) => {
            Ok(http::json(&serde_json::json!({"status": "ok"}), 200)?)
        }
        (Method::Post, ["api", "session"]) => session::start(req, &env).await,
        (Method::Post, ["api", "waiting-room"]) => waiting_room::join(req, &env).await,
        (Method::Get, ["api", "catalog"]) => catalog::serve(&req, &env).await,
        (Method::Post, ["api", "sale-token"]) => session::issue_sale_token(&req, &env),
        (Method::Post, ["api", "orders"]) => orders::place(req, &env, &ctx).await,
        (Method::Get, ["api", "orders"]) => orders::list_for_session(req, &env).await,
        (Method::Get, ["api", "orders", id]) => orders::show(req, id, &env).await,
        (Method::Post, ["api", "orders", id, "cancel"]) => orders::cancel(req, id, &env).await,
        (Method::Get, ["api", "ops", "reconcile"]) => ops::reconcile(req, &env).await,
        (Method::Get, ["api", "ops", "dead-letters"]) => ops::dead_letters(req, &env).await,
        (Method::Get, ["api", "ops", "costs"]) => costs::report(req, &env).await,
        (Method::Get, ["api", "ops", "backlog"]) => ops::backlog(req, &env).await,
        (Method::Post, ["api", "ops", "redrive"]) => redrive::redrive(req, &env).await,
        (Method::Get, [""]) => first_paint::storefront(&req, &env).await,
        (Method::Get, ["api", "static-cards"]) => first_paint::static_cards::serve(req, &env).await,
        (
            _,
            [
                "api",
                "health" | "session" | "sale-token" | "waiting-room" | "catalog" | "orders"
                | "static-cards",
            ]
            | ["api", "orders", _]
            | ["api", "orders", _, "cancel"]
            | [
                "api",
                "ops",
                "reconcile" | "dead-letters" | "redrive" | "costs" | "backlog",
            ],
        ) => Err(Refusal::MethodNotAllowed.into()),
        (Method::Post, ["api", "console", "deals", deal, "live"]) => {
            live_control::act(req, deal, &env).await
        }
        (_, ["api", "console", rest @ ..]) => console::proxy(req, rest, &env).await,
        _ => Err(Refusal::NotFound.into()),
    };
    // Every error becomes its answer here (`error.rs`); a failure of the platform (a Durable
    // Object, the queue or origin unreachable) is logged in full and answered with a stable
    // code, never with an internal message.
    answer.or_else(|error| {
        if let EdgeError::Unavailable(cause) = &error {
            console_error!("{method:?} {path}: {cause}");
        }
        error.into_response()
    })
}

#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> Result<()> {
    // Orders are not sent to origin unsigned, weakly signed or in the clear: they wait in the
    // queue (a minute between tries) until the edge is configured. Dead letters need no
    // secret and are kept as ever.
    if !batch.queue().ends_with(bindings::DEAD_LETTER_QUEUE_SUFFIX)
        && let Some(problems) = bindings::misconfiguration(&env)
    {
        console_error!("not delivering orders: the edge is misconfigured: {problems}");
        let later = QueueRetryOptionsBuilder::new()
            .with_delay_seconds(MISCONFIGURED_RETRY_S)
            .build();
        batch.retry_all_with_options(&later);
        return Ok(());
    }
    delivery::consume(batch, &env).await
}

/// How long orders wait in the queue before a misconfigured edge tries them again.
const MISCONFIGURED_RETRY_S: u32 = 60;
