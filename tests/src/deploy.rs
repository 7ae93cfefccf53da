//! Test 7: `cargo xtask deploy --dry-run`'s checks and wrangler's own dry run: the edge's deploy
//! configuration is valid with an https origin, at the top level and in the staging environment
//! (with staging's own queues); a plain-HTTP origin and an unknown environment are refused
//! before wrangler runs; the app's `_headers` reached the deployed assets.

use festival_stack::paths;
use libtest_mimic::Failed;
use xtask::deploy;

use crate::stack::check;

pub fn dry_run() -> Result<(), Failed> {
    let refused = deploy::plan(None, Some("http://127.0.0.1:8788"));
    check(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("ORIGIN_URL must be origin's https:// address")),
        format!("a plain-HTTP origin is refused: {refused:?}"),
    )?;
    let plan = deploy::plan(None, Some("https://origin.example.com"))?;
    let output = deploy::deploy(&plan, true)?;
    check(
        output.contains("env.ORIGIN_URL")
            && output.contains("env.ORDER_QUEUE (festival-orders)")
            && output.contains("--dry-run: exiting now"),
        format!("wrangler's dry run names ORIGIN_URL and the order queue:\n{output}"),
    )?;
    staging()?;
    let unknown = deploy::plan(Some("nope"), Some("https://origin.example"));
    check(
        unknown.as_ref().is_err_and(|e| {
            e.contains("unknown environment `nope`") && e.contains("staging, production")
        }),
        format!("an unknown environment is refused, naming the known ones: {unknown:?}"),
    )?;
    headers()
}

/// Staging's dry run: its own queues and rate limits, and no warning that it lacks a binding the top level has.
fn staging() -> Result<(), Failed> {
    let plan = deploy::plan(Some("staging"), Some("https://origin.example"))?;
    check(
        plan.queues.orders == "festival-orders-staging"
            && plan.queues.dead_letters == "festival-orders-staging-dlq",
        format!("staging's queues: {:?}", plan.queues),
    )?;
    let output = deploy::deploy(&plan, true)?;
    check(
        output.contains("env.ORDER_QUEUE (festival-orders-staging)")
            && output.contains("env.DEAD_LETTERS (DeadLetters)")
            && output.contains("env.SESSION_ORDERS_PER_S")
            && ["SESSION_START_LIMIT", "ORDER_LIMIT", "JOIN_LIMIT"]
                .iter()
                .all(|limit| output.contains(&format!("env.{limit}")))
            && output.contains("env.ORIGIN_URL")
            && !output.contains("not inherited")
            && output.contains("--dry-run: exiting now"),
        format!("staging's dry run has its queue, objects, rate limits and vars:\n{output}"),
    )
}

/// Trunk copied `app/_headers` into the assets wrangler deploys, unchanged.
fn headers() -> Result<(), Failed> {
    let source = std::fs::read_to_string(paths::app().join("_headers"))?;
    let deployed = std::fs::read_to_string(paths::app().join("dist/_headers"))
        .map_err(|e| format!("app/dist/_headers (run `cargo xtask build app`): {e}"))?;
    check(
        deployed == source && source.contains("immutable"),
        "app/dist/_headers is app/_headers",
    )
}
