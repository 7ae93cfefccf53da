//! Tokens the edge signs and later checks: the shopper's session (who buys) and the short-lived
//! sale token handed out with the catalog (proof that this session loaded the storefront).
//!
//! Format: `<purpose>.<customer>.<expires ms>.<hex HMAC-SHA256>`, the MAC over everything before
//! it. The purpose is inside the MAC, so a sale token is never accepted as a session or the other
//! way round.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::order::CustomerId;
use crate::time::UnixMillis;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The shopper's session: names the customer.
    Session,
    /// Permission to order, bound to one session's customer.
    Sale,
    /// Passage through the waiting room, bound to one session's customer.
    Admission,
    /// A place in the waiting room's line: the customer and, by its expiry, the admission
    /// moment (see `waiting_room::issue_ticket`).
    Ticket,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Session => "s1",
            Purpose::Sale => "t1",
            Purpose::Admission => "a1",
            Purpose::Ticket => "w1",
        }
    }
}

/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// How long a sale token lasts: long enough to shop, short enough that a scraped one goes stale.
pub const SALE_TOKEN_TTL_MS: i64 = 10 * 60 * 1000;
/// How long an admission from the waiting room lasts.
pub const ADMISSION_TTL_MS: i64 = 15 * 60 * 1000;
/// Name of the admission cookie, and the header for clients without cookies.
pub const ADMISSION_COOKIE: &str = "festival_admission";
pub const ADMISSION_HEADER: &str = "x-festival-admission";
/// Name of the waiting room's ticket cookie, and the header for clients without cookies.
pub const TICKET_COOKIE: &str = "festival_ticket";
pub const TICKET_HEADER: &str = "x-festival-ticket";
/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "festival_session";
/// Header that carries the session for clients without cookies.
pub const SESSION_HEADER: &str = "x-festival-session";

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of this purpose, or its MAC does not match.
    #[error("the token is not valid")]
    Invalid,
    /// Valid, but past its expiry.
    #[error("the token has expired")]
    Expired,
}

fn mac(secret: &[u8], unsigned: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(unsigned.as_bytes());
    mac
}

/// Signs a token for `customer`, valid until `expires_at`.
pub fn issue(
    secret: &[u8],
    purpose: Purpose,
    customer: &CustomerId,
    expires_at: UnixMillis,
) -> String {
    let unsigned = format!("{}.{}.{}", purpose.tag(), customer.as_str(), expires_at.0);
    let signature = hex::encode(mac(secret, &unsigned).finalize().into_bytes());
    format!("{unsigned}.{signature}")
}

/// Checks a token's purpose, signature (in constant time) and expiry; answers its customer.
pub fn verify(
    secret: &[u8],
    purpose: Purpose,
    token: &str,
    now: UnixMillis,
) -> Result<CustomerId, TokenError> {
    let (unsigned, signature) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
    let signature = hex::decode(signature).map_err(|_| TokenError::Invalid)?;
    mac(secret, unsigned)
        .verify_slice(&signature)
        .map_err(|_| TokenError::Invalid)?;
    let mut parts = unsigned.split('.');
    let (Some(tag), Some(customer), Some(expires), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Invalid);
    };
    if tag != purpose.tag() {
        return Err(TokenError::Invalid);
    }
    let customer = CustomerId::new(customer).ok_or(TokenError::Invalid)?;
    let expires_at = expires
        .parse::<i64>()
        .map(UnixMillis)
        .map_err(|_| TokenError::Invalid)?;
    if now >= expires_at {
        return Err(TokenError::Expired);
    }
    Ok(customer)
}

/// The `Set-Cookie` value for the cookie `name` holding `value` for `max_age_s` seconds (0
/// removes it): `HttpOnly` (no script reads a session, pass or ticket), `SameSite=Lax` (another
/// site's form or image does not send it along), and `Secure` when the request came over
/// https, so that it never travels in the clear; local stacks over plain http go without.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// Finds the session cookie's value in a `Cookie` header.
pub fn session_from_cookie_header(header: &str) -> Option<&str> {
    cookie(header, SESSION_COOKIE)
}

/// Finds the value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SECRET: &[u8] = b"edge-secret";

    fn alice() -> CustomerId {
        CustomerId::new("alice").unwrap()
    }

    #[test]
    fn a_token_names_its_customer_until_it_expires() {
        let token = issue(SECRET, Purpose::Session, &alice(), UnixMillis(1_000));
        assert_eq!(
            verify(SECRET, Purpose::Session, &token, UnixMillis(999)),
            Ok(alice())
        );
        assert_eq!(
            verify(SECRET, Purpose::Session, &token, UnixMillis(1_000)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn forged_swapped_and_foreign_tokens_are_invalid() {
        let token = issue(SECRET, Purpose::Session, &alice(), UnixMillis(1_000));
        let check = |t: &str| verify(SECRET, Purpose::Session, t, UnixMillis(0));
        assert_eq!(
            check(&token.replace("alice", "mallory")),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            check(&token.replace(".1000.", ".9999.")),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            check(&issue(
                b"other",
                Purpose::Session,
                &alice(),
                UnixMillis(1_000)
            )),
            Err(TokenError::Invalid)
        );
        let sale = issue(SECRET, Purpose::Sale, &alice(), UnixMillis(1_000));
        assert_eq!(
            check(&sale),
            Err(TokenError::Invalid),
            "a sale token is not a session"
        );
        assert_eq!(check(""), Err(TokenError::Invalid));
        assert_eq!(check("s1.alice.1000"), Err(TokenError::Invalid));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            session_from_cookie_header("a=1; festival_session=s1.x.2.ab; b=2"),
            Some("s1.x.2.ab")
        );
        assert_eq!(session_from_cookie_header("a=1"), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        assert_eq!(
            set_cookie(TICKET_COOKIE, "w1.x.2.ab", 60, true),
            "festival_ticket=w1.x.2.ab; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert!(!set_cookie(SESSION_COOKIE, "s", 1, false).contains("Secure"));
    }

    proptest! {
        /// Any string is refused or names a customer; verification never panics.
        #[test]
        fn arbitrary_tokens_never_verify(token in ".{0,200}") {
            prop_assert!(verify(SECRET, Purpose::Session, &token, UnixMillis(0)).is_err());
        }
    }
}
