//! `cargo xtask build`: storefront and console with Trunk, the edge with worker-build, release.

use std::process::Command;

use festival_cli::steps::Step;
use festival_stack::paths;
use festival_stack::process::exec;

/// Builds the storefront and the console, then the edge (whose assets are `app/dist`).
pub fn all() -> Result<(), String> {
    app()?;
    edge()
}

/// The storefront, then the console into `app/dist/console`, each with `trunk build --release
/// --offline` (Trunk uses the wasm-bindgen and wasm-opt on PATH). The storefront goes first:
/// its build empties `app/dist`. Then each one's JS glue is minified with esbuild: Trunk's own
/// minifier cannot parse wasm-bindgen's module and ships it as is (7.8 KB of the storefront's
/// 150 KB gzip budget; minified, about half). The glue is rewritten after Trunk hashed it, so
/// the pages carry no subresource-integrity hashes (`--no-sri`): the files are the page's own
/// origin's, under content-hashed names.
pub fn app() -> Result<(), String> {
    let step = Step::new("build storefront and console (trunk)");
    let dists = [paths::app().join("dist"), paths::app().join("dist/console")];
    for folder in [paths::app(), paths::root().join("console")] {
        exec(
            Command::new("trunk")
                .args(["build", "--release", "--offline", "--no-sri"])
                .current_dir(folder),
        )?;
    }
    for dist in &dists {
        minify_js(dist)?;
    }
    step.done();
    Ok(())
}

/// Minifies, in place, every `.js` file directly in `dist`.
fn minify_js(dist: &std::path::Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("reading {dist:?}: {e}"))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "js") {
            let file = path.display().to_string();
            exec(Command::new(paths::node_bin().join("esbuild")).args([
                file.as_str(),
                "--minify",
                "--format=esm",
                "--log-level=warning",
                "--allow-overwrite",
                &format!("--outfile={file}"),
            ]))?;
        }
    }
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
