//! Fuzzing what a shopper's request carries: the order body (`OrderRequest::parse`), order ids
//! from URLs (`OrderId::parse`) and deal ids (`DealId::parse`).

use proptest::prelude::*;
use serde_json::Value;

use super::{
    bytes, config, customer_id, deal_id, edits, json_value, mutate, mutate_text, object_text,
};
use crate::deal::MAX_SHARDS;
use crate::order::{IdempotencyKey, OrderId, OrderRequest, Quantity};
use crate::refusal::{MAX_ORDER_BODY_BYTES, Refusal};
use crate::{DealId, Order};

/// The request's fields, in the order `OrderRequestWire` declares them.
const FIELDS: [&str; 4] = ["deal_id", "quantity", "idempotency_key", "sale_token"];

/// A valid request and the JSON values of its fields, in [`FIELDS`] order.
fn request() -> impl Strategy<Value = (OrderRequest, Vec<Value>)> {
    (
        deal_id(),
        1..=u32::MAX,
        "[A-Za-z0-9_-]{8,64}",
        "(?s).{0,40}",
    )
        .prop_map(|(deal_id, quantity, key, sale_token)| {
            let values = vec![
                Value::from(deal_id.as_str()),
                Value::from(quantity),
                Value::from(key.as_str()),
                Value::from(sale_token.as_str()),
            ];
            let request = OrderRequest {
                deal_id,
                quantity: Quantity::new(quantity.into()).expect("at least 1"),
                idempotency_key: IdempotencyKey::new(&key).expect("the regex is the rule"),
                sale_token,
            };
            (request, values)
        })
}

/// A valid body: the fields in any order, with any JSON whitespace.
fn body() -> impl Strategy<Value = (OrderRequest, Vec<u8>)> {
    let order = Just((0..FIELDS.len()).collect::<Vec<_>>()).prop_shuffle();
    (request(), order, "[ \t\r\n]{0,2}").prop_map(|((request, values), order, space)| {
        let members: Vec<_> = order
            .into_iter()
            .map(|i| (FIELDS[i].to_owned(), values[i].clone()))
            .collect();
        (request, object_text(&members, &space))
    })
}

/// A change to one field of a valid request's JSON object.
#[derive(Debug, Clone)]
enum FieldEdit {
    /// Leave field `i` out.
    Drop(usize),
    /// Give field `i` another value, of any type.
    Retype(usize, Value),
    /// Send field `i` twice: the second value must not win quietly.
    Duplicate(usize),
    /// Add a field the API does not know, such as a price.
    Unknown(String),
}

fn field_edit() -> impl Strategy<Value = FieldEdit> {
    let field = 0..FIELDS.len();
    prop_oneof![
        field.clone().prop_map(FieldEdit::Drop),
        (field.clone(), json_value()).prop_map(|(i, v)| FieldEdit::Retype(i, v)),
        field.prop_map(FieldEdit::Duplicate),
        "(?s).{0,12}"
            .prop_filter("a known field", |name| !FIELDS.contains(&name.as_str()))
            .prop_map(FieldEdit::Unknown),
    ]
}

/// The refusal code a request with `value` as field `i` (all others valid) must get, or `None`
/// when it is valid.
fn expected_code(i: usize, value: &Value) -> Option<&'static str> {
    let checked = match (FIELDS[i], value) {
        ("deal_id", Value::String(s)) => DealId::parse(s)
            .map(|_| ())
            .map_err(|_| Refusal::UnknownDeal),
        ("quantity", Value::Number(n)) if n.is_i64() => {
            Quantity::new(n.as_i64().expect("is_i64")).map(|_| ())
        }
        ("idempotency_key", Value::String(s)) => IdempotencyKey::new(s).map(|_| ()),
        ("sale_token", Value::String(_)) => Ok(()),
        _ => Err(Refusal::WrongType(String::new())),
    };
    checked.err().map(|refusal| refusal.code())
}

proptest! {
    #![proptest_config(config())]

    /// Any bytes, up to and past the size limit, get a 4xx refusal or parse.
    #[test]
    fn fuzz_order_request_any_bytes(
        bytes in prop_oneof![
            9 => bytes(),
            1 => prop::collection::vec(any::<u8>(), MAX_ORDER_BODY_BYTES - 1..=MAX_ORDER_BODY_BYTES + 1),
        ],
    ) {
        if let Err(refusal) = OrderRequest::parse(&bytes) {
            prop_assert!((400..500).contains(&refusal.http_status()), "{refusal:?}");
        }
        if bytes.len() > MAX_ORDER_BODY_BYTES {
            prop_assert_eq!(OrderRequest::parse(&bytes), Err(Refusal::BodyTooLarge));
        }
    }

    /// A valid body parses to exactly its fields, whatever the order and whitespace; mutated,
    /// it parses or gets a 4xx refusal, and what parses is a request that parses again.
    #[test]
    fn fuzz_order_request_mutated_bodies((request, body) in body(), edits in edits()) {
        prop_assert_eq!(OrderRequest::parse(&body), Ok(request));
        let mutated = mutate(body, &edits);
        match OrderRequest::parse(&mutated) {
            Ok(parsed) => {
                let again: Vec<_> = FIELDS.iter().map(|f| f.to_string()).zip([
                    Value::from(parsed.deal_id.as_str()),
                    Value::from(parsed.quantity.get()),
                    Value::from(parsed.idempotency_key.as_str()),
                    Value::from(parsed.sale_token.as_str()),
                ]).collect();
                prop_assert_eq!(OrderRequest::parse(&object_text(&again, "")), Ok(parsed));
            }
            Err(refusal) => prop_assert!((400..500).contains(&refusal.http_status())),
        }
    }

    /// Each change to one field gets the refusal that names it: a dropped field is missing, an
    /// extra one unknown, a duplicate refused, and a retyped one judged by its own rule.
    #[test]
    fn fuzz_order_request_field_edits((_, values) in request(), edit in field_edit(), at in any::<usize>()) {
        let mut members: Vec<_> = FIELDS.iter().map(|f| f.to_string()).zip(values).collect();
        let expected = match &edit {
            FieldEdit::Drop(i) => {
                members.remove(*i);
                Some(Refusal::MissingField(FIELDS[*i].into()).code())
            }
            FieldEdit::Retype(i, value) => {
                members[*i].1 = value.clone();
                expected_code(*i, value)
            }
            FieldEdit::Duplicate(i) => {
                members.insert(at % (members.len() + 1), members[*i].clone());
                Some(Refusal::MalformedJson.code())
            }
            FieldEdit::Unknown(name) => {
                members.insert(at % (members.len() + 1), (name.clone(), Value::from(1)));
                Some(Refusal::UnknownField(name.clone()).code())
            }
        };
        let parsed = OrderRequest::parse(&object_text(&members, " "));
        prop_assert_eq!(parsed.as_ref().err().map(Refusal::code), expected, "{:?}", parsed);
        if let (FieldEdit::Unknown(name), Err(Refusal::UnknownField(named))) = (&edit, &parsed) {
            // The refusal quotes serde's message between backticks.
            if !name.contains('`') {
                prop_assert_eq!(named, name);
            }
        }
    }

    /// Whatever a URL holds, an id parses only in its one canonical form, and a parsed id
    /// answers its deal and shard without panicking.
    #[test]
    fn fuzz_order_id_parse(
        raw in prop_oneof![
            "(?s).{0,80}",
            prop::collection::vec(
                prop_oneof!["[a-z0-9-]{0,66}", "[0-9]{1,3}", "[0-9a-f]{31,33}", "[0-9a-fA-F]{32}", "(?s).{0,6}"],
                1..5,
            ).prop_map(|segments| segments.join(".")),
            (deal_id(), 0..MAX_SHARDS, any::<u128>(), edits())
                .prop_map(|(deal, shard, random, edits)| mutate_text(OrderId::new(&deal, shard, random).as_str(), &edits)),
        ],
    ) {
        if let Some(id) = OrderId::parse(&raw) {
            let (deal, shard) = (id.deal_id(), id.shard());
            prop_assert!(shard < MAX_SHARDS);
            let nonce = raw.rsplit('.').next().expect("split yields one part");
            let random = u128::from_str_radix(nonce, 16).expect("a parsed nonce is hex");
            prop_assert_eq!(OrderId::new(&deal, shard, random).to_string(), raw);
        }
    }

    /// Every id `OrderId::new` makes parses back to itself, as text and as JSON.
    #[test]
    fn fuzz_order_id_round_trips(deal in deal_id(), shard in 0..MAX_SHARDS, random in any::<u128>()) {
        let id = OrderId::new(&deal, shard, random);
        prop_assert_eq!(OrderId::parse(&id.to_string()), Some(id.clone()));
        prop_assert_eq!((id.deal_id(), id.shard()), (deal, shard));
        let json = serde_json::to_string(&id).expect("an id serialises");
        prop_assert_eq!(serde_json::from_str::<OrderId>(&json).ok(), Some(id));
    }

    /// A deal id parses exactly when it is 1–64 characters of `a-z 0-9 -`, as text and as JSON.
    #[test]
    fn fuzz_deal_id_parse(raw in prop_oneof!["(?s).{0,70}", "[a-z0-9-]{0,66}", "[a-zA-Z0-9._/ -]{0,66}"]) {
        let rule = (1..=DealId::MAX_LEN).contains(&raw.len())
            && raw.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'));
        let parsed = DealId::parse(&raw);
        prop_assert_eq!(parsed.is_ok(), rule);
        let from_json = serde_json::from_value::<DealId>(Value::from(raw.as_str()));
        prop_assert_eq!(from_json.ok(), parsed.ok());
    }

    /// An order's JSON cannot smuggle in an invalid order id: whatever deserialises answers its
    /// deal and shard. (Quantity, key and customer deserialise unchecked: origin trusts a batch
    /// only once its signature shows the edge built it.)
    #[test]
    fn fuzz_order_json_keeps_its_id_valid(
        (deal, customer) in (deal_id(), customer_id()),
        random in any::<u128>(),
        edits in edits(),
    ) {
        let order = serde_json::json!({
            "id": OrderId::new(&deal, 1, random),
            "status": "reserved",
            "deal_id": deal,
            "customer_id": customer,
            "idempotency_key": "key-12345678",
            "quantity": 1,
            "unit_price_minor": 1,
            "total_minor": 1,
            "currency": "USD",
            "priced_at": 0,
        });
        let text = serde_json::to_vec(&order).expect("a value serialises");
        prop_assert!(serde_json::from_slice::<Order>(&text).is_ok());
        if let Ok(order) = serde_json::from_slice::<Order>(&mutate(text, &edits)) {
            prop_assert!(order.id.shard() < MAX_SHARDS);
            prop_assert!(DealId::parse(order.id.deal_id().as_str()).is_ok());
        }
    }
}
