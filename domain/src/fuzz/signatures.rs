//! Fuzzing the two signature checks: the edge's tokens (`token::verify`) and the signed batch
//! origin receives (`batch::verify`). Beyond not panicking, a signature must hold only for what
//! was signed.

use proptest::prelude::*;

use super::{bytes, config, customer_id, edits, mutate, mutate_text, wild_i64};
use crate::batch::{self, SIGNATURE_MAX_AGE_MS, SignatureError};
use crate::time::UnixMillis;
use crate::token::{self, Purpose, TokenError};

fn purpose() -> impl Strategy<Value = Purpose> {
    prop_oneof![
        Just(Purpose::Session),
        Just(Purpose::Sale),
        Just(Purpose::Admission)
    ]
}

/// A secret of any length, empty included: HMAC takes keys of any length.
fn secret() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..80)
}

/// Text shaped like a token, `<tag>.<customer>.<expiry>.<hex>`, each part valid or nearly.
fn token_shaped() -> impl Strategy<Value = String> {
    let tag = prop_oneof!["s1|t1|a1", "(?s).{0,3}"];
    let customer = prop_oneof!["[A-Za-z0-9_-]{0,65}", "(?s).{0,8}"];
    let expiry = prop_oneof![wild_i64().prop_map(|n| n.to_string()), "[+-]?[0-9]{0,21}"];
    let mac = prop_oneof!["[0-9a-f]{64}", "[0-9a-fA-F]{0,70}"];
    (tag, customer, expiry, mac).prop_map(|(t, c, e, m)| format!("{t}.{c}.{e}.{m}"))
}

/// Whether `candidate` is `signed` written differently: hex is read in either case, so an
/// upper-case MAC is the same signature.
fn same_up_to_hex_case(signed: &str, candidate: &str) -> bool {
    match (signed.rsplit_once('.'), candidate.rsplit_once('.')) {
        (Some((text, mac)), Some((other_text, other_mac))) => {
            text == other_text && mac.eq_ignore_ascii_case(other_mac)
        }
        _ => false,
    }
}

/// A timestamp header: absent, a number at the edges, a number with a sign or leading zeros,
/// or anything.
fn timestamp_header() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        wild_i64().prop_map(|n| Some(n.to_string())),
        "[+-]?0?[0-9]{1,20}".prop_map(Some),
        "(?s).{0,24}".prop_map(Some),
    ]
}

/// A signature header: absent, hex of any length and case, or anything.
fn signature_header() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[0-9a-f]{64}".prop_map(Some),
        "[0-9a-fA-F]{0,70}".prop_map(Some),
        "(?s).{0,70}".prop_map(Some),
    ]
}

/// What `batch::verify` must answer for headers whose signature cannot match: the headers are
/// read first, then the clock is checked, then the MAC.
fn expected_refusal(timestamp: Option<&str>, signature: Option<&str>, now: i64) -> SignatureError {
    let timestamp = timestamp.and_then(|t| t.parse::<i64>().ok());
    let signature = signature.and_then(|s| hex::decode(s).ok());
    match (timestamp, signature) {
        (Some(at), Some(_))
            if (i128::from(at) - i128::from(now)).abs() > SIGNATURE_MAX_AGE_MS.into() =>
        {
            SignatureError::Stale
        }
        (Some(_), Some(_)) => SignatureError::Mismatch,
        _ => SignatureError::Missing,
    }
}

proptest! {
    #![proptest_config(config())]

    /// No text verifies as a token without the secret, whatever its shape.
    #[test]
    fn fuzz_token_verify_refuses_forgeries(
        secret in secret(),
        purpose in purpose(),
        token in prop_oneof![
            "(?s).{0,200}",
            bytes().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            token_shaped(),
        ],
        now in wild_i64(),
    ) {
        prop_assert!(token::verify(&secret, purpose, &token, UnixMillis(now)).is_err());
    }

    /// An issued token names its customer until it expires, only for its purpose, and any
    /// change to it (but the case of its MAC) makes it invalid.
    #[test]
    fn fuzz_token_verifies_only_unmodified(
        (secret, purpose, other) in (secret(), purpose(), purpose()),
        customer in customer_id(),
        (expires, now) in (wild_i64(), wild_i64()),
        edits in edits(),
    ) {
        let token = token::issue(&secret, purpose, &customer, UnixMillis(expires));
        let check = |purpose, token: &str| token::verify(&secret, purpose, token, UnixMillis(now));
        let valid = if now < expires { Ok(customer) } else { Err(TokenError::Expired) };
        prop_assert_eq!(check(purpose, &token), valid);
        if other != purpose {
            prop_assert_eq!(check(other, &token), Err(TokenError::Invalid));
        }
        let mutated = mutate_text(&token, &edits);
        if check(purpose, &mutated) != Err(TokenError::Invalid) {
            prop_assert!(same_up_to_hex_case(&token, &mutated), "{mutated:?} passed for {token:?}");
        }
    }

    /// Any headers and body: verification never panics and answers the refusal its order of
    /// checks gives (a random MAC never matches).
    #[test]
    fn fuzz_batch_verify_any_headers(
        secret in secret(),
        timestamp in timestamp_header(),
        signature in signature_header(),
        body in bytes(),
        now in wild_i64(),
    ) {
        let result = batch::verify(&secret, timestamp.as_deref(), signature.as_deref(), &body, UnixMillis(now));
        let expected = expected_refusal(timestamp.as_deref(), signature.as_deref(), now);
        prop_assert_eq!(result, Err(expected));
    }

    /// A batch signed within the allowed skew verifies; a changed body, timestamp or signature
    /// does not (but the case of its hex, or a timestamp written with a `+` or leading zero,
    /// which are the same values).
    #[test]
    fn fuzz_batch_signature_holds_only_for_what_was_signed(
        secret in secret(),
        body in bytes(),
        now in wild_i64(),
        skew in -SIGNATURE_MAX_AGE_MS..=SIGNATURE_MAX_AGE_MS,
        edits in edits(),
        target in 0..3u8,
    ) {
        let at = now.saturating_add(skew);
        let signature = batch::sign(&secret, UnixMillis(at), &body);
        let (mut stamp, mut mac, mut signed) = (at.to_string(), signature.clone(), body.clone());
        let check = |stamp: &str, mac: &str, body: &[u8]| {
            batch::verify(&secret, Some(stamp), Some(mac), body, UnixMillis(now))
        };
        prop_assert_eq!(check(&stamp, &mac, &signed), Ok(()));
        match target {
            0 => signed = mutate(signed, &edits),
            1 => stamp = mutate_text(&stamp, &edits),
            _ => mac = mutate_text(&mac, &edits),
        }
        if check(&stamp, &mac, &signed).is_ok() {
            prop_assert_eq!(&signed, &body);
            prop_assert_eq!(stamp.parse::<i64>().ok(), Some(at));
            prop_assert!(mac.eq_ignore_ascii_case(&signature));
        }
    }
}
