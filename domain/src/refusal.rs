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
    #[error(
        "The idempotency key must be 8 to 64 letters, digits, '-' or '_', optionally after its \
         deal's id and a '.'."
    )]
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
    /// A marketer paused the sale; it may resume.
    #[error("This sale is paused for a moment. Please try again shortly.")]
    SalePaused,
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
    /// The stable machine-readable code, as text (`sold_out`).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Which refusal this is, without its details: what clients match on.
    pub fn kind(&self) -> RefusalCode {
        match self {
            Refusal::MalformedJson => RefusalCode::MalformedJson,
            Refusal::MissingField(_) => RefusalCode::MissingField,
            Refusal::UnknownField(_) => RefusalCode::UnknownField,
            Refusal::WrongType(_) => RefusalCode::WrongType,
            Refusal::BodyTooLarge => RefusalCode::BodyTooLarge,
            Refusal::InvalidQuantity => RefusalCode::InvalidQuantity,
            Refusal::OverLimit { .. } => RefusalCode::OverLimit,
            Refusal::LimitReached { .. } => RefusalCode::LimitReached,
            Refusal::InvalidIdempotencyKey => RefusalCode::InvalidIdempotencyKey,
            Refusal::IdempotencyKeyReused => RefusalCode::IdempotencyKeyReused,
            Refusal::UnknownDeal => RefusalCode::UnknownDeal,
            Refusal::SaleNotOpen => RefusalCode::SaleNotOpen,
            Refusal::SaleEnded => RefusalCode::SaleEnded,
            Refusal::SalePaused => RefusalCode::SalePaused,
            Refusal::SoldOut => RefusalCode::SoldOut,
            Refusal::UnknownOrder => RefusalCode::UnknownOrder,
            Refusal::SessionRequired => RefusalCode::SessionRequired,
            Refusal::SessionInvalid => RefusalCode::SessionInvalid,
            Refusal::SessionExpired => RefusalCode::SessionExpired,
            Refusal::SaleTokenInvalid => RefusalCode::SaleTokenInvalid,
            Refusal::NotAdmitted => RefusalCode::NotAdmitted,
            Refusal::TicketInvalid => RefusalCode::TicketInvalid,
            Refusal::TicketExpired => RefusalCode::TicketExpired,
            Refusal::NotYourOrder => RefusalCode::NotYourOrder,
            Refusal::RateLimited { .. } => RefusalCode::RateLimited,
            Refusal::NotFound => RefusalCode::NotFound,
            Refusal::MethodNotAllowed => RefusalCode::MethodNotAllowed,
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
            | Refusal::SalePaused
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

/// A refusal's stable code, without its details: what the edge sends as `code` and clients
/// (the storefront's words, its retries) match on, exhaustively. Never renamed once shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalCode {
    /// `malformed_json`: see [`Refusal::MalformedJson`].
    MalformedJson,
    /// `missing_field`: see [`Refusal::MissingField`].
    MissingField,
    /// `unknown_field`: see [`Refusal::UnknownField`].
    UnknownField,
    /// `wrong_type`: see [`Refusal::WrongType`].
    WrongType,
    /// `body_too_large`: see [`Refusal::BodyTooLarge`].
    BodyTooLarge,
    /// `invalid_quantity`: see [`Refusal::InvalidQuantity`].
    InvalidQuantity,
    /// `over_limit`: see [`Refusal::OverLimit`].
    OverLimit,
    /// `limit_reached`: see [`Refusal::LimitReached`].
    LimitReached,
    /// `invalid_idempotency_key`: see [`Refusal::InvalidIdempotencyKey`].
    InvalidIdempotencyKey,
    /// `idempotency_key_reused`: see [`Refusal::IdempotencyKeyReused`].
    IdempotencyKeyReused,
    /// `unknown_deal`: see [`Refusal::UnknownDeal`].
    UnknownDeal,
    /// `sale_not_open`: see [`Refusal::SaleNotOpen`].
    SaleNotOpen,
    /// `sale_ended`: see [`Refusal::SaleEnded`].
    SaleEnded,
    /// `sale_paused`: see [`Refusal::SalePaused`].
    SalePaused,
    /// `sold_out`: see [`Refusal::SoldOut`].
    SoldOut,
    /// `unknown_order`: see [`Refusal::UnknownOrder`].
    UnknownOrder,
    /// `session_required`: see [`Refusal::SessionRequired`].
    SessionRequired,
    /// `session_invalid`: see [`Refusal::SessionInvalid`].
    SessionInvalid,
    /// `session_expired`: see [`Refusal::SessionExpired`].
    SessionExpired,
    /// `sale_token_invalid`: see [`Refusal::SaleTokenInvalid`].
    SaleTokenInvalid,
    /// `not_admitted`: see [`Refusal::NotAdmitted`].
    NotAdmitted,
    /// `ticket_invalid`: see [`Refusal::TicketInvalid`].
    TicketInvalid,
    /// `ticket_expired`: see [`Refusal::TicketExpired`].
    TicketExpired,
    /// `not_your_order`: see [`Refusal::NotYourOrder`].
    NotYourOrder,
    /// `rate_limited`: see [`Refusal::RateLimited`].
    RateLimited,
    /// `not_found`: see [`Refusal::NotFound`].
    NotFound,
    /// `method_not_allowed`: see [`Refusal::MethodNotAllowed`].
    MethodNotAllowed,
}

impl RefusalCode {
    /// Every code, in declaration order.
    pub const ALL: [RefusalCode; 27] = [
        RefusalCode::MalformedJson,
        RefusalCode::MissingField,
        RefusalCode::UnknownField,
        RefusalCode::WrongType,
        RefusalCode::BodyTooLarge,
        RefusalCode::InvalidQuantity,
        RefusalCode::OverLimit,
        RefusalCode::LimitReached,
        RefusalCode::InvalidIdempotencyKey,
        RefusalCode::IdempotencyKeyReused,
        RefusalCode::UnknownDeal,
        RefusalCode::SaleNotOpen,
        RefusalCode::SaleEnded,
        RefusalCode::SalePaused,
        RefusalCode::SoldOut,
        RefusalCode::UnknownOrder,
        RefusalCode::SessionRequired,
        RefusalCode::SessionInvalid,
        RefusalCode::SessionExpired,
        RefusalCode::SaleTokenInvalid,
        RefusalCode::NotAdmitted,
        RefusalCode::TicketInvalid,
        RefusalCode::TicketExpired,
        RefusalCode::NotYourOrder,
        RefusalCode::RateLimited,
        RefusalCode::NotFound,
        RefusalCode::MethodNotAllowed,
    ];

    /// The code as it travels: `sold_out`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::MalformedJson => "malformed_json",
            RefusalCode::MissingField => "missing_field",
            RefusalCode::UnknownField => "unknown_field",
            RefusalCode::WrongType => "wrong_type",
            RefusalCode::BodyTooLarge => "body_too_large",
            RefusalCode::InvalidQuantity => "invalid_quantity",
            RefusalCode::OverLimit => "over_limit",
            RefusalCode::LimitReached => "limit_reached",
            RefusalCode::InvalidIdempotencyKey => "invalid_idempotency_key",
            RefusalCode::IdempotencyKeyReused => "idempotency_key_reused",
            RefusalCode::UnknownDeal => "unknown_deal",
            RefusalCode::SaleNotOpen => "sale_not_open",
            RefusalCode::SaleEnded => "sale_ended",
            RefusalCode::SalePaused => "sale_paused",
            RefusalCode::SoldOut => "sold_out",
            RefusalCode::UnknownOrder => "unknown_order",
            RefusalCode::SessionRequired => "session_required",
            RefusalCode::SessionInvalid => "session_invalid",
            RefusalCode::SessionExpired => "session_expired",
            RefusalCode::SaleTokenInvalid => "sale_token_invalid",
            RefusalCode::NotAdmitted => "not_admitted",
            RefusalCode::TicketInvalid => "ticket_invalid",
            RefusalCode::TicketExpired => "ticket_expired",
            RefusalCode::NotYourOrder => "not_your_order",
            RefusalCode::RateLimited => "rate_limited",
            RefusalCode::NotFound => "not_found",
            RefusalCode::MethodNotAllowed => "method_not_allowed",
        }
    }

    /// The code `text` names, or `None` for a code this build does not know (a newer edge's).
    pub fn parse(text: &str) -> Option<RefusalCode> {
        RefusalCode::ALL
            .into_iter()
            .find(|code| code.as_str() == text)
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
            Refusal::SalePaused,
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
            assert_eq!(RefusalCode::parse(code), Some(refusal.kind()));
            assert!(!refusal.to_string().is_empty());
        }
        assert_eq!(codes.len(), RefusalCode::ALL.len());
        assert_eq!(RefusalCode::parse("no_such_code"), None);
    }
}
