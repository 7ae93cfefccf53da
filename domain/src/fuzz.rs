//! Fuzzing, on the stable toolchain, of every parser that reads bytes from outside: an order
//! body, a token, an order id from a URL, a signed batch, a marketer's schedule.
//!
//! Random bytes alone rarely get past the first byte of a JSON or token parser, so each parser
//! is also fed near-valid input: a valid value with bytes flipped, cut or spliced in, and JSON
//! objects with fields dropped, retyped, duplicated or added. Every test checks that nothing
//! panics, and, where the answer is known, that it is the right one.
//!
//! `cargo test -p festival-domain fuzz_` is the short run (`cargo xtask test` includes it);
//! `cargo xtask fuzz --cases N` the long one. [`CASES_VAR`] sets the cases of each test.

mod orders;
mod schedules;
mod signatures;

use proptest::prelude::*;
use serde_json::Value;

/// Environment variable holding the number of cases each fuzz test runs.
pub(crate) const CASES_VAR: &str = "FESTIVAL_FUZZ_CASES";
/// Cases per test when [`CASES_VAR`] is unset: enough to find shallow bugs, and the module
/// stays within seconds in a debug build so every `cargo xtask test` can afford it.
const DEFAULT_CASES: u32 = 512;

/// The proptest configuration of every fuzz test.
fn config() -> ProptestConfig {
    let cases = std::env::var(CASES_VAR).map_or(DEFAULT_CASES, |raw| {
        raw.parse()
            .unwrap_or_else(|_| panic!("{CASES_VAR} must be a whole number, not {raw:?}"))
    });
    ProptestConfig::with_cases(cases)
}

/// One byte-level change to a valid input, as a mutating fuzzer would make. Positions are taken
/// modulo the input's length, so any `usize` lands inside it.
#[derive(Debug, Clone)]
enum Edit {
    /// XOR one byte with a non-zero mask: a bit flip, a case change, another digit.
    Flip(usize, u8),
    /// Remove up to this many bytes.
    Delete(usize, usize),
    /// Splice bytes in.
    Insert(usize, Vec<u8>),
    /// Cut the input short.
    Truncate(usize),
}

/// Snippets that reach the corners of JSON, number and token parsing, which random bytes seldom
/// hit: escapes, lone surrogates, overflowing numbers, separators, multi-byte characters.
const SNIPPETS: &[&str] = &[
    "\"",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\u00e9",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    ".",
    "-",
    "+",
    "0",
    "null",
    "true",
    "1e999",
    "-0",
    "1.5",
    "18446744073709551616",
    "9223372036854775808",
    "-9223372036854775809",
    "é",
    "\u{fffd}",
    "`",
    " ",
    "\"deal_id\":\"x\",",
    "\"quantity\":1,",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Edit::Flip(at, mask)),
        (any::<usize>(), 1..8usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        (any::<usize>(), prop::sample::select(SNIPPETS))
            .prop_map(|(at, s)| Edit::Insert(at, s.as_bytes().to_vec())),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// One to three edits: a single one finds most bugs, a few reach states one cannot.
fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 1..4)
}

/// `bytes` after `edits`. The edits may cancel out, so callers compare before they expect a
/// refusal.
fn mutate(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        match edit {
            Edit::Flip(at, mask) if len > 0 => bytes[at % len] ^= mask,
            Edit::Delete(at, n) if len > 0 => {
                let start = at % len;
                bytes.drain(start..(start + n).min(len));
            }
            Edit::Insert(at, new) => {
                let at = at % (len + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Edit::Truncate(at) => bytes.truncate(at % (len + 1)),
            Edit::Flip(..) | Edit::Delete(..) => {}
        }
    }
    bytes
}

/// `text` after `edits`, for parsers that take `&str` (invalid UTF-8 becomes U+FFFD, as a
/// lossy HTTP layer would make it).
fn mutate_text(text: &str, edits: &[Edit]) -> String {
    String::from_utf8_lossy(&mutate(text.as_bytes().to_vec(), edits)).into_owned()
}

/// Arbitrary bytes: mostly short, sometimes up to a few KB.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..64),
        1 => prop::collection::vec(any::<u8>(), 0..4096),
    ]
}

/// The i64 values where arithmetic on clocks, prices and quantities overflows, as well as
/// any value: a uniform draw almost never lands on them.
fn wild_i64() -> impl Strategy<Value = i64> {
    const EDGES: [i64; 9] = [
        i64::MIN,
        i64::MIN + 1,
        -1,
        0,
        1,
        u32::MAX as i64,
        u32::MAX as i64 + 1,
        i64::MAX - 1,
        i64::MAX,
    ];
    prop_oneof![
        any::<i64>(),
        prop::sample::select(&EDGES[..]),
        -100_000i64..100_000,
    ]
}

/// A valid deal id.
fn deal_id() -> impl Strategy<Value = crate::DealId> {
    "[a-z0-9-]{1,64}".prop_map(|raw| crate::DealId::parse(&raw).expect("the regex is the rule"))
}

/// A valid customer id.
fn customer_id() -> impl Strategy<Value = crate::CustomerId> {
    "[A-Za-z0-9_-]{1,64}"
        .prop_map(|raw| crate::CustomerId::new(&raw).expect("the regex is the rule"))
}

/// Any JSON value, two levels deep, with numbers at the edges and strings that are sometimes
/// valid ids.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        wild_i64().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "(?s).{0,20}".prop_map(Value::from),
        "[A-Za-z0-9_-]{1,70}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec(("[a-z_]{0,8}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A JSON object with its members in the given order (serde_json's map would sort them), with
/// `space` around each separator.
fn object_text(members: &[(String, Value)], space: &str) -> Vec<u8> {
    let members: Vec<String> = members
        .iter()
        .map(|(name, value)| format!("{}{space}:{space}{value}", Value::from(name.as_str())))
        .collect();
    format!("{{{space}{}{space}}}", members.join(&format!(",{space}"))).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_stay_inside_the_input() {
        let edits = [
            Edit::Flip(7, 1),
            Edit::Delete(3, 100),
            Edit::Insert(9, b"ab".to_vec()),
            Edit::Truncate(4),
        ];
        // Flip at 7 % 5 = 2: "hemlo"; delete from 3 to the end: "hem"; insert at 9 % 4 = 1:
        // "habem"; truncate at 4 % 6 = 4.
        assert_eq!(mutate(b"hello".to_vec(), &edits), b"habe");
        assert_eq!(
            mutate(Vec::new(), &[Edit::Flip(3, 1), Edit::Delete(0, 2)]),
            b""
        );
    }

    #[test]
    fn objects_keep_their_member_order() {
        let members = [("b".to_owned(), Value::from(1)), ("a".into(), "x".into())];
        assert_eq!(object_text(&members, " "), br#"{ "b" : 1, "a" : "x" }"#);
    }
}
