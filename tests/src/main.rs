//! Festival's end-to-end tests: the real stack, started and stopped here. Origin runs in this
//! process on a temporary SQLite file; the edge runs under `wrangler dev` (real workerd) on free
//! loopback ports; the browser test drives real headless Chromium over WebDriver.
//!
//! One test binary (harness = false, libtest-mimic) so the stack starts once for the API tests;
//! the browser test gets a stack of its own so its countdown sees only its own festival.
//! Build the app and edge first (`cargo xtask build`); `cargo xtask test` does.

mod bad_network;
mod batching;
mod browser;
mod burst;
mod catalog;
mod chromium;
mod console;
mod console_dead_letters;
mod console_lang;
mod console_live;
mod dead_letters;
mod deploy;
mod fail_closed;
mod faults;
mod festivals;
mod first_paint;
mod keys;
mod live_control;
mod my_orders;
mod operations;
mod orders;
mod public_catalog;
mod shared_limits;
mod signatures;
mod stack;
mod storefront;
mod waiting;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use tokio::runtime::Runtime;

use festival_origin::db::testing::TEST_DATABASE_VAR;

use crate::stack::Stack;

/// The tests that store at origin, read from it or change it: the ones run on each engine.
const CONCERN_ORIGIN: [&str; 12] = [
    "order_is_stored_once_and_confirmed",
    "live_control_top_up_sells_at_once_and_once",
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
    let runtime = Arc::new(Runtime::new().expect("a tokio runtime"));
    let stack = Arc::new(
        runtime
            .block_on(Stack::start("api", stack::UNLIMITED))
            .expect("the local stack starts"),
    );
    let on = Trials {
        stack: stack.clone(),
        runtime,
    };
    // In this order: the trials start in it.
    let mut trials = orders_and_operations(&on);
    trials.extend(bursts_and_batches(&on));
    trials.extend(stacks_of_their_own(&on));
    trials.extend(storefront_in_chromium(&on));
    trials.push(Trial::test("wrangler_deploy_dry_run", deploy::dry_run));
    drop(on);
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

/// A test that starts what it needs itself: a stack of its own, or a process alone.
type OwnFuture = Pin<Box<dyn Future<Output = Result<(), Failed>>>>;

/// What the trials run on: the API stack they share, and the runtime that drives them.
struct Trials {
    stack: Arc<Stack>,
    runtime: Arc<Runtime>,
}

impl Trials {
    /// A trial on the shared API stack.
    fn api(&self, name: &'static str, test: fn(Arc<Stack>) -> stack::BoxFuture) -> Trial {
        let (stack, runtime) = (self.stack.clone(), self.runtime.clone());
        Trial::test(name, move || runtime.block_on(test(stack)))
    }

    /// A trial that starts what it needs itself.
    fn own(&self, name: &'static str, test: fn() -> OwnFuture) -> Trial {
        let runtime = self.runtime.clone();
        Trial::test(name, move || runtime.block_on(test()))
    }
}

/// Orders, keys, live control, the console, operations, the catalog and the refusals, on the
/// shared stack (and the edge that refuses to serve outside development, alone).
fn orders_and_operations(on: &Trials) -> Vec<Trial> {
    vec![
        on.api("order_is_stored_once_and_confirmed", |s| {
            Box::pin(orders::stored_once_and_confirmed(s))
        }),
        on.api("burst_of_200_sells_exactly_the_stock", |s| {
            Box::pin(orders::burst_sells_exactly_the_stock(s))
        }),
        on.api("one_idempotency_key_makes_one_order", |s| {
            Box::pin(orders::one_key_one_order(s))
        }),
        on.api("a_key_is_the_customers_across_deals", |s| {
            Box::pin(keys::a_key_is_the_customers_across_deals(s))
        }),
        on.api("bad_input_is_refused_with_its_own_code", |s| {
            Box::pin(orders::bad_input_is_refused(s))
        }),
        on.api("an_order_after_the_end_is_refused", |s| {
            Box::pin(orders::an_order_after_the_end_is_refused(s))
        }),
        on.api("live_control_end_refuses_orders_from_that_moment", |s| {
            Box::pin(live_control::an_ended_sale_refuses_orders_from_that_moment(
                s,
            ))
        }),
        on.api("live_control_top_up_sells_at_once_and_once", |s| {
            Box::pin(live_control::stock_added_live_sells_at_once_and_once(s))
        }),
        on.api("live_control_pause_refuses_until_resumed", |s| {
            Box::pin(live_control::a_paused_sale_refuses_until_resumed(s))
        }),
        on.api("console_refuses_wrong_token_and_schedules_a_sale", |s| {
            Box::pin(console::refuses_wrong_token_and_schedules_a_sale(s))
        }),
        on.api("console_speaks_korean_and_chinese", |s| {
            Box::pin(console_lang::console_speaks_korean_and_chinese(s))
        }),
        on.api("live_control_in_the_console", |s| {
            Box::pin(console_live::console_controls_a_live_sale(s))
        }),
        on.api("orders_leave_as_json_pages_and_csv", |s| {
            Box::pin(operations::orders_leave_as_json_pages_and_csv(s))
        }),
        on.api("made_up_order_ids_are_unknown", |s| {
            Box::pin(operations::made_up_order_ids_are_unknown(s))
        }),
        on.api("catalog_is_public_and_polls_wake_no_shard", |s| {
            Box::pin(public_catalog::catalog_is_public_and_polls_wake_no_shard(s))
        }),
        on.api("robots_txt_is_a_real_file", |s| {
            Box::pin(public_catalog::robots_txt_is_a_real_file(s))
        }),
        on.api("objects_count_their_costs", |s| {
            Box::pin(operations::objects_count_their_costs(s))
        }),
        on.api("outcomes_are_logged_as_json", |s| {
            Box::pin(operations::outcomes_are_logged_as_json(s))
        }),
        on.api("origin_refuses_forged_and_stale_batches", |s| {
            Box::pin(signatures::forged_and_stale_batches(s))
        }),
        on.api("origin_refuses_unsigned_internal_reads", |s| {
            Box::pin(fail_closed::origin_refuses_unsigned_internal_reads(s))
        }),
        on.own("edge_outside_development_refuses_to_serve", || {
            Box::pin(fail_closed::edge_outside_development_refuses_to_serve())
        }),
    ]
}

/// Concurrency, shards, batching, memory answers and cancellation, on the shared stack.
fn bursts_and_batches(on: &Trials) -> Vec<Trial> {
    vec![
        on.api("limit_holds_under_concurrency", |s| {
            Box::pin(burst::limit_holds_under_concurrency(s))
        }),
        on.api("sharded_stock_sells_exactly", |s| {
            Box::pin(burst::sharded_stock_sells_exactly(s))
        }),
        on.api("orders_for_one_shard_share_a_request", |s| {
            Box::pin(batching::orders_for_one_shard_share_a_request(s))
        }),
        on.api("a_stream_of_orders_on_one_shard_all_succeed", |s| {
            Box::pin(batching::a_stream_of_orders_on_one_shard_all_succeed(s))
        }),
        on.api("sold_out_is_answered_from_memory", |s| {
            Box::pin(burst::sold_out_is_answered_from_memory(s))
        }),
        on.api("cancel_restores_stock_once", |s| {
            Box::pin(burst::cancel_restores_stock_once(s))
        }),
        on.api("my_orders_ask_only_the_deals_ordered_in", |s| {
            Box::pin(my_orders::my_orders_ask_only_the_deals_ordered_in(s))
        }),
        on.api("my_orders_are_listed", |s| {
            Box::pin(burst::my_orders_are_listed(s))
        }),
    ]
}

/// Faults, first paint, the catalog without origin, dead letters, the waiting room and the
/// limits: each on a stack of its own, which it may cut, kill or fill.
fn stacks_of_their_own(on: &Trials) -> Vec<Trial> {
    vec![
        on.own("nothing_lost_with_origin_down", || {
            Box::pin(burst::nothing_lost_with_origin_down())
        }),
        on.own(
            "deals_arrive_painted_and_the_app_takes_over_in_place",
            || Box::pin(first_paint::deals_arrive_painted_and_the_app_takes_over_in_place()),
        ),
        on.own("catalog_never_waits_on_origin", || {
            Box::pin(catalog::catalog_never_waits_on_origin())
        }),
        on.own("dead_letters_are_kept_reported_and_redriven", || {
            Box::pin(dead_letters::dead_letters_are_kept_reported_and_redriven())
        }),
        on.own("a_refused_batch_is_a_dead_letter_at_once", || {
            Box::pin(dead_letters::a_refused_batch_is_a_dead_letter_at_once())
        }),
        on.own("dead_letters_beyond_2_mb_survive_and_redrive", || {
            Box::pin(dead_letters::dead_letters_beyond_2_mb_survive_and_redrive())
        }),
        on.own("waiting_room_admits_in_order_at_the_rate", || {
            Box::pin(waiting::waiting_room_admits_in_order_at_the_rate())
        }),
        on.own("waiting_room_polls_answer_from_the_ticket", || {
            Box::pin(waiting::polls_answer_from_the_ticket())
        }),
        on.own("shared_limits_bind_per_address_and_route", || {
            Box::pin(shared_limits::shared_limits_bind_per_address_and_route())
        }),
        on.own("edge_killed_mid_burst_loses_nothing", || {
            Box::pin(faults::edge_killed_mid_burst_loses_nothing())
        }),
        on.own("rate_limits_answer_429", || {
            Box::pin(burst::rate_limits_answer_429())
        }),
    ]
}

/// The storefront in headless Chromium: on the shared stack, then the purchase and the
/// festivals on stacks of their own.
fn storefront_in_chromium(on: &Trials) -> Vec<Trial> {
    vec![
        on.api("storefront_language_switch", |s| {
            Box::pin(storefront::language_switch(s))
        }),
        on.api("storefront_layout_375_and_1280", |s| {
            Box::pin(storefront::layout(s))
        }),
        on.api("storefront_sold_out_and_limit_reached", |s| {
            Box::pin(storefront::sold_out_and_limit_reached(s))
        }),
        on.api("purchase_survives_a_cut_network", |s| {
            Box::pin(bad_network::purchase_survives_a_cut_network(s))
        }),
        on.api("a_reload_mid_purchase_buys_once", |s| {
            Box::pin(bad_network::a_reload_mid_purchase_buys_once(s))
        }),
        on.api("polling_pauses_in_a_hidden_tab", |s| {
            Box::pin(bad_network::polling_pauses_in_a_hidden_tab(s))
        }),
        on.api("storefront_my_orders_cancel", |s| {
            Box::pin(storefront::my_orders_cancel(s))
        }),
        on.own("storefront_purchase_in_chromium", || {
            Box::pin(browser::purchase())
        }),
        on.own("storefront_follows_the_festival", || {
            Box::pin(festivals::storefront_follows_the_festival())
        }),
        on.own(
            "between_festivals_the_shop_says_when_the_next_starts",
            || Box::pin(festivals::between_festivals_the_shop_says_when_the_next_starts()),
        ),
    ]
}
