//! `cargo xtask <command>`: Festival's automation, in Rust. The commands and their flags are
//! declared in `xtask::commands` (`cargo xtask --help` lists them).

mod build;
mod capacity;
mod dev;
mod fuzz;
mod package;
mod test;
mod tools;

use std::process::ExitCode;

use festival_cli::Failure;
use festival_cli::flags::{self, Flags};
use festival_cli::steps::Step;
use festival_load::{bench, rehearse};
use xtask::commands;

/// Exits 0 on success, 1 when the command found a problem (or was called with a word it does
/// not know), 2 when it could not run ([`Failure`]).
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("xtask: {failure}");
            failure.exit_code()
        }
    }
}

/// Checks the arguments against the command's declaration (an unknown flag is refused before
/// anything runs), answers `--help`, then runs the command.
fn run(args: &[String]) -> Result<(), Failure> {
    let Some(name) = args.first() else {
        return Err(Failure::Found(commands::usage()));
    };
    if flags::asks_for_help(&args[..1]) || name == commands::HELP.name {
        print!("{}", commands::usage());
        return Ok(());
    }
    let command = commands::find(name)
        .ok_or_else(|| Failure::Found(format!("unknown command {name}\n{}", commands::usage())))?;
    let args = &args[1..];
    if flags::asks_for_help(args) {
        print!("{}", command.help());
        return Ok(());
    }
    let flags = Flags::new(args, command).map_err(Failure::Found)?;
    match command.name {
        "setup" => Ok(tools::setup(flags.has("--browser"))?),
        "build" => Ok(tools::setup(false).and_then(|()| match flags.operand() {
            Some("app") => build::app(),
            Some("edge") => build::edge(),
            _ => build::all(),
        })?),
        "dev" => Ok(dev::run()?),
        "deploy" => Ok(deploy(&flags)?),
        // A check that fails found a problem.
        "test" => test::run().map_err(Failure::Found),
        "fuzz" => fuzz::run(args).map_err(Failure::Found),
        "simulate" => xtask::simulate::command(args).map_err(Failure::Found),
        "package" => Ok(package::run(args)?),
        "reconcile" => reconcile(&flags),
        "redrive" => redrive(&flags),
        "rehearse" => rehearse_and_record(args),
        "bench" => {
            let (settings, only) = bench::Settings::from_args(args)?;
            bench::run(settings, only)
        }
        "capacity" => Ok(capacity::run(args)?),
        other => Err(format!("{other} is declared but not run by main").into()),
    }
}

/// `cargo xtask rehearse`: the rehearsal, then its costs recorded for `capacity`; exit 1 if it
/// broke a promise.
fn rehearse_and_record(args: &[String]) -> Result<(), Failure> {
    let report = rehearse::run(rehearse::Settings::from_args(args)?)?;
    capacity::record(&report)?;
    match report.failures().as_slice() {
        [] => Ok(()),
        failures => Err(Failure::Found(format!(
            "rehearsal failed: {}",
            failures.join("; ")
        ))),
    }
}

/// `cargo xtask reconcile`: defaults fit `cargo xtask dev`; exit 1 on any difference.
fn reconcile(flags: &Flags) -> Result<(), Failure> {
    let edge: String = flags.get("--edge", "http://127.0.0.1:8787".to_owned())?;
    let origin: String = flags.get("--origin", "http://127.0.0.1:8788".to_owned())?;
    let token: String = flags.get("--token", dev::DEV_MARKETER_TOKEN.to_owned())?;
    let report = festival_stack::reconcile::compare(&edge, &origin, &token)?;
    print!("{report}");
    if report.is_clean() {
        Ok(())
    } else {
        Err(Failure::Found("the edge and origin disagree".into()))
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

/// `cargo xtask redrive`: defaults fit `cargo xtask dev`; exit 1 if letters remain.
fn redrive(flags: &Flags) -> Result<(), Failure> {
    let edge: String = flags.get("--edge", "http://127.0.0.1:8787".to_owned())?;
    let token: String = flags.get("--token", dev::DEV_MARKETER_TOKEN.to_owned())?;
    let report = xtask::redrive::redrive(&edge, &token)?;
    print!("{report}");
    if report.is_done() {
        Ok(())
    } else {
        Err(Failure::Found(format!(
            "{} dead letter(s) remain",
            report.left
        )))
    }
}
