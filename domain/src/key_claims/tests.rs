use proptest::prelude::*;

use super::*;

const NOON: UnixMillis = UnixMillis(20_000 * CLAIM_KEPT_MS + CLAIM_KEPT_MS / 2);

fn claim(customer: &str, key: &str, deal: &str, quantity: u32) -> Claim {
    Claim {
        customer: CustomerId::new(customer).unwrap(),
        key: IdempotencyKey::new(key).unwrap(),
        deal: DealId::parse(deal).unwrap(),
        quantity,
    }
}

/// Decides `claims` at `now` against `store`, and applies the puts, as the object does.
fn run(
    store: &mut BTreeMap<String, String>,
    claims: &[Claim],
    now: UnixMillis,
) -> Vec<ClaimAnswer> {
    let read: BTreeMap<String, String> = keys_to_read(claims, now)
        .into_iter()
        .filter_map(|key| Some((key.clone(), store.get(&key)?.clone())))
        .collect();
    let (answers, puts) = decide(claims, &read, now);
    store.extend(puts);
    answers
}

#[test]
fn a_key_reused_on_another_deal_or_quantity_is_refused_and_a_retry_is_not() {
    let mut store = BTreeMap::new();
    let first = claim("ada", "key-00000001", "lantern", 1);
    assert_eq!(
        run(&mut store, std::slice::from_ref(&first), NOON),
        [ClaimAnswer::Fresh]
    );
    assert_eq!(run(&mut store, &[first], NOON), [ClaimAnswer::Same]);
    let other_deal = claim("ada", "key-00000001", "kettle", 1);
    let other_quantity = claim("ada", "key-00000001", "lantern", 2);
    assert_eq!(
        run(&mut store, &[other_deal, other_quantity], NOON),
        [ClaimAnswer::Reused, ClaimAnswer::Reused]
    );
    // Another customer's keys are their own.
    let someone_else = claim("bob", "key-00000001", "kettle", 1);
    assert_eq!(run(&mut store, &[someone_else], NOON), [ClaimAnswer::Fresh]);
    let claims = store.keys().filter(|k| k.starts_with(CLAIM_PREFIX)).count();
    assert_eq!(claims, 2, "one record per first claim");
    let listed = store
        .keys()
        .filter(|k| k.starts_with(ordered::ORDERED_PREFIX))
        .count();
    assert_eq!(
        listed, 2,
        "each first claim lists its deal for its customer"
    );
}

#[test]
fn two_claims_on_one_key_in_a_batch_answer_in_order() {
    let mut store = BTreeMap::new();
    let claims = [
        claim("ada", "key-00000002", "lantern", 1),
        claim("ada", "key-00000002", "kettle", 1),
        claim("ada", "key-00000002", "lantern", 1),
    ];
    let answers = run(&mut store, &claims, NOON);
    assert_eq!(
        answers,
        [ClaimAnswer::Fresh, ClaimAnswer::Reused, ClaimAnswer::Same]
    );
}

#[test]
fn a_claim_answers_for_at_least_a_day_and_then_expires() {
    let mut store = BTreeMap::new();
    let late_evening = UnixMillis(20_001 * CLAIM_KEPT_MS - 1);
    let first = claim("ada", "key-00000003", "lantern", 1);
    let reuse = claim("ada", "key-00000003", "kettle", 1);
    run(&mut store, &[first], late_evening);
    let a_day_later = UnixMillis(late_evening.0 + CLAIM_KEPT_MS);
    assert_eq!(
        run(&mut store, &[reuse], a_day_later),
        [ClaimAnswer::Reused]
    );
    let (key, _) = store.iter().next().unwrap();
    assert!(!is_expired(key, a_day_later));
    let sweep = next_sweep(late_evening);
    assert!(sweep.0 > late_evening.0 + CLAIM_KEPT_MS);
    assert!(is_expired(key, sweep));
    assert!(!is_expired(key, UnixMillis(sweep.0 - 1)));
    assert!(
        is_expired("claim:garbage", NOON),
        "what cannot be read goes"
    );
}

proptest! {
    /// Whatever the history, a (customer, key) answers Fresh once, Same for its first body and
    /// Reused for any other, within a day, however claims are batched.
    #[test]
    fn a_key_belongs_to_its_first_body(
        history in prop::collection::vec((0..3usize, 0..3usize, 0..2usize, 1..3u32, 1..4usize), 1..40)
    ) {
        let customers = ["ada", "bob", "cyd"];
        let keys = ["key-aaaaaaaa", "key-bbbbbbbb", "key-cccccccc"];
        let deals = ["lantern", "kettle"];
        let mut store = BTreeMap::new();
        let mut first: BTreeMap<(usize, usize), (usize, u32)> = BTreeMap::new();
        let mut batch = Vec::new();
        let mut expected = Vec::new();
        let mut answers = Vec::new();
        for (index, (c, k, d, q, cut)) in history.iter().copied().enumerate() {
            batch.push(claim(customers[c], keys[k], deals[d], q));
            expected.push(match first.get(&(c, k)) {
                None => { first.insert((c, k), (d, q)); ClaimAnswer::Fresh }
                Some(&body) if body == (d, q) => ClaimAnswer::Same,
                Some(_) => ClaimAnswer::Reused,
            });
            if batch.len() >= cut || index + 1 == history.len() {
                let at = UnixMillis(NOON.0 + index as i64 * 1_000);
                answers.extend(run(&mut store, &std::mem::take(&mut batch), at));
            }
        }
        prop_assert_eq!(answers, expected);
    }
}
