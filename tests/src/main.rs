//! Festival's end-to-end tests: the real stack, started and stopped here. Origin runs in this
//! process on a temporary SQLite file; the edge runs under `wrangler dev` (real workerd) on free
//! loopback ports; the browser test drives real headless Chromium over WebDriver.
//!
//! One test binary (harness = false, libtest-mimic) so the stack starts once for the API tests;
//! the browser test gets a stack of its own so its countdown sees only its own festival.
//! Build the app and edge first (`cargo xtask build`); `cargo xtask test` does.

mod browser;
mod burst;
mod catalog;
mod chromium;
mod console;
mod dead_letters;
mod deploy;
mod fail_closed;
mod faults;
mod keys;
mod my_orders;
mod operations;
mod orders;
mod public_catalog;
mod shared_limits;
mod signatures;
mod stack;
mod storefront;
mod waiting;

use std::sync::Arc;

use libtest_mimic::{Arguments, Trial};

use festival_origin::db::testing::TEST_DATABASE_VAR;

use crate::stack::Stack;

/// The tests that store at origin, read from it or change it: the ones run on each engine.
const CONCERN_ORIGIN: [&str; 11] = [
    "order_is_stored_once_and_confirmed",
    "burst_of_200_sells_exactly_the_stock",
    "one_idempotency_key_makes_one_order",
    "console_refuses_wrong_token_and_schedules_a_sale",
    "origin_refuses_forged_and_stale_batches",
    "origin_refuses_unsigned_internal_reads",
    "nothing_lost_with_origin_down",
    "dead_letters_are_kept_reported_and_redriven",
    "a_refused_batch_is_a_dead_letter_at_once",
    "edge_killed_mid_burst_loses_nothing",
    "orders_leave_as_json_pages_and_csv",
];

fn main() {
    let args = Arguments::from_args();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("a tokio runtime"));
    let stack = Arc::new(
        runtime
            .block_on(Stack::start("api", stack::UNLIMITED))
            .expect("the local stack starts"),
    );

    let api = |name: &'static str, test: fn(Arc<Stack>) -> stack::BoxFuture| {
        let (stack, runtime) = (stack.clone(), runtime.clone());
        Trial::test(name, move || runtime.block_on(test(stack)))
    };
    let trials = vec![
        api("order_is_stored_once_and_confirmed", |s| {
            Box::pin(orders::stored_once_and_confirmed(s))
        }),
        api("burst_of_200_sells_exactly_the_stock", |s| {
            Box::pin(orders::burst_sells_exactly_the_stock(s))
        }),
        api("one_idempotency_key_makes_one_order", |s| {
            Box::pin(orders::one_key_one_order(s))
        }),
        api("a_key_is_the_customers_across_deals", |s| {
            Box::pin(keys::a_key_is_the_customers_across_deals(s))
        }),
        api("bad_input_is_refused_with_its_own_code", |s| {
            Box::pin(orders::bad_input_is_refused(s))
        }),
        api("an_order_after_the_end_is_refused", |s| {
            Box::pin(orders::an_order_after_the_end_is_refused(s))
        }),
        api("console_refuses_wrong_token_and_schedules_a_sale", |s| {
            Box::pin(console::refuses_wrong_token_and_schedules_a_sale(s))
        }),
        api("orders_leave_as_json_pages_and_csv", |s| {
            Box::pin(operations::orders_leave_as_json_pages_and_csv(s))
        }),
        api("made_up_order_ids_are_unknown", |s| {
            Box::pin(operations::made_up_order_ids_are_unknown(s))
        }),
        api("catalog_is_public_and_polls_wake_no_shard", |s| {
            Box::pin(public_catalog::catalog_is_public_and_polls_wake_no_shard(s))
        }),
        api("objects_count_their_costs", |s| {
            Box::pin(operations::objects_count_their_costs(s))
        }),
        api("outcomes_are_logged_as_json", |s| {
            Box::pin(operations::outcomes_are_logged_as_json(s))
        }),
        api("origin_refuses_forged_and_stale_batches", |s| {
            Box::pin(signatures::forged_and_stale_batches(s))
        }),
        api("origin_refuses_unsigned_internal_reads", |s| {
            Box::pin(fail_closed::origin_refuses_unsigned_internal_reads(s))
        }),
        {
            let runtime = runtime.clone();
            Trial::test("edge_outside_development_refuses_to_serve", move || {
                runtime.block_on(fail_closed::edge_outside_development_refuses_to_serve())
            })
        },
        api("limit_holds_under_concurrency", |s| {
            Box::pin(burst::limit_holds_under_concurrency(s))
        }),
        api("sharded_stock_sells_exactly", |s| {
            Box::pin(burst::sharded_stock_sells_exactly(s))
        }),
        api("orders_for_one_shard_share_a_request", |s| {
            Box::pin(burst::orders_for_one_shard_share_a_request(s))
        }),
        api("a_stream_of_orders_on_one_shard_all_succeed", |s| {
            Box::pin(burst::a_stream_of_orders_on_one_shard_all_succeed(s))
        }),
        api("sold_out_is_answered_from_memory", |s| {
            Box::pin(burst::sold_out_is_answered_from_memory(s))
        }),
        api("cancel_restores_stock_once", |s| {
            Box::pin(burst::cancel_restores_stock_once(s))
        }),
        api("my_orders_ask_only_the_deals_ordered_in", |s| {
            Box::pin(my_orders::my_orders_ask_only_the_deals_ordered_in(s))
        }),
        api("my_orders_are_listed", |s| {
            Box::pin(burst::my_orders_are_listed(s))
        }),
        {
            let runtime = runtime.clone();
            Trial::test("nothing_lost_with_origin_down", move || {
                runtime.block_on(burst::nothing_lost_with_origin_down())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("catalog_never_waits_on_origin", move || {
                runtime.block_on(catalog::catalog_never_waits_on_origin())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("dead_letters_are_kept_reported_and_redriven", move || {
                runtime.block_on(dead_letters::dead_letters_are_kept_reported_and_redriven())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("a_refused_batch_is_a_dead_letter_at_once", move || {
                runtime.block_on(dead_letters::a_refused_batch_is_a_dead_letter_at_once())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("dead_letters_beyond_2_mb_survive_and_redrive", move || {
                runtime.block_on(dead_letters::dead_letters_beyond_2_mb_survive_and_redrive())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("waiting_room_admits_in_order_at_the_rate", move || {
                runtime.block_on(waiting::waiting_room_admits_in_order_at_the_rate())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("waiting_room_polls_answer_from_the_ticket", move || {
                runtime.block_on(waiting::polls_answer_from_the_ticket())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("shared_limits_bind_per_address_and_route", move || {
                runtime.block_on(shared_limits::shared_limits_bind_per_address_and_route())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("edge_killed_mid_burst_loses_nothing", move || {
                runtime.block_on(faults::edge_killed_mid_burst_loses_nothing())
            })
        },
        {
            let runtime = runtime.clone();
            Trial::test("rate_limits_answer_429", move || {
                runtime.block_on(burst::rate_limits_answer_429())
            })
        },
        api("storefront_language_switch", |s| {
            Box::pin(storefront::language_switch(s))
        }),
        api("storefront_layout_375_and_1280", |s| {
            Box::pin(storefront::layout(s))
        }),
        api("storefront_sold_out_and_limit_reached", |s| {
            Box::pin(storefront::sold_out_and_limit_reached(s))
        }),
        api("storefront_my_orders_cancel", |s| {
            Box::pin(storefront::my_orders_cancel(s))
        }),
        {
            let runtime = runtime.clone();
            Trial::test("storefront_purchase_in_chromium", move || {
                runtime.block_on(browser::purchase())
            })
        },
        Trial::test("wrangler_deploy_dry_run", deploy::dry_run),
    ];
    // On PostgreSQL (`FESTIVAL_TEST_DATABASE_URL`), only the tests that concern origin run:
    // the rest do not touch its database.
    let on_postgres = std::env::var(TEST_DATABASE_VAR).is_ok_and(|url| !url.is_empty());
    let trials = trials
        .into_iter()
        .filter(|trial| !on_postgres || CONCERN_ORIGIN.contains(&trial.name()))
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    // Stop wrangler and origin before reporting, whatever the outcome.
    drop(stack);
    conclusion.exit();
}
