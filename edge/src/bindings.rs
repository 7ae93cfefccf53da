//! Names of the bindings in `wrangler.toml`, in one place, and the settings read from them.

use std::cell::RefCell;
use std::collections::HashMap;

use festival_domain::rate::Rate;
use festival_domain::settings;
use worker::{Env, Result};

/// Durable Object namespace: `DealStock` shards, named `<deal>#<index>`.
pub const DEAL_STOCK: &str = "DEAL_STOCK";
/// Durable Object namespace: the one `CatalogStore` keeps the last catalog fetched from origin.
pub const CATALOG: &str = "CATALOG";
/// The one `CatalogStore` object's name.
pub const CATALOG_OBJECT: &str = "festival";
/// Durable Object namespace: the one `DeadLetters` keeps orders whose delivery gave up.
pub const DEAD_LETTERS: &str = "DEAD_LETTERS";
/// Durable Object namespace: the one `WaitingRoom` hands out admission moments.
pub const WAITING_ROOM: &str = "WAITING_ROOM";
/// Durable Object namespace: `KeyClaims`, named `claims#<index>`, hold customers' idempotency
/// keys across deals.
pub const KEY_CLAIMS: &str = "KEY_CLAIMS";
/// Rate Limiting bindings (`[[ratelimits]]`), one per route so that one route's limit never
/// spends another's: new sessions, orders and waiting-room joins, each per client address.
pub const SESSION_START_LIMIT: &str = "SESSION_START_LIMIT";
pub const ORDER_LIMIT: &str = "ORDER_LIMIT";
pub const JOIN_LIMIT: &str = "JOIN_LIMIT";
/// Variable: `"off"` skips the Rate Limiting bindings, in development mode only — test stacks
/// send whole bursts from 127.0.0.1 (and lift the isolate buckets with their variables too).
/// Outside development it is ignored, so no deployment can switch its limits off by a variable.
pub const SHARED_LIMITS: &str = "SHARED_LIMITS";
/// Most keys one Durable Object storage call reads, writes or deletes (the platform's limit).
pub const STORAGE_KEYS_PER_CALL: usize = 128;
/// Queue producer for accepted orders and cancellations.
pub const ORDER_QUEUE: &str = "ORDER_QUEUE";
/// How the consumer tells a batch of the dead-letter queue from one of the order queue: its
/// name ends so (`festival-orders-dlq`, `festival-orders-staging-dlq`, …; each environment has
/// queues of its own, and `cargo xtask deploy` checks the names follow this rule).
pub const DEAD_LETTER_QUEUE_SUFFIX: &str = "-dlq";
/// Variable: origin's base URL, https outside development (`cargo xtask deploy --origin-url`;
/// local stacks pass theirs, e.g. `http://127.0.0.1:8788`).
pub const ORIGIN_URL: &str = "ORIGIN_URL";
/// Secret: the key batches to origin are signed with (`wrangler secret put BATCH_SECRET`).
pub const BATCH_SECRET: &str = "BATCH_SECRET";
/// Secret: the key sessions and sale tokens are signed with.
pub const SESSION_SECRET: &str = "SESSION_SECRET";
/// Secret: the marketer's (and operator's) token for the console and `/api/ops`.
pub const MARKETER_TOKEN: &str = "MARKETER_TOKEN";
/// Variable: `"1"` in development (xtask's local stacks pass it with `--var`; never in
/// `wrangler.toml`), which waives the rules of [`misconfiguration`] but presence.
pub const DEVELOPMENT: &str = "FESTIVAL_DEV";

/// Origin's base URL without a trailing slash.
pub fn origin_url(env: &Env) -> Result<String> {
    Ok(env
        .var(ORIGIN_URL)?
        .to_string()
        .trim_end_matches('/')
        .to_owned())
}

thread_local! {
    /// Variables and secrets already read by this isolate. They cannot change under it (a new
    /// value means a new deployment, and new isolates), and each read crosses into JavaScript
    /// several times — on every order, for the session secret and four rate settings.
    static SETTINGS: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
}

/// The variable or secret `name` (a secret is a plain variable in local development), read once
/// per isolate.
pub fn setting(env: &Env, name: &str) -> Option<String> {
    if let Some(known) = SETTINGS.with_borrow(|settings| settings.get(name).cloned()) {
        return known;
    }
    let value = env
        .secret(name)
        .or_else(|_| env.var(name))
        .ok()
        .map(|value| value.to_string());
    SETTINGS.with_borrow_mut(|settings| settings.insert(name.to_owned(), value.clone()));
    value
}

/// A secret (`wrangler secret put`), or a plain variable of that name in local development.
pub fn secret(env: &Env, name: &str) -> Result<String> {
    setting(env, name).ok_or_else(|| format!("{name} is not set").into())
}

/// Whether this edge runs in development mode (local stacks only).
pub fn is_development(env: &Env) -> bool {
    setting(env, DEVELOPMENT).as_deref() == Some("1")
}

/// Whether the Rate Limiting bindings are skipped (see [`SHARED_LIMITS`]).
pub fn shared_limits_lifted(env: &Env) -> bool {
    is_development(env) && setting(env, SHARED_LIMITS).as_deref() == Some("off")
}

/// Why this edge must not serve (a secret missing, shorter than 32 bytes or published, or
/// `ORIGIN_URL` not https, outside development), or `None`. Read once per isolate, like every
/// setting: the answer cannot change under it.
pub fn misconfiguration(env: &Env) -> Option<String> {
    thread_local! {
        static VERDICT: std::cell::OnceCell<Option<String>> = const { std::cell::OnceCell::new() };
    }
    VERDICT.with(|verdict| {
        verdict
            .get_or_init(|| {
                let development = is_development(env);
                let secrets = [BATCH_SECRET, SESSION_SECRET, MARKETER_TOKEN];
                let values = secrets.map(|name| (name, setting(env, name)));
                let secrets = values
                    .each_ref()
                    .map(|(name, value)| (*name, value.as_deref()));
                let url = setting(env, ORIGIN_URL);
                let problems =
                    settings::problems(&secrets, Some((ORIGIN_URL, url.as_deref())), development);
                (!problems.is_empty()).then(|| settings::describe(&problems))
            })
            .clone()
    })
}

/// A token-bucket rate from the variables `<prefix>_PER_S` and `<prefix>_BURST`, with defaults.
pub fn rate(env: &Env, prefix: &str, default: Rate) -> Rate {
    let number = |suffix: &str| {
        setting(env, &format!("{prefix}_{suffix}")).and_then(|v| v.parse::<f64>().ok())
    };
    Rate {
        per_second: number("PER_S").unwrap_or(default.per_second),
        burst: number("BURST").unwrap_or(default.burst),
    }
}

/// The edge's clock: the only clock that decides whether a sale is open.
pub fn now() -> festival_domain::UnixMillis {
    festival_domain::UnixMillis(worker::Date::now().as_millis() as i64)
}
