//! Token buckets: how fast one session or one client address may send orders.

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
}
