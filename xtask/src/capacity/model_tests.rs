use super::*;
use crate::capacity::limits::Engine;

/// The latest rehearsal's costs (BENCHMARKS.md): 489 shard and 369 claim requests, 1,146
/// writes, 91 messages and 4 origin transactions over 300 accepted orders.
fn measured() -> PerOrder {
    PerOrder {
        shard_requests: 489.0 / 300.0,
        claim_requests: 369.0 / 300.0,
        storage_writes: 1_146.0 / 300.0,
        queue_messages: 91.0 / 300.0,
        origin_transactions: 4.0 / 300.0,
    }
}

fn load(orders_per_s: f64, hot_deals: u32, stock: u32) -> Load {
    Load {
        orders_per_s,
        hot_deals,
        stock,
    }
}

fn plan_of(load: Load, costs: PerOrder) -> Plan {
    plan(
        load,
        costs,
        &Limits::published(Engine::Postgres),
        &Deployment::today(),
    )
}

#[test]
fn nothing_binds_a_small_sale_and_the_limits_bind_in_turn_as_the_rate_grows() {
    let first = |rate: f64| {
        plan_of(load(rate, 20, 1_000_000), measured())
            .binding()
            .first()
            .map(|b| b.limit)
    };
    assert_eq!(first(1_000.0), None);
    // 5,000 messages/s at 0.30 a message an order: ~16,500 orders/s on one queue.
    assert_eq!(first(20_000.0), Some(Limit::QueueMessages));
    let binding = |rate: f64| {
        plan_of(load(rate, 20, 1_000_000), measured())
            .binding()
            .len()
    };
    assert_eq!(binding(20_000.0), 1);
    assert_eq!(binding(40_000.0), 2, "origin's ingest next");
    assert_eq!(binding(60_000.0), 3, "then the 64 KeyClaims objects");
    assert_eq!(binding(544_000.0), 5);
}

#[test]
fn one_hot_deal_binds_at_its_shards_before_anything_else() {
    let costs = PerOrder {
        queue_messages: GOAL_QUEUE_MESSAGES,
        ..measured()
    };
    let plan = plan_of(load(30_000.0, 1, 1_000_000), costs);
    let first = plan.binding()[0];
    assert_eq!(first.limit, Limit::DealShards);
    assert_eq!(first.today, 32);
    // 32 objects of 1,000 requests/s over 1.63 requests an order.
    assert!((first.ceiling - 32_000.0 / (489.0 / 300.0)).abs() < 1e-6);
}

#[test]
fn shards_per_deal_scale_with_each_hot_deals_share() {
    let shards =
        |hot_deals| plan_of(load(20_000.0, hot_deals, 1_000_000), measured()).shards_needed;
    // 20,000 orders/s × 1.63 requests over 1,000 requests/s a shard.
    assert_eq!(shards(1), 33);
    assert_eq!(shards(2), 17);
    assert_eq!(shards(20), 2);
    let plan = plan_of(load(20_000.0, 20, 1_000_000), measured());
    assert!(plan.hottest_shard_requests_per_s <= 1_000.0);
}

#[test]
fn a_sale_never_uses_more_shards_than_it_has_units_or_the_schedule_allows() {
    let small = plan_of(load(100_000.0, 1, 10), measured());
    assert_eq!(small.useful_shards, 10);
    assert_eq!(small.shards_per_deal, 10);
    assert!(small.shards_needed > 10);
    assert!(
        small.hottest_shard_requests_per_s > 1_000.0,
        "the overload shows"
    );
    assert!(small.binding().iter().any(|b| b.limit == Limit::DealShards));
    let big = plan_of(load(1_000_000.0, 1, 1_000_000), measured());
    assert_eq!(big.shards_per_deal, festival_domain::deal::MAX_SHARDS);
}

#[test]
fn the_deployment_grows_queues_and_claim_objects_with_the_rate() {
    let plan = plan_of(load(544_000.0, 20, 1_000_000), measured());
    // 544,000 × 91/300 messages over 5,000 a queue.
    assert_eq!(plan.queues, 34);
    assert_eq!(plan.claim_objects, 670);
    assert!(plan.hottest_claims_requests_per_s <= 1_000.0);
    assert!((plan.origin_rows_per_s - 544_000.0).abs() < 1e-6);
    assert!((plan.origin_transactions_per_s - 544_000.0 * 4.0 / 300.0).abs() < 1e-6);
    // Twenty million units at the measured PostgreSQL ingest.
    assert!((plan.origin_drain_s - 20_000_000.0 / 34_907.0).abs() < 1e-6);
    let small = plan_of(load(1_000.0, 20, 1_000_000), measured());
    assert_eq!(small.claim_objects, 64, "never fewer than today's");
    assert_eq!(small.queues, 1);
}

#[test]
fn at_the_goals_costs_fall_to_them_and_never_rise() {
    let goals = measured().at_goals();
    assert!((goals.object_requests() - GOAL_OBJECT_REQUESTS).abs() < 1e-12);
    assert!((goals.shard_requests / goals.claim_requests - 489.0 / 369.0).abs() < 1e-9);
    assert_eq!(goals.queue_messages, GOAL_QUEUE_MESSAGES);
    assert_eq!(
        goals.origin_transactions,
        4.0 / 300.0,
        "already below its goal"
    );
    assert_eq!(goals.at_goals(), goals);
    let plan = plan_of(load(544_000.0, 20, 1_000_000), goals);
    assert_eq!(plan.queues, 6);
    assert_eq!(plan.shards_per_deal, 2);
    assert_eq!(plan.binding()[0].limit, Limit::OriginIngest);
}

#[test]
fn a_full_message_caps_what_one_queue_carries_whatever_the_costs() {
    let free = PerOrder {
        queue_messages: 0.0,
        ..measured().at_goals()
    };
    let plan = plan_of(load(544_000.0, 20, 1_000_000), free);
    // 100 orders a message at 5,000 messages/s: 500,000 orders/s a queue.
    assert_eq!(plan.queues, 2);
    assert_eq!(plan.bound(Limit::QueueMessageSize).ceiling, 500_000.0);
    assert!(plan.bound(Limit::QueueMessageSize).binds(&plan.load));
}
