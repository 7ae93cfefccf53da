//! Dead letters: accepted orders (or cancellations) whose delivery to origin gave up — after the
//! queue's last retry of an outage, or at once when origin refused them for good. The edge keeps
//! each one under its own storage key until `cargo xtask redrive` has brought it to origin.
//!
//! Here: how the consumer tells a refusal from an outage, what a letter holds, the summary that
//! reconcile shows, and the redrive route's request and answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::batch::MAX_BATCH_ORDERS;
use crate::order::{Order, OrderId};
use crate::refusal::ErrorBody;
use crate::time::UnixMillis;

/// Most letters one redrive request sends: one batch to origin.
pub const MAX_REDRIVE_PAGE: usize = MAX_BATCH_ORDERS;

/// Most order ids a [`Summary`] names: reconcile shows a sample, never every letter.
pub const SUMMARY_SAMPLE: usize = 20;

/// The reason code of a letter whose retries ran out (origin did not answer, or answered 5xx).
pub const RETRIES_RAN_OUT: &str = "retries_ran_out";

/// What an answer from origin other than 200 means for the batch it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginFailure {
    /// Origin is down, overloaded or broken: the same batch may be taken later, so retry it.
    Outage,
    /// Origin refused the batch itself (signature, shape, size): it will refuse it every time,
    /// so retrying only holds up every other order. The messages become dead letters at once.
    Refusal,
}

/// How to treat origin's HTTP `status` (any but 200). A 4xx is origin's verdict on the request,
/// except 408 and 429, which say "not now"; everything else (5xx, a redirect) is an outage.
pub fn failure_of(status: u16) -> OriginFailure {
    match status {
        408 | 429 => OriginFailure::Outage,
        400..=499 => OriginFailure::Refusal,
        _ => OriginFailure::Outage,
    }
}

/// The reason of letters whose retries ran out.
pub fn retries_ran_out() -> ErrorBody {
    ErrorBody {
        code: RETRIES_RAN_OUT.into(),
        message: "Origin did not store the order before the queue's retries ran out.".into(),
    }
}

/// Origin's refusal as a letter's reason: origin's own `{code, message}`, or, for any other body
/// (a proxy's page, say), `http_<status>` and the body's first 200 characters.
pub fn refused_by_origin(status: u16, body: &str) -> ErrorBody {
    serde_json::from_str::<ErrorBody>(body).unwrap_or_else(|_| ErrorBody {
        code: format!("http_{status}"),
        message: format!(
            "Origin answered {status}: {}",
            body.chars().take(200).collect::<String>()
        ),
    })
}

/// One dead letter: the queue message's body as it was sent (an order's JSON), why it is dead,
/// and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The message body, untouched.
    pub body: String,
    /// Origin's refusal, or [`retries_ran_out`].
    pub reason: ErrorBody,
    /// The edge's clock when the letter was kept.
    pub dead_at: UnixMillis,
}

impl DeadLetter {
    /// The order the body carries; `None` for a body that is no order (a bug upstream).
    pub fn order(&self) -> Option<Order> {
        serde_json::from_str(&self.body).ok()
    }

    /// The letter's name in the store: one per order and state, so that the same message dying
    /// twice (delivery is at least once) is kept once, while an order and its cancellation are
    /// two letters. A body that is no order is named after its queue message.
    pub fn name(&self, message_id: &str) -> String {
        match self.order() {
            Some(order) => {
                let status = serde_json::to_value(order.status).unwrap_or_default();
                format!("{}/{}", order.id, status.as_str().unwrap_or_default())
            }
            None => format!("unreadable/{message_id}"),
        }
    }
}

/// How many letters wait for one reason code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// The reason's code.
    pub code: String,
    /// The words of the first letter kept for it.
    pub message: String,
    /// Letters with this code.
    pub letters: u64,
}

/// What waits in the dead-letter store: the count, the count per reason, and a bounded sample of
/// order ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Letters kept.
    pub letters: u64,
    /// Per reason code, most frequent first.
    pub reasons: Vec<ReasonCount>,
    /// The order ids of the first [`SUMMARY_SAMPLE`] letters, in the store's order.
    pub sample: Vec<String>,
}

impl Summary {
    /// Counts `letters` in.
    pub fn add<'a>(&mut self, letters: impl IntoIterator<Item = &'a DeadLetter>) {
        let mut by_code: BTreeMap<String, ReasonCount> = self
            .reasons
            .drain(..)
            .map(|count| (count.code.clone(), count))
            .collect();
        for letter in letters {
            self.letters += 1;
            by_code
                .entry(letter.reason.code.clone())
                .or_insert_with(|| ReasonCount {
                    code: letter.reason.code.clone(),
                    message: letter.reason.message.clone(),
                    letters: 0,
                })
                .letters += 1;
            if self.sample.len() < SUMMARY_SAMPLE {
                let id = letter.order().map(|order| order.id.to_string());
                self.sample
                    .push(id.unwrap_or_else(|| "(unreadable)".into()));
            }
        }
        self.reasons = by_code.into_values().collect();
        self.reasons
            .sort_by(|a, b| b.letters.cmp(&a.letters).then(a.code.cmp(&b.code)));
    }
}

/// `POST /api/ops/redrive`'s body: which page of letters to send. Both fields may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedriveRequest {
    /// Start after this letter: the `next` of the previous answer; none for the first page.
    #[serde(default)]
    pub after: Option<String>,
    /// Letters in the page, 1 to [`MAX_REDRIVE_PAGE`] (the default).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl RedriveRequest {
    /// Reads a request body (empty: the first full page); the words of the problem otherwise.
    pub fn parse(body: &[u8]) -> Result<(Option<String>, usize), String> {
        let request: RedriveRequest = if body.iter().all(u8::is_ascii_whitespace) {
            RedriveRequest::default()
        } else {
            serde_json::from_slice(body).map_err(|e| format!("The body is not a page: {e}."))?
        };
        match request.limit.unwrap_or(MAX_REDRIVE_PAGE) {
            limit @ 1..=MAX_REDRIVE_PAGE => Ok((request.after, limit)),
            _ => Err(format!("`limit` must be 1 to {MAX_REDRIVE_PAGE}.")),
        }
    }
}

/// Origin's refusal of a redriven page: why, and the orders it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedriveRefusal {
    /// Origin's code and words.
    pub reason: ErrorBody,
    /// The orders of the refused batch; their letters are kept.
    pub order_ids: Vec<OrderId>,
}

/// What one redrive request did with its page of letters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redriven {
    /// Letters in the page.
    pub letters: usize,
    /// Orders sent to origin, in one signed batch.
    pub resent: usize,
    /// Orders origin stored now.
    pub stored_now: Vec<OrderId>,
    /// Orders origin already held (a letter whose order had arrived after all).
    pub already_stored: Vec<OrderId>,
    /// Letters removed: origin holds their orders and their shards know it.
    pub removed: usize,
    /// Origin refused the batch; nothing was removed.
    pub refused: Option<RedriveRefusal>,
    /// Origin or a shard could not be reached; nothing was removed.
    pub outage: Option<String>,
    /// Letters whose body is no order: kept, never sent.
    pub unreadable: usize,
    /// The `after` of the next page; none when this page was the last.
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order_json(id: &str, status: &str) -> String {
        format!(
            r#"{{"id":"{id}","status":"{status}","deal_id":"lantern","customer_id":"c1","idempotency_key":"key-12345678","quantity":1,"unit_price_minor":100,"total_minor":100,"currency":"USD","priced_at":1}}"#
        )
    }

    fn letter(body: String, code: &str) -> DeadLetter {
        DeadLetter {
            body,
            reason: ErrorBody {
                code: code.into(),
                message: format!("words for {code}"),
            },
            dead_at: UnixMillis(5),
        }
    }

    const ID: &str = "lantern.0.0123456789abcdef0123456789abcdef";

    #[test]
    fn a_4xx_is_a_refusal_but_for_408_and_429_and_the_rest_is_an_outage() {
        for status in [400, 401, 404, 413, 422] {
            assert_eq!(failure_of(status), OriginFailure::Refusal, "{status}");
        }
        for status in [408, 429, 500, 502, 503, 504, 301, 0] {
            assert_eq!(failure_of(status), OriginFailure::Outage, "{status}");
        }
    }

    #[test]
    fn origin_words_become_the_reason_and_anything_else_its_status() {
        let signed = refused_by_origin(
            401,
            r#"{"code":"bad_signature","message":"the signature does not match"}"#,
        );
        assert_eq!(signed.code, "bad_signature");
        assert_eq!(signed.message, "the signature does not match");
        let page = refused_by_origin(404, &"<html>".repeat(100));
        assert_eq!(page.code, "http_404");
        assert!(page.message.starts_with("Origin answered 404: <html>"));
        assert!(page.message.len() < 250);
    }

    #[test]
    fn a_letter_is_named_by_order_and_state_and_an_unreadable_one_by_its_message() {
        let reserved = letter(order_json(ID, "reserved"), RETRIES_RAN_OUT);
        assert_eq!(reserved.order().map(|o| o.id.to_string()), Some(ID.into()));
        assert_eq!(reserved.name("m1"), format!("{ID}/reserved"));
        assert_eq!(reserved.name("m2"), reserved.name("m1"));
        let cancelled = letter(order_json(ID, "cancelled"), RETRIES_RAN_OUT);
        assert_ne!(cancelled.name("m1"), reserved.name("m1"));
        let junk = letter("not an order".into(), RETRIES_RAN_OUT);
        assert_eq!(junk.order(), None);
        assert_eq!(junk.name("m7"), "unreadable/m7");
    }

    #[test]
    fn a_summary_counts_per_reason_and_names_a_bounded_sample() {
        let mut summary = Summary::default();
        let letters: Vec<DeadLetter> = (0..30)
            .map(|i| {
                let id = format!("lantern.0.{i:032x}");
                letter(order_json(&id, "reserved"), RETRIES_RAN_OUT)
            })
            .collect();
        summary.add(&letters[..10]);
        summary.add(&letters[10..]);
        summary.add(&[letter("junk".into(), "bad_signature")]);
        assert_eq!(summary.letters, 31);
        assert_eq!(summary.sample.len(), SUMMARY_SAMPLE);
        assert_eq!(summary.sample[0], format!("lantern.0.{:032x}", 0));
        let counts: Vec<(&str, u64)> = summary
            .reasons
            .iter()
            .map(|r| (r.code.as_str(), r.letters))
            .collect();
        assert_eq!(counts, [(RETRIES_RAN_OUT, 30), ("bad_signature", 1)]);
        assert_eq!(summary.reasons[1].message, "words for bad_signature");
    }

    #[test]
    fn a_redrive_request_is_a_bounded_page() {
        assert_eq!(RedriveRequest::parse(b""), Ok((None, MAX_REDRIVE_PAGE)));
        assert_eq!(
            RedriveRequest::parse(br#"{"after":"k","limit":5}"#),
            Ok((Some("k".into()), 5))
        );
        assert!(RedriveRequest::parse(br#"{"limit":0}"#).is_err());
        assert!(RedriveRequest::parse(br#"{"limit":101}"#).is_err());
        assert!(RedriveRequest::parse(br#"{"limit":-1}"#).is_err());
        assert!(RedriveRequest::parse(br#"{"page":1}"#).is_err());
        assert!(RedriveRequest::parse(b"{").is_err());
    }
}
