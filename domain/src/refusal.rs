//! Why a request was refused: a stable machine-readable code, an HTTP status, and words.
//!
//! The edge renders a [`Refusal`] as `{"code": …, "message": …}`; the app shows the words. Codes
//! never change once shipped: clients and dashboards key on them.

use serde::{Deserialize, Serialize};

/// Largest order request body the edge reads, in bytes.
pub const MAX_ORDER_BODY_BYTES: usize = 16 * 1024;

/// A refusal of a shopper's or a client's request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The body is not JSON at all.
    #[error("The request body is not valid JSON.")]
    MalformedJson,
    /// A required field is absent.
    #[error("The field `{0}` is required.")]
    MissingField(String),
    /// A field the API does not know was sent.
    #[error("The field `{0}` is not part of this request.")]
    UnknownField(String),
    /// A field has the wrong JSON type.
    #[error("A field has the wrong type: {0}.")]
    WrongType(String),
    /// The body is larger than [`MAX_ORDER_BODY_BYTES`].
    #[error("The request body is larger than 16 KB.")]
    BodyTooLarge,
    /// Quantity is zero or negative.
    #[error("Choose a quantity of at least 1.")]
    InvalidQuantity,
    /// One order asks for more units than a customer may buy in this deal.
    #[error("You can buy at most {limit} of this deal.")]
    OverLimit {
        /// The deal's per-customer limit.
        limit: u32,
    },
    /// This customer already holds as many units as the deal allows.
    #[error("You have reached the limit of {limit} for this deal.")]
    LimitReached {
        /// The deal's per-customer limit.
        limit: u32,
    },
    /// The idempotency key is not 8–64 characters of `A-Z a-z 0-9 - _`.
    #[error("The idempotency key must be 8 to 64 letters, digits, '-' or '_'.")]
    InvalidIdempotencyKey,
    /// This idempotency key already made an order with another deal or quantity.
    #[error(
        "This idempotency key was already used for a different order. Use a new key for a new \
         purchase."
    )]
    IdempotencyKeyReused,
    /// No deal with this id is scheduled.
    #[error("There is no such deal.")]
    UnknownDeal,
    /// The deal's sale has not started yet (by the server's clock).
    #[error("This sale has not started yet.")]
    SaleNotOpen,
    /// The deal's sale is over.
    #[error("This sale has ended.")]
    SaleEnded,
    /// No stock left for this quantity.
    #[error("Sold out: every unit of this deal has been taken.")]
    SoldOut,
    /// No order with this id.
    #[error("There is no such order.")]
    UnknownOrder,
    /// The request carries no session.
    #[error("Open the shop first: this request has no session.")]
    SessionRequired,
    /// The session is forged or damaged.
    #[error("Your session is not valid. Reload the shop to get a new one.")]
    SessionInvalid,
    /// The session is past its expiry.
    #[error("Your session has expired. Reload the shop to get a new one.")]
    SessionExpired,
    /// The sale token is missing, forged, expired or belongs to another session.
    #[error("This order did not come from the shop page. Reload the shop and try again.")]
    SaleTokenInvalid,
    /// The waiting room is on and this session has not been admitted yet.
    #[error("The shop is busy: join the queue, and you can order once it is your turn.")]
    NotAdmitted,
    /// The waiting room's ticket is forged, damaged or another customer's.
    #[error("Your place in the queue is not valid. Join the queue again.")]
    TicketInvalid,
    /// The waiting room's ticket is past its expiry (see `waiting_room::TICKET_TTL_MS`).
    #[error("Your place in the queue has expired. Join the queue again.")]
    TicketExpired,
    /// The order belongs to another customer.
    #[error("This order is not yours.")]
    NotYourOrder,
    /// Too many requests from this session or address.
    #[error("Too many requests. Please wait {retry_after_s} s and try again.")]
    RateLimited {
        /// Seconds until the client may try again.
        retry_after_s: u32,
    },
    /// No such route.
    #[error("There is nothing at this address.")]
    NotFound,
    /// The route exists but not for this method.
    #[error("This address does not accept that method.")]
    MethodNotAllowed,
}

impl Refusal {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::MalformedJson => "malformed_json",
            Refusal::MissingField(_) => "missing_field",
            Refusal::UnknownField(_) => "unknown_field",
            Refusal::WrongType(_) => "wrong_type",
            Refusal::BodyTooLarge => "body_too_large",
            Refusal::InvalidQuantity => "invalid_quantity",
            Refusal::OverLimit { .. } => "over_limit",
            Refusal::LimitReached { .. } => "limit_reached",
            Refusal::InvalidIdempotencyKey => "invalid_idempotency_key",
            Refusal::IdempotencyKeyReused => "idempotency_key_reused",
            Refusal::UnknownDeal => "unknown_deal",
            Refusal::SaleNotOpen => "sale_not_open",
            Refusal::SaleEnded => "sale_ended",
            Refusal::SoldOut => "sold_out",
            Refusal::UnknownOrder => "unknown_order",
            Refusal::SessionRequired => "session_required",
            Refusal::SessionInvalid => "session_invalid",
            Refusal::SessionExpired => "session_expired",
            Refusal::SaleTokenInvalid => "sale_token_invalid",
            Refusal::NotAdmitted => "not_admitted",
            Refusal::TicketInvalid => "ticket_invalid",
            Refusal::TicketExpired => "ticket_expired",
            Refusal::NotYourOrder => "not_your_order",
            Refusal::RateLimited { .. } => "rate_limited",
            Refusal::NotFound => "not_found",
            Refusal::MethodNotAllowed => "method_not_allowed",
        }
    }

    /// The HTTP status that carries this refusal: 400 for a malformed request, 404 for something
    /// that does not exist, 409 when the sale's state refuses, 413 and 422 for sizes and values.
    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::MalformedJson
            | Refusal::MissingField(_)
            | Refusal::UnknownField(_)
            | Refusal::WrongType(_)
            | Refusal::InvalidIdempotencyKey => 400,
            Refusal::SessionRequired | Refusal::SessionInvalid | Refusal::SessionExpired => 401,
            Refusal::SaleTokenInvalid
            | Refusal::NotAdmitted
            | Refusal::TicketInvalid
            | Refusal::TicketExpired
            | Refusal::NotYourOrder => 403,
            Refusal::UnknownDeal | Refusal::UnknownOrder | Refusal::NotFound => 404,
            Refusal::MethodNotAllowed => 405,
            Refusal::SaleNotOpen
            | Refusal::SaleEnded
            | Refusal::SoldOut
            | Refusal::LimitReached { .. } => 409,
            Refusal::BodyTooLarge => 413,
            Refusal::InvalidQuantity
            | Refusal::OverLimit { .. }
            | Refusal::IdempotencyKeyReused => 422,
            Refusal::RateLimited { .. } => 429,
        }
    }

    /// The JSON body every API error uses.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

/// The JSON shape of every error answer: `{"code": "sold_out", "message": "Sold out: …"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: String,
    /// Words for a person.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_a_4xx_with_a_snake_case_code() {
        let all = [
            Refusal::MalformedJson,
            Refusal::MissingField("x".into()),
            Refusal::UnknownField("x".into()),
            Refusal::WrongType("x".into()),
            Refusal::BodyTooLarge,
            Refusal::InvalidQuantity,
            Refusal::OverLimit { limit: 2 },
            Refusal::LimitReached { limit: 2 },
            Refusal::InvalidIdempotencyKey,
            Refusal::IdempotencyKeyReused,
            Refusal::UnknownDeal,
            Refusal::SaleNotOpen,
            Refusal::SaleEnded,
            Refusal::SoldOut,
            Refusal::UnknownOrder,
            Refusal::SessionRequired,
            Refusal::SessionInvalid,
            Refusal::SessionExpired,
            Refusal::SaleTokenInvalid,
            Refusal::NotAdmitted,
            Refusal::TicketInvalid,
            Refusal::TicketExpired,
            Refusal::NotYourOrder,
            Refusal::RateLimited { retry_after_s: 10 },
            Refusal::NotFound,
            Refusal::MethodNotAllowed,
        ];
        let mut codes = std::collections::HashSet::new();
        for refusal in all {
            assert!((400..500).contains(&refusal.http_status()), "{refusal:?}");
            let code = refusal.code();
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
            assert!(codes.insert(code), "duplicate code {code}");
            assert!(!refusal.to_string().is_empty());
        }
    }
}
