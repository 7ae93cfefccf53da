//! `cargo xtask <command>`: Festival's automation, in Rust.
//!
//! - `setup`: install the toolchain (wasm32 target, wasm-bindgen, worker-build, trunk, npm tools)
//! - `build [app|edge]`: build the app (Trunk) and the edge (worker-build), release
//! - `dev`: setup, build, then run origin + `wrangler dev` with a demo festival
//! - `deploy [--env NAME] [--dry-run] [--origin-url URL]`: check (https origin, secrets set), build, and run
//!   `wrangler deploy`
//! - `test`: setup (with Chromium), fmt, clippy, unit tests, end-to-end tests
//! - `fuzz [--cases N]`: the long run of the domain's parser fuzz tests (200,000 cases each)
//! - `simulate [--seed S] [--seeds N] [--steps N] [--faults a,b]`: festival nights in a seeded,
//!   deterministic simulation of the stock core, queue and origin under injected faults
//! - `reconcile`: compare the edge's sold units per deal with origin's stored orders
//! - `redrive`: send the edge's dead letters to origin again; non-zero exit if letters remain
//! - `rehearse`: a bounded festival burst against a temporary local stack; a report of outcomes,
//!   latency, oversold and lost orders (`target/rehearsal/`), non-zero exit if an invariant broke
//! - `bench`: throughput ratios against the Worker's trivial route, shards, bundle size
//!   (`target/bench/`)
//! - `capacity --orders-per-s R --hot-deals D --stock S`: the deployment that takes that burst
//!   on Cloudflare and the platform limit that binds first, from the latest rehearsal's costs

mod bench;
mod build;
mod capacity;
mod costs;
mod cpu;
mod dev;
mod dev_proxy;
mod flags;
mod fuzz;
mod load;
mod local_stack;
mod package;
mod probes;
mod rehearse;
mod test;
mod tools;

use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => tools::setup(args.iter().any(|a| a == "--browser")),
        Some("build") => tools::setup(false).and_then(|()| match args.get(1).map(String::as_str) {
            Some("app") => build::app(),
            Some("edge") => build::edge(),
            _ => build::all(),
        }),
        Some("dev") => dev::run(),
        Some("deploy") => deploy(&args[1..]),
        Some("test") => test::run(),
        Some("package") => package::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("simulate") => xtask::simulate::command(&args[1..]),
        Some("reconcile") => reconcile(&args[1..]),
        Some("redrive") => redrive(&args[1..]),
        Some("rehearse") => rehearse::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("capacity") => capacity::run(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <setup [--browser] | build [app|edge] | dev | test \
| deploy [--env NAME] [--dry-run] [--origin-url URL] \
| package | fuzz [--cases N] | simulate [--seed S] [--seeds N] [--steps N] [--faults a,b] \
| reconcile [--edge URL] [--origin URL] [--token T] | redrive [--edge URL] [--token T] \
| rehearse [--shoppers N] [--deals D] [--stock S] [--shards K] [--duration SECS] [--concurrency C] \
[--real-share F] [--repeat-share F] [--wrangler-limits] \
| bench [--concurrency C] [--warmup SECS] [--seconds SECS] [--shards N] \
| capacity --orders-per-s R --hot-deals D --stock S [--engine postgres|sqlite] (--help)>";

/// `cargo xtask reconcile`: defaults fit `cargo xtask dev`; exits non-zero on any difference.
fn reconcile(args: &[String]) -> Result<(), String> {
    let flag = |name: &str, default: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_owned())
    };
    let edge = flag("--edge", "http://127.0.0.1:8787");
    let origin = flag("--origin", "http://127.0.0.1:8788");
    let token = flag("--token", dev::DEV_MARKETER_TOKEN);
    let report = xtask::reconcile::compare(&edge, &origin, &token)?;
    print!("{report}");
    if report.is_clean() {
        Ok(())
    } else {
        Err("the edge and origin disagree".into())
    }
}

/// `cargo xtask deploy [--env NAME]`: refuses an unknown or incomplete environment, a
/// plain-HTTP origin and a development configuration before building, then a missing secret
/// (real deploy) before wrangler deploys; a dry run names the secrets to set.
fn deploy(args: &[String]) -> Result<(), String> {
    let flags = flags::Flags::new(args, &["--origin-url", "--env"], &["--dry-run"])?;
    let dry_run = flags.has("--dry-run");
    let given = |name: &str| -> Result<Option<String>, String> {
        Ok(Some(flags.get(name, String::new())?).filter(|value| !value.is_empty()))
    };
    let (env, origin_url) = (given("--env")?, given("--origin-url")?);
    // The cheap checks first, so a wrong address or environment fails before a minutes-long
    // build.
    let plan = xtask::deploy::plan(env.as_deref(), origin_url.as_deref())?;
    println!(
        "deploying the edge ({}) with ORIGIN_URL {}, queues {} and {}",
        plan.env
            .as_deref()
            .map_or("top level".to_owned(), |env| format!("env {env}")),
        plan.origin_url,
        plan.queues.orders,
        plan.queues.dead_letters
    );
    tools::setup(false)?;
    build::all()?;
    let step = Step::new(if dry_run {
        "wrangler deploy --dry-run"
    } else {
        "wrangler deploy"
    });
    let output = xtask::deploy::deploy(&plan, dry_run)?;
    step.done();
    print!("{output}");
    if dry_run {
        println!(
            "\ndry run: nothing deployed. Before `cargo xtask deploy`, set each secret once \
             (at least 32 bytes, never a development value), in edge/:\n{}",
            xtask::deploy::secret_instructions(plan.env.as_deref())
        );
    }
    Ok(())
}

/// `cargo xtask redrive`: defaults fit `cargo xtask dev`; exits non-zero if letters remain.
fn redrive(args: &[String]) -> Result<(), String> {
    let flags = flags::Flags::new(args, &["--edge", "--token"], &[])?;
    let edge: String = flags.get("--edge", "http://127.0.0.1:8787".to_owned())?;
    let token: String = flags.get("--token", dev::DEV_MARKETER_TOKEN.to_owned())?;
    let report = xtask::redrive::redrive(&edge, &token)?;
    print!("{report}");
    if report.is_done() {
        Ok(())
    } else {
        Err(format!("{} dead letter(s) remain", report.left))
    }
}

/// Runs a command with inherited output; an error names it and its exit status.
pub(crate) fn exec(command: &mut Command) -> Result<(), String> {
    command.env("PATH", xtask::paths::tool_path());
    let status = command.status().map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}

/// A named step of a long command: prints when it starts and how long it took.
pub(crate) struct Step {
    name: &'static str,
    started: Instant,
}

impl Step {
    pub(crate) fn new(name: &'static str) -> Step {
        println!("==> {name}");
        Step {
            name,
            started: Instant::now(),
        }
    }

    pub(crate) fn done(self) {
        println!("    {} done in {:.0?}", self.name, self.started.elapsed());
    }
}
