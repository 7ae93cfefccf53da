//! `cargo xtask <command>`: Festival's automation, in Rust.
//!
//! - `setup`: install the toolchain (wasm32 target, wasm-bindgen, worker-build, trunk, npm tools)
//! - `build`: build the app (Trunk) and the edge (worker-build), release
//! - `dev`: setup, build, then run origin + `wrangler dev` with a demo festival
//! - `test`: setup (with Chromium), fmt, clippy, unit tests, end-to-end tests

mod build;
mod dev;
mod test;
mod tools;

use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => tools::setup(args.iter().any(|a| a == "--browser")),
        Some("build") => tools::setup(false).and_then(|()| build::all()),
        Some("dev") => dev::run(),
        Some("test") => test::run(),
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

const USAGE: &str = "usage: cargo xtask <setup [--browser] | build | dev | test>";

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
