//! `cargo xtask setup`: installs what Festival builds and runs with, from package registries
//! only, skipping whatever is already there.

use std::process::Command;

use festival_cli::steps::Step;
use festival_stack::paths;
use festival_stack::process::exec;

/// worker-build release matching the `worker` crate.
const WORKER_BUILD_VERSION: &str = "0.8.7";
/// trunk 0.22 needs a newer rustc than 1.95.
const TRUNK_VERSION_REQ: &str = "~0.21";

/// Installs the Wasm toolchain and the npm tools; with `browser`, also Chromium and its driver.
pub fn setup(browser: bool) -> Result<(), String> {
    let step = Step::new("setup");
    ensure_wasm_target()?;
    let bindgen = wasm_bindgen_version()?;
    ensure_cargo_tool(
        "wasm-bindgen",
        &["wasm-bindgen-cli", "--version", &bindgen],
        &bindgen,
        "~4 min",
    )?;
    ensure_cargo_tool(
        "worker-build",
        &["worker-build", "--version", WORKER_BUILD_VERSION],
        WORKER_BUILD_VERSION,
        "~5 min",
    )?;
    ensure_cargo_tool(
        "trunk",
        &["trunk", "--version", TRUNK_VERSION_REQ, "--locked"],
        "0.21.",
        "~12 min",
    )?;
    ensure_npm_tools()?;
    if browser {
        ensure_chromium()?;
    }
    step.done();
    Ok(())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    println!("  installing the wasm32-unknown-unknown target");
    exec(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version in Cargo.lock; the CLI must match it exactly.
fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(paths::root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen".into())
}

/// Installs `cargo install <args>` unless `<binary> --version` already mentions `version`.
fn ensure_cargo_tool(
    binary: &str,
    args: &[&str],
    version: &str,
    estimate: &str,
) -> Result<(), String> {
    let path = paths::cargo_bin().join(binary);
    let have = output(path.to_str().unwrap_or(binary), &["--version"]).unwrap_or_default();
    if have.contains(version) {
        return Ok(());
    }
    println!("  installing {binary} {version} with cargo install ({estimate} on 2 cores)");
    exec(Command::new("cargo").arg("install").args(args))
}

fn ensure_npm_tools() -> Result<(), String> {
    let root = paths::root();
    let marker = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (std::fs::metadata(&marker), std::fs::metadata(&lock)) {
        (Ok(m), Ok(l)) => m.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh && paths::node_bin().join("wrangler").exists() {
        return Ok(());
    }
    println!("  installing wrangler and binaryen with npm ci");
    exec(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root),
    )
}

/// Chromium and its driver for the browser tests, and a font with Korean and Chinese glyphs, so
/// that the screenshots of the shop and console in those languages show words, not boxes.
fn ensure_chromium() -> Result<(), String> {
    let installed = [
        "/usr/bin/chromium",
        "/usr/bin/chromedriver",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ];
    if installed
        .iter()
        .all(|path| std::path::Path::new(path).exists())
    {
        return Ok(());
    }
    println!("  installing chromium, chromedriver and the Noto CJK fonts from Debian's packages");
    let apt = |args: &[&str]| {
        exec(
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    apt(&["update", "-q"])?;
    apt(&[
        "install",
        "-y",
        "-q",
        "chromium",
        "chromium-driver",
        "fonts-noto-cjk",
    ])
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
