//! `cargo xtask <command>`: Festival's automation, in Rust. The commands and their flags are
//! declared in `xtask::commands` (`cargo xtask --help` lists them).

mod bench;
mod build;
mod capacity;
mod costs;
mod cpu;
mod dev;
mod dev_proxy;
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

use xtask::commands;
use xtask::flags::{self, Flags};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Checks the arguments against the command's declaration (an unknown flag is refused before
/// anything runs), answers `--help`, then runs the command.
fn run(args: &[String]) -> Result<(), String> {
    let Some(name) = args.first() else {
        return Err(commands::usage());
    };
    if flags::asks_for_help(&args[..1]) || name == commands::HELP.name {
        print!("{}", commands::usage());
        return Ok(());
    }
    let command = commands::find(name)
        .ok_or_else(|| format!("unknown command {name}\n{}", commands::usage()))?;
    let args = &args[1..];
    if flags::asks_for_help(args) {
        print!("{}", command.help());
        return Ok(());
    }
    let flags = Flags::new(args, command)?;
    match command.name {
        "setup" => tools::setup(flags.has("--browser")),
        "build" => tools::setup(false).and_then(|()| match flags.operand() {
            Some("app") => build::app(),
            Some("edge") => build::edge(),
            _ => build::all(),
        }),
        "dev" => dev::run(),
        "deploy" => deploy(&flags),
        "test" => test::run(),
        "package" => package::run(args),
        "fuzz" => fuzz::run(args),
        "simulate" => xtask::simulate::command(args),
        "reconcile" => reconcile(&flags),
        "redrive" => redrive(&flags),
        "rehearse" => rehearse::run(args),
        "bench" => bench::run(args),
        "capacity" => capacity::run(args),
        other => Err(format!("{other} is declared but not run by main")),
    }
}

/// `cargo xtask reconcile`: defaults fit `cargo xtask dev`; exits non-zero on any difference.
fn reconcile(flags: &Flags) -> Result<(), String> {
    let edge: String = flags.get("--edge", "http://127.0.0.1:8787".to_owned())?;
    let origin: String = flags.get("--origin", "http://127.0.0.1:8788".to_owned())?;
    let token: String = flags.get("--token", dev::DEV_MARKETER_TOKEN.to_owned())?;
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
fn deploy(flags: &Flags) -> Result<(), String> {
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
fn redrive(flags: &Flags) -> Result<(), String> {
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
