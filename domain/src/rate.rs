//! Token buckets: how fast one session or one client address may send orders; and the key a
//! client address is limited by.

use crate::time::UnixMillis;

/// A bucket's settings: it holds at most `burst` tokens and gains `per_second` tokens a second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tokens gained per second.
    pub per_second: f64,
    /// Most tokens held, i.e. the largest burst allowed at once.
    pub burst: f64,
}

/// One client's bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenBucket {
    tokens: f64,
    updated_at: UnixMillis,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn full(rate: Rate, now: UnixMillis) -> Self {
        TokenBucket {
            tokens: rate.burst,
            updated_at: now,
        }
    }

    /// Takes one token at `now`: `Ok(())`, or `Err(seconds)` until one will be there.
    pub fn take(&mut self, rate: Rate, now: UnixMillis) -> Result<(), u32> {
        let elapsed_s = self.updated_at.millis_until(now).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed_s * rate.per_second).min(rate.burst);
        self.updated_at = now.max(self.updated_at);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else if rate.per_second <= 0.0 {
            Err(u32::MAX)
        } else {
            Err(((1.0 - self.tokens) / rate.per_second).ceil().max(1.0) as u32)
        }
    }

    /// Whether the bucket is full again at `now` (it can be forgotten).
    pub fn is_full(&self, rate: Rate, now: UnixMillis) -> bool {
        let elapsed_s = self.updated_at.millis_until(now).max(0) as f64 / 1000.0;
        self.tokens + elapsed_s * rate.per_second >= rate.burst
    }
}

/// Longest key [`address_key`] answers for input it cannot read as an address.
const MAX_UNREAD_ADDRESS: usize = 64;

/// The key a client address is rate-limited by: an IPv4 address as it is; an IPv6 address by
/// its /64, because one subscriber is routinely given a whole /64 and could otherwise take a new
/// address for every request (an IPv4 address mapped into IPv6 counts as that IPv4 address).
/// Anything else — which Cloudflare's `cf-connecting-ip` never is — is kept, trimmed and cut to
/// [`MAX_UNREAD_ADDRESS`] bytes, so that it is still limited as one client.
pub fn address_key(address: &str) -> String {
    let address = address.trim();
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => {
            let mut end = address.len().min(MAX_UNREAD_ADDRESS);
            while !address.is_char_boundary(end) {
                end -= 1;
            }
            format!("?{}", &address[..end])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        per_second: 2.0,
        burst: 3.0,
    };

    #[test]
    fn a_burst_then_the_rate() {
        let mut bucket = TokenBucket::full(RATE, UnixMillis(0));
        for _ in 0..3 {
            assert_eq!(bucket.take(RATE, UnixMillis(0)), Ok(()));
        }
        assert_eq!(bucket.take(RATE, UnixMillis(0)), Err(1));
        assert_eq!(bucket.take(RATE, UnixMillis(499)), Err(1));
        assert_eq!(bucket.take(RATE, UnixMillis(500)), Ok(()));
        assert!(!bucket.is_full(RATE, UnixMillis(500)));
        assert!(bucket.is_full(RATE, UnixMillis(2_000)));
    }

    #[test]
    fn a_clock_going_back_gives_nothing() {
        let mut bucket = TokenBucket::full(
            Rate {
                per_second: 1.0,
                burst: 1.0,
            },
            UnixMillis(10_000),
        );
        assert_eq!(
            bucket.take(
                Rate {
                    per_second: 1.0,
                    burst: 1.0
                },
                UnixMillis(10_000)
            ),
            Ok(())
        );
        assert_eq!(
            bucket.take(
                Rate {
                    per_second: 1.0,
                    burst: 1.0
                },
                UnixMillis(5_000)
            ),
            Err(1)
        );
    }

    #[test]
    fn an_ipv6_client_is_limited_by_its_64() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key(" 203.0.113.7 "), "203.0.113.7");
        assert_eq!(
            address_key("2001:db8:aa:bb:1:2:3:4"),
            address_key("2001:0DB8:00aa:00bb:ffff:ffff:ffff:ffff")
        );
        assert_eq!(address_key("2001:db8:aa:bb::9"), "2001:db8:aa:bb::/64");
        assert_ne!(
            address_key("2001:db8:aa:bb::1"),
            address_key("2001:db8:aa:bc::1")
        );
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("::1"), "0:0:0:0::/64");
    }

    #[test]
    fn what_is_not_an_address_is_still_one_bounded_key() {
        assert_eq!(address_key("unknown"), "?unknown");
        assert_eq!(address_key(""), "?");
        assert_eq!(address_key("1.2.3.4.5"), "?1.2.3.4.5");
        let long = "é".repeat(100);
        let key = address_key(&long);
        assert!(key.len() <= MAX_UNREAD_ADDRESS + 1, "{key}");
        assert!(key.starts_with("?é"));
    }

    proptest::proptest! {
        /// Any input gives a short key, and addresses of one /64 share theirs.
        #[test]
        fn keys_are_short_and_a_64_shares_one(
            input in ".{0,200}",
            prefix in proptest::array::uniform4(proptest::num::u16::ANY),
            a in proptest::num::u64::ANY,
            b in proptest::num::u64::ANY,
        ) {
            proptest::prop_assert!(address_key(&input).len() <= MAX_UNREAD_ADDRESS + 1);
            let host = |low: u64| {
                let [p0, p1, p2, p3] = prefix;
                std::net::Ipv6Addr::new(
                    p0, p1, p2, p3,
                    (low >> 48) as u16, (low >> 32) as u16, (low >> 16) as u16, low as u16,
                )
                .to_string()
            };
            let mapped = prefix == [0, 0, 0, 0];
            if !mapped {
                proptest::prop_assert_eq!(address_key(&host(a)), address_key(&host(b)));
            }
        }
    }
}
