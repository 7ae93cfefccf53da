//! Where the workspace, its tools and its outputs are.

use std::path::PathBuf;

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("festival-stack lives in the workspace")
        .to_path_buf()
}

/// Binaries installed by `npm ci` (wrangler, wasm-opt, esbuild).
pub fn node_bin() -> PathBuf {
    root().join("node_modules/.bin")
}

/// Binaries installed by `cargo install` (trunk, worker-build, wasm-bindgen).
pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
        .join("bin")
}

/// `PATH` with the project's tool folders first, for child processes.
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![node_bin(), cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("tool folders have no ':' in their names")
}

/// The edge's folder (wrangler.toml).
pub fn edge() -> PathBuf {
    root().join("edge")
}

/// The app's folder (Trunk.toml) and its build output.
pub fn app() -> PathBuf {
    root().join("app")
}

/// Local state of `cargo xtask dev` (database, edge storage), ignored by git.
pub fn local_state() -> PathBuf {
    root().join(".festival")
}

/// Cargo's target folder (`CARGO_TARGET_DIR`, else `target/`).
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Artifacts of test runs (screenshots), under `target/`.
pub fn artifacts() -> PathBuf {
    target().join("festival-artifacts")
}
