//! Interleaved measurement: every scenario runs in turn, round after round, and its figure adds
//! up its rounds. On a shared machine the load of other tenants drifts over tens of seconds; run
//! one after the other, two scenarios of a ratio can land on a quiet and a busy minute. In
//! rounds, each scenario sees the same mix of minutes, so the ratios compare like with like.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use festival_domain::costs::CostsReport;
use serde::Serialize;

use super::{Figure, MARKETER_TOKEN, Settings, drain};
use crate::generator::{self as load, Outcome, Sample, Summary};
use crate::{costs, cpu};
use festival_stack::local::LocalStack;

/// A job's number never repeats across rounds and warm-ups (sessions and idempotency keys are
/// made from it): round `r`'s warm-up numbers from `2r · STRIDE`, its measurement from
/// `(2r + 1) · STRIDE`.
const STRIDE: usize = 1_000_000_000;

/// Sends one request as job `n`, pushing its sample.
pub type Work<'a> = Box<dyn Fn(&ureq::Agent, usize, &mut Vec<Sample>) + Sync + 'a>;

/// One scenario of the benchmark.
pub struct Scenario<'a> {
    pub name: &'static str,
    pub what: &'static str,
    /// The answer this scenario is about.
    pub expected: Outcome,
    /// Process groups whose CPU counts for it (its edge's and origin's).
    pub groups: [u32; 2],
    pub work: Work<'a>,
    /// For accepting scenarios: the stack whose queue must reach origin after each round
    /// (waited for outside the measured time, so the next scenario starts on a quiet stack).
    pub drains: Option<&'a LocalStack>,
    /// The stack whose objects count what this scenario's answers cost (read around each
    /// measured round, after its drain).
    pub counts: Option<&'a LocalStack>,
}

#[derive(Default)]
struct Tally {
    samples: Vec<Sample>,
    elapsed: Duration,
    /// Seconds of CPU per process name.
    cpu_seconds: BTreeMap<String, f64>,
    /// Expected answers per second, round by round.
    per_round: Vec<f64>,
    drains: Vec<Option<f64>>,
    /// What the objects counted over the measured rounds, when the scenario counts.
    spent: Option<Spent>,
}

/// Runs `scenarios` in `settings.rounds` interleaved rounds; answers one figure per scenario.
/// CPU figures call the processes in `named` by the names given there.
pub fn run(settings: &Settings, scenarios: &[Scenario<'_>], named: &[(u32, &str)]) -> Vec<Figure> {
    let rounds = settings.rounds.max(1);
    let per_round = Duration::from_secs_f64(settings.measure_s as f64 / rounds as f64);
    let warmup = Duration::from_secs(settings.warmup_s);
    let hidden = ProgressBar::hidden();
    let mut tallies: Vec<Tally> = scenarios.iter().map(|_| Tally::default()).collect();
    for round in 0..rounds {
        println!("==> round {} of {rounds}", round + 1);
        for (scenario, tally) in scenarios.iter().zip(&mut tallies) {
            print!("    {:<28} ", scenario.name);
            let _ = std::io::stdout().flush();
            let work = &scenario.work;
            let c = settings.concurrency;
            let warm_from = 2 * round * STRIDE;
            load::drive(c, Instant::now() + warmup, None, &hidden, |a, job, s| {
                work(a, warm_from + job, s)
            });
            let counted_before = scenario.counts.and_then(read_costs);
            let before = cpu::snapshot(&scenario.groups, named);
            let measure_from = (2 * round + 1) * STRIDE;
            let run = load::drive(c, Instant::now() + per_round, None, &hidden, |a, job, s| {
                work(a, measure_from + job, s)
            });
            let after = cpu::snapshot(&scenario.groups, named);
            let secs = run.elapsed.as_secs_f64();
            let good = run
                .samples
                .iter()
                .filter(|s| s.outcome == scenario.expected)
                .count();
            let good_per_s = load::ratio(good as f64, secs);
            print!("{good_per_s:>6.0}/s");
            tally.per_round.push(good_per_s);
            for (name, percent) in cpu::busy_percent(&before, &after, secs) {
                *tally.cpu_seconds.entry(name).or_default() += percent / 100.0 * secs;
            }
            tally.samples.extend(run.samples);
            tally.elapsed += run.elapsed;
            if let Some(stack) = scenario.drains {
                let drained = drain(&stack.edge_url, &stack.origin_url);
                print!(
                    "   queue drained in {}",
                    drained.map_or_else(|| "—".to_owned(), |d| format!("{d:.1} s"))
                );
                tally.drains.push(drained);
            }
            if let (Some(before), Some(after)) =
                (counted_before, scenario.counts.and_then(read_costs))
            {
                let spent = Spent::between(&before, &after);
                tally.spent = Some(tally.spent.take().unwrap_or_default().plus(spent));
            }
            println!();
        }
    }
    scenarios
        .iter()
        .zip(tallies)
        .map(|(scenario, tally)| figure(scenario, tally))
        .collect()
}

fn read_costs(stack: &LocalStack) -> Option<CostsReport> {
    let reading = costs::read(&stack.edge_url, &stack.origin_url, MARKETER_TOKEN);
    reading
        .inspect_err(|e| print!("   (costs unread: {e})"))
        .ok()
        .map(|r| r.objects().clone())
}

/// What the objects did over a stretch: requests (operators' reads left out; `CatalogStore`'s
/// own shard reads in), storage writes, queue messages.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Spent {
    pub object_requests: u64,
    pub storage_writes: u64,
    pub queue_messages: u64,
}

impl Spent {
    fn between(before: &CostsReport, after: &CostsReport) -> Spent {
        let spent = after.since(before);
        let objects = [
            &spent.deal_stock,
            &spent.key_claims,
            &spent.catalog,
            &spent.waiting_room,
        ];
        Spent {
            object_requests: objects
                .iter()
                .map(|c| c.requests_except(&costs::OPERATOR_READS) + c.object_calls)
                .sum(),
            storage_writes: objects.iter().map(|c| c.storage_writes).sum(),
            queue_messages: objects.iter().map(|c| c.queue_messages).sum(),
        }
    }

    fn plus(self, other: Spent) -> Spent {
        Spent {
            object_requests: self.object_requests + other.object_requests,
            storage_writes: self.storage_writes + other.storage_writes,
            queue_messages: self.queue_messages + other.queue_messages,
        }
    }
}

/// Per expected answer of a scenario, what the objects counted.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PerAnswer {
    pub object_requests: f64,
    pub storage_writes: f64,
    pub queue_messages: f64,
}

fn figure(scenario: &Scenario<'_>, tally: Tally) -> Figure {
    let secs = tally.elapsed.as_secs_f64();
    let count = tally.samples.len() as f64;
    let good = tally
        .samples
        .iter()
        .filter(|s| s.outcome == scenario.expected)
        .count();
    let memory = tally.samples.iter().filter(|s| s.from_memory).count();
    let batches: Vec<f64> = tally
        .samples
        .iter()
        .filter(|s| s.batch > 0)
        .map(|s| f64::from(s.batch))
        .collect();
    let mut outcomes = BTreeMap::new();
    for sample in &tally.samples {
        *outcomes.entry(sample.outcome.name()).or_insert(0) += 1;
    }
    let cpu_percent: BTreeMap<String, f64> = tally
        .cpu_seconds
        .into_iter()
        .map(|(name, used)| (name, load::ratio(used * 100.0, secs)))
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let drain_s = if tally.drains.is_empty() || tally.drains.contains(&None) {
        None
    } else {
        tally.drains.iter().flatten().copied().reduce(f64::max)
    };
    let per = |n: u64| load::ratio(n as f64, good as f64);
    let per_answer = tally.spent.map(|spent| PerAnswer {
        object_requests: per(spent.object_requests),
        storage_writes: per(spent.storage_writes),
        queue_messages: per(spent.queue_messages),
    });
    Figure {
        name: scenario.name,
        per_answer,
        what: scenario.what,
        expected: scenario.expected.name(),
        summary: Summary::of(&tally.samples, tally.elapsed, |_| true),
        good_per_s: load::ratio(good as f64, secs),
        rounds_per_s: tally.per_round,
        good_share: load::ratio(good as f64, count),
        memory_share: load::ratio(memory as f64, count),
        mean_batch: (!batches.is_empty())
            .then(|| batches.iter().sum::<f64>() / batches.len() as f64),
        outcomes,
        bound: super::bound::bound(&cpu_percent, cores),
        cpu_percent,
        drain_s,
    }
}

/// The objects' counts per expected answer, for the scenarios that count them.
pub fn costs_table(figures: &[Figure]) -> String {
    let mut md = String::from(
        "\nWhat each expected answer cost, counted by the objects (operators' reads left out; \
         after order scenarios, the drain's confirmations in):\n\n\
         | scenario | expected | object requests | storage writes | queue messages |\n\
         |---|---|---:|---:|---:|\n",
    );
    for f in figures {
        if let Some(c) = f.per_answer {
            md.push_str(&format!(
                "| {} | {} | {:.3} | {:.3} | {:.3} |\n",
                f.name, f.expected, c.object_requests, c.storage_writes, c.queue_messages
            ));
        }
    }
    md
}
