//! `cargo xtask build`: storefront and console with Trunk, the edge with worker-build, release.

use std::process::Command;

use xtask::paths;

use crate::{Step, exec};

/// Builds the storefront and the console, then the edge (whose assets are `app/dist`).
pub fn all() -> Result<(), String> {
    app()?;
    edge()
}

/// The storefront, then the console into `app/dist/console`, each with `trunk build --release
/// --offline` (Trunk uses the wasm-bindgen and wasm-opt on PATH). The storefront goes first:
/// its build empties `app/dist`.
pub fn app() -> Result<(), String> {
    let step = Step::new("build storefront and console (trunk)");
    for folder in [paths::app(), paths::root().join("console")] {
        exec(
            Command::new("trunk")
                .args(["build", "--release", "--offline"])
                .current_dir(folder),
        )?;
    }
    step.done();
    Ok(())
}

/// `worker-build --release`, with the local wasm-bindgen, wasm-opt and esbuild so nothing is
/// downloaded.
pub fn edge() -> Result<(), String> {
    let step = Step::new("build edge (worker-build)");
    exec(
        Command::new(paths::cargo_bin().join("worker-build"))
            .arg("--release")
            .current_dir(paths::edge())
            .env("WASM_BINDGEN_BIN", paths::cargo_bin().join("wasm-bindgen"))
            .env("WASM_OPT_BIN", paths::node_bin().join("wasm-opt"))
            .env("ESBUILD_BIN", paths::node_bin().join("esbuild")),
    )?;
    step.done();
    Ok(())
}
