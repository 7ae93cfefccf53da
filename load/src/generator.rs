//! The load driver shared by `bench` and `rehearse`: plain threads, one keep-alive `ureq` agent
//! each, pulling job numbers from one counter until the jobs or the time run out; every HTTP
//! answer becomes a [`Sample`] (its outcome and latency in microseconds).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde::Serialize;

/// What one HTTP answer was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 202: an order accepted.
    Accepted,
    /// Another 2xx (health, catalog, session).
    Ok,
    /// 409 `sold_out`.
    SoldOut,
    /// 409 `limit_reached`.
    LimitReached,
    /// 429.
    RateLimited,
    /// Any other 4xx.
    Other4xx,
    /// A 503 that the client retried with the same idempotency key.
    Retried503,
    /// A 5xx answered to the shopper (not retried, or retries exhausted).
    Server5xx,
    /// No HTTP answer (connection reset or refused, timeout).
    Connection,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 9] = [
        Outcome::Accepted,
        Outcome::Ok,
        Outcome::SoldOut,
        Outcome::LimitReached,
        Outcome::RateLimited,
        Outcome::Other4xx,
        Outcome::Retried503,
        Outcome::Server5xx,
        Outcome::Connection,
    ];

    /// The outcome's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Ok => "ok",
            Outcome::SoldOut => "sold_out",
            Outcome::LimitReached => "limit_reached",
            Outcome::RateLimited => "rate_limited",
            Outcome::Other4xx => "other_4xx",
            Outcome::Retried503 => "retried_503",
            Outcome::Server5xx => "5xx",
            Outcome::Connection => "connection_error",
        }
    }

    /// Classifies an answer by status and, for 409, the refusal's code.
    pub fn classify(status: u16, body: &str) -> Outcome {
        match status {
            202 => Outcome::Accepted,
            200..=299 => Outcome::Ok,
            409 if body.contains("\"sold_out\"") => Outcome::SoldOut,
            409 if body.contains("\"limit_reached\"") => Outcome::LimitReached,
            429 => Outcome::RateLimited,
            400..=499 => Outcome::Other4xx,
            _ => Outcome::Server5xx,
        }
    }
}

/// One HTTP answer.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub outcome: Outcome,
    pub micros: u32,
    /// The answer carried `x-festival-answered-from: memory`.
    pub from_memory: bool,
    /// `x-festival-batch`: orders in the shard request that answered (0: no shard answered).
    pub batch: u16,
}

/// An HTTP answer as the driver sees it.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub from_memory: bool,
    pub batch: u16,
}

pub use festival_stack::client::agent;

/// Sends one request (a body means POST with JSON) with `headers`; answers the outcome sample
/// and, when there was an HTTP answer, the answer.
pub fn send(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (Sample, Option<Answer>) {
    let started = Instant::now();
    let result = match body {
        Some(body) => {
            let mut request = agent.post(url).header("content-type", "application/json");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.send(body)
        }
        None => {
            let mut request = agent.get(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call()
        }
    };
    let answer = result.ok().map(|mut response| {
        let from_memory = response
            .headers()
            .get("x-festival-answered-from")
            .is_some_and(|v| v.as_bytes() == b"memory");
        let batch = response
            .headers()
            .get("x-festival-batch")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(0);
        Answer {
            status: response.status().as_u16(),
            body: response.body_mut().read_to_string().unwrap_or_default(),
            from_memory,
            batch,
        }
    });
    let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
    let sample = match &answer {
        Some(answer) => Sample {
            outcome: Outcome::classify(answer.status, &answer.body),
            micros,
            from_memory: answer.from_memory,
            batch: answer.batch,
        },
        None => Sample {
            outcome: Outcome::Connection,
            micros,
            from_memory: false,
            batch: 0,
        },
    };
    (sample, answer)
}

/// Sends an order until it gets an answer other than 503 or a dropped connection, at most
/// `tries` times, with the same body (so the same idempotency key); every try is a sample (a
/// retried 503 as [`Outcome::Retried503`]). Answers the last answer.
pub fn send_retrying(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
    tries: u32,
    samples: &mut Vec<Sample>,
) -> Option<Answer> {
    for attempt in 1..=tries {
        let (mut sample, answer) = send(agent, url, headers, Some(body));
        let retry = matches!(&answer, Some(a) if a.status == 503) || answer.is_none();
        if retry && attempt < tries {
            if sample.outcome == Outcome::Server5xx {
                sample.outcome = Outcome::Retried503;
            }
            samples.push(sample);
            std::thread::sleep(Duration::from_millis(100 * u64::from(attempt)));
            continue;
        }
        samples.push(sample);
        return answer;
    }
    None
}

/// A finished run.
pub struct Run {
    pub samples: Vec<Sample>,
    /// Jobs started.
    pub jobs: usize,
    /// From the first job to the last answer.
    pub elapsed: Duration,
}

/// Runs jobs 0, 1, 2, … on `concurrency` threads until `jobs` are done (when given) or `until`
/// passes; `work(agent, job, samples)` does one job and pushes its samples.
pub fn drive<F>(
    concurrency: usize,
    until: Instant,
    jobs: Option<usize>,
    progress: &ProgressBar,
    work: F,
) -> Run
where
    F: Fn(&ureq::Agent, usize, &mut Vec<Sample>) + Sync,
{
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let samples: Vec<Vec<Sample>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..concurrency.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let agent = agent();
                    let mut samples = Vec::new();
                    while Instant::now() < until {
                        let job = next.fetch_add(1, Ordering::Relaxed);
                        if jobs.is_some_and(|jobs| job >= jobs) {
                            break;
                        }
                        work(&agent, job, &mut samples);
                        progress.inc(1);
                    }
                    samples
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a load thread panicked"))
            .collect()
    });
    let started_jobs = next.load(Ordering::Relaxed);
    Run {
        samples: samples.into_iter().flatten().collect(),
        jobs: jobs.map_or(started_jobs, |jobs| started_jobs.min(jobs)),
        elapsed: started.elapsed(),
    }
}

/// The `p`-th percentile (0–100, nearest rank) of sorted values; 0 when there are none.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Rate and latency of a set of samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Summary {
    /// Summarises the samples that `keep` selects, over `elapsed`.
    pub fn of(samples: &[Sample], elapsed: Duration, keep: impl Fn(&Sample) -> bool) -> Summary {
        let mut micros: Vec<u32> = samples
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.micros)
            .collect();
        micros.sort_unstable();
        let secs = elapsed.as_secs_f64();
        Summary {
            count: micros.len(),
            per_s: if secs > 0.0 {
                micros.len() as f64 / secs
            } else {
                0.0
            },
            p50_ms: f64::from(percentile(&micros, 50.0)) / 1000.0,
            p99_ms: f64::from(percentile(&micros, 99.0)) / 1000.0,
        }
    }
}

/// A ratio, or 0 when the denominator is 0.
pub fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

/// A small deterministic mix of a number (splitmix64), for spreading shoppers over deals.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), 50);
        assert_eq!(percentile(&values, 99.0), 99);
        assert_eq!(percentile(&values, 100.0), 100);
        assert_eq!(percentile(&values, 0.0), 1);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[1, 2, 3], 50.0), 2);
    }

    #[test]
    fn answers_are_classified_by_status_and_code() {
        assert_eq!(Outcome::classify(202, "{}"), Outcome::Accepted);
        assert_eq!(Outcome::classify(200, "{}"), Outcome::Ok);
        let sold_out = r#"{"code":"sold_out","message":"x"}"#;
        assert_eq!(Outcome::classify(409, sold_out), Outcome::SoldOut);
        let limit = r#"{"code":"limit_reached","message":"x"}"#;
        assert_eq!(Outcome::classify(409, limit), Outcome::LimitReached);
        assert_eq!(Outcome::classify(429, ""), Outcome::RateLimited);
        assert_eq!(Outcome::classify(400, ""), Outcome::Other4xx);
        assert_eq!(Outcome::classify(503, ""), Outcome::Server5xx);
    }

    #[test]
    fn a_summary_counts_rates_and_percentiles() {
        let samples: Vec<Sample> = (1..=200u32)
            .map(|i| Sample {
                outcome: if i % 2 == 0 {
                    Outcome::Accepted
                } else {
                    Outcome::SoldOut
                },
                micros: i * 1000,
                from_memory: false,
                batch: 0,
            })
            .collect();
        let all = Summary::of(&samples, Duration::from_secs(2), |_| true);
        assert_eq!(all.count, 200);
        assert!((all.per_s - 100.0).abs() < 1e-9);
        assert!((all.p50_ms - 100.0).abs() < 1e-9);
        assert!((all.p99_ms - 198.0).abs() < 1e-9);
        let accepted = Summary::of(&samples, Duration::from_secs(2), |s| {
            s.outcome == Outcome::Accepted
        });
        assert_eq!(accepted.count, 100);
        assert!((accepted.p50_ms - 100.0).abs() < 1e-9);
        assert_eq!(Summary::of(&[], Duration::ZERO, |_| true).per_s, 0.0);
    }

    #[test]
    fn ratios_guard_against_zero() {
        assert!((ratio(3.0, 4.0) - 0.75).abs() < 1e-12);
        assert_eq!(ratio(1.0, 0.0), 0.0);
    }
}
