//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use std::process::Command;

use crate::{Step, build, exec, tools};

/// Crates built for wasm32 only.
const WASM_CRATES: [&str; 3] = ["festival-app", "festival-console", "festival-edge"];
/// Crates that only build for the browser. The edge builds natively too, for its unit tests.
const BROWSER_CRATES: [&str; 2] = ["festival-app", "festival-console"];

pub fn run() -> Result<(), String> {
    tools::setup(true)?;

    let step = Step::new("format (cargo fmt --check)");
    exec(Command::new("cargo").args(["fmt", "--all", "--check"]))?;
    step.done();

    let step = Step::new("lint (clippy, warnings denied)");
    let mut native = Command::new("cargo");
    native.args(["clippy", "--workspace", "--all-targets"]);
    for krate in BROWSER_CRATES {
        native.args(["--exclude", krate]);
    }
    exec(native.args(["--", "-D", "warnings"]))?;
    let mut wasm = Command::new("cargo");
    wasm.args(["clippy", "--target", "wasm32-unknown-unknown"]);
    for krate in WASM_CRATES {
        wasm.args(["-p", krate]);
    }
    exec(wasm.args(["--", "-D", "warnings"]))?;
    step.done();

    let step = Step::new("unit tests");
    exec(Command::new("cargo").args([
        "test",
        "-p",
        "festival-domain",
        "-p",
        "festival-origin",
        "-p",
        "festival-edge",
        "-p",
        "xtask",
    ]))?;
    step.done();

    build::all()?;

    let step = Step::new("end-to-end tests (origin + wrangler dev + Chromium)");
    exec(Command::new("cargo").args(["test", "-p", "festival-tests", "--test", "e2e"]))?;
    step.done();
    Ok(())
}
