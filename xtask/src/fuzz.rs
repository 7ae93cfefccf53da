//! `cargo xtask fuzz [--cases N]`: the long run of the domain's fuzz tests (`domain/src/fuzz.rs`),
//! which `cargo xtask test` runs only briefly.
//!
//! The tests build in a profile of their own: optimised like release, so a run of a few hundred
//! thousand cases takes minutes, but with overflow checks and debug assertions, since release
//! would wrap an overflowing sum silently where a debug build panics — exactly the bugs a fuzzer
//! is for. Its own profile also keeps these builds out of `target/release`.

use std::process::Command;

use festival_cli::flags::Flags;
use festival_cli::steps::Step;
use festival_stack::process::exec;
use xtask::commands;

/// Cases per fuzz test when `--cases` is not given: about 2.8 million inputs over the 14 tests,
/// a minute and a half on two cores.
const DEFAULT_CASES: u32 = 200_000;

/// The environment variable the fuzz tests read their case count from.
const CASES_VAR: &str = "FESTIVAL_FUZZ_CASES";

/// The profile, defined on the command line so the workspace's `Cargo.toml` needs no entry.
const PROFILE: [&str; 12] = [
    "--config",
    "profile.fuzz.inherits=\"release\"",
    "--config",
    "profile.fuzz.opt-level=3",
    "--config",
    "profile.fuzz.lto=false",
    "--config",
    "profile.fuzz.codegen-units=16",
    "--config",
    "profile.fuzz.overflow-checks=true",
    "--config",
    "profile.fuzz.debug-assertions=true",
];

pub fn run(args: &[String]) -> Result<(), String> {
    let flags = Flags::new(args, &commands::FUZZ)?;
    let cases: u32 = flags.get("--cases", DEFAULT_CASES)?;
    if cases == 0 {
        return Err("--cases must be at least 1".into());
    }
    let step = Step::new("fuzz the domain's parsers (optimised, overflow checks on)");
    println!("    {cases} cases per test; a failure is saved under domain/proptest-regressions/");
    exec(
        Command::new("cargo")
            .arg("test")
            .args(PROFILE)
            .args(["--profile", "fuzz", "-p", "festival-domain", "fuzz_"])
            .env(CASES_VAR, cases.to_string()),
    )?;
    step.done();
    Ok(())
}
