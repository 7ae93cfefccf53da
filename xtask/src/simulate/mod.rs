//! `cargo xtask simulate`: a festival night in one seeded, single-threaded world with simulated
//! time — the real stock core (`festival_domain::stock`) of every shard, shoppers' isolates,
//! the queue, its consumer, origin's idempotent store, dead letters and redrive — with faults
//! injected at every step (see [`faults::Kind`]). After every step it checks the promises
//! (`checks::always`); then faults stop, the world heals, and `checks::healed` must hold.
//!
//! A failure prints its seed, the step, the fewest kinds of fault that still show it, and the
//! trace of that run; the same seed and flags replay it exactly.

mod actors;
mod checks;
mod claims;
mod faults;
mod marketer;
mod night;
#[cfg(test)]
mod outbox_paging;
mod rng;
mod world;

use std::time::Instant;

use crate::commands;
use festival_cli::flags::Flags;

pub use faults::{KINDS, Kind};

/// One simulated night.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    /// Steps with faults, before the world heals.
    pub steps: u64,
    pub faults: Vec<Kind>,
}

/// How a night went.
#[derive(Debug)]
pub struct Outcome {
    /// Steps run, the healing included.
    pub steps: u64,
    /// Orders answered accepted.
    pub orders: usize,
    /// Queue messages sent (first sends and re-sends) and storage writes made.
    pub messages: u64,
    pub writes: u64,
    pub failure: Option<Failure>,
}

#[derive(Debug)]
pub struct Failure {
    pub step: u64,
    pub broken: String,
    /// What happened, in order.
    pub trace: Vec<String>,
}

/// Runs one night.
pub fn run(config: &Config) -> Outcome {
    night::Night::new(config).run(config.steps)
}

/// The kinds of fault among `config`'s that a failing run needs: each is dropped in turn, and
/// stays dropped if the run still fails.
pub fn fewest_faults(config: &Config) -> Config {
    let mut least = config.clone();
    for kind in config.faults.clone() {
        let mut without = least.clone();
        without.faults.retain(|k| *k != kind);
        if run(&without).failure.is_some() {
            least = without;
        }
    }
    least
}

/// `cargo xtask simulate [--seed S] [--seeds N] [--steps N] [--faults a,b]`.
pub fn command(args: &[String]) -> Result<(), String> {
    let flags = Flags::new(args, &commands::SIMULATE)?;
    let first: u64 = flags.get("--seed", 1)?;
    let seeds: u64 = flags.get("--seeds", 1)?;
    let steps: u64 = flags.get("--steps", 3_000)?;
    let faults = match flags.get("--faults", String::new())?.as_str() {
        "" => KINDS.to_vec(),
        list => parse_kinds(list)?,
    };
    let started = Instant::now();
    let (mut total, mut orders, mut messages) = (0, 0, 0);
    for seed in first..first + seeds {
        let config = Config {
            seed,
            steps,
            faults: faults.clone(),
        };
        let outcome = run(&config);
        total += outcome.steps;
        orders += outcome.orders;
        messages += outcome.messages;
        if let Some(failure) = outcome.failure {
            return Err(report_failure(&config, &failure));
        }
        println!(
            "seed {seed}: {} steps, {} orders answered, every promise kept",
            outcome.steps, outcome.orders
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{seeds} nights, {total} steps in {seconds:.1} s ({:.0} steps/s); {orders} orders, {messages} \
         queue messages (re-sends included)",
        total as f64 / seconds
    );
    Ok(())
}

fn parse_kinds(list: &str) -> Result<Vec<Kind>, String> {
    list.split(',')
        .filter(|name| !name.is_empty())
        .map(|name| {
            KINDS
                .iter()
                .find(|kind| format!("{kind:?}").eq_ignore_ascii_case(name))
                .copied()
                .ok_or_else(|| format!("no fault named {name}; known: {KINDS:?}"))
        })
        .collect()
}

/// The failure, shortened to the fewest kinds of fault, with the command that replays it.
pub fn report_failure(config: &Config, failure: &Failure) -> String {
    let least = fewest_faults(config);
    let shortest = run(&least).failure;
    let shown = shortest.as_ref().unwrap_or(failure);
    let kinds: Vec<String> = least.faults.iter().map(|k| format!("{k:?}")).collect();
    let tail = shown.trace.len().saturating_sub(80);
    let file = festival_stack::paths::target().join("simulate/trace.txt");
    let saved = std::fs::create_dir_all(file.parent().expect("a folder"))
        .and_then(|()| std::fs::write(&file, shown.trace.join("\n")))
        .map_or_else(
            |e| format!("(not saved: {e})"),
            |()| file.display().to_string(),
        );
    format!(
        "seed {} broke a promise at step {}: {}\n\
         fewest faults that still break it: {}\n\
         replay: cargo xtask simulate --seed {} --steps {} --faults {}\n\
         whole trace: {saved}\n\
         trace (last {} lines):\n{}",
        config.seed,
        shown.step,
        shown.broken,
        if kinds.is_empty() {
            "none".into()
        } else {
            kinds.join(", ")
        },
        config.seed,
        config.steps,
        kinds.join(","),
        shown.trace.len() - tail,
        shown.trace[tail..].join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed nights `cargo xtask test` runs; `cargo xtask simulate` runs any number more.
    #[test]
    fn fixed_nights_keep_every_promise() {
        for seed in 1..=24 {
            let config = Config {
                seed,
                steps: 3_000,
                faults: KINDS.to_vec(),
            };
            if let Some(failure) = run(&config).failure {
                panic!("{}", report_failure(&config, &failure));
            }
        }
    }

    #[test]
    fn a_seed_replays_exactly() {
        let config = Config {
            seed: 7,
            steps: 1_500,
            faults: KINDS.to_vec(),
        };
        let (first, second) = (run(&config), run(&config));
        assert_eq!(first.steps, second.steps);
        assert_eq!(first.orders, second.orders);
    }
}
