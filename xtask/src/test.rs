//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use std::process::Command;

use festival_cli::steps::Step;
use festival_stack::postgres::Postgres;
use festival_stack::process::exec;

use crate::{build, tools};

/// What origin's tests read to put their databases on a PostgreSQL server (see
/// `festival_origin::db::testing`).
const TEST_DATABASE_VAR: &str = festival_origin::db::testing::TEST_DATABASE_VAR;

/// Crates built for wasm32 only.
const WASM_CRATES: [&str; 3] = ["festival-app", "festival-console", "festival-edge"];
/// Crates that ship only to the browser: linted for wasm32 alone. Their unit tests (pure code:
/// clock, i18n, router, draft, chart) build and run natively, which spares CI a wasm test
/// runner and a browser for them.
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
        "festival-cli",
        "-p",
        "festival-stack",
        "-p",
        "festival-load",
        "-p",
        "xtask",
    ]))?;
    // A command of their own: `--lib` skips their `main.rs` (no tests, and a test binary to
    // link each), and the flag would drop the other crates' integration tests.
    let mut browser = Command::new("cargo");
    browser.arg("test");
    for krate in BROWSER_CRATES {
        browser.args(["-p", krate]);
    }
    exec(browser.arg("--lib"))?;
    step.done();

    // Origin's tests again, and the end-to-end tests that concern origin, on PostgreSQL.
    let postgres = Postgres::provide()?;
    let on_postgres = |command: &mut Command| {
        command.env(TEST_DATABASE_VAR, postgres.url());
    };
    let step = Step::new("origin's unit tests on PostgreSQL");
    let mut origin = Command::new("cargo");
    origin.args(["test", "-p", "festival-origin"]);
    on_postgres(&mut origin);
    exec(&mut origin)?;
    step.done();

    build::all()?;

    let step = Step::new("end-to-end tests (origin + wrangler dev + Chromium)");
    exec(Command::new("cargo").args(["test", "-p", "festival-tests", "--test", "e2e"]))?;
    step.done();

    let step = Step::new("end-to-end tests that concern origin, on PostgreSQL");
    let mut e2e = Command::new("cargo");
    e2e.args(["test", "-p", "festival-tests", "--test", "e2e"]);
    on_postgres(&mut e2e);
    exec(&mut e2e)?;
    step.done();
    Ok(())
}
