//! `cargo xtask dev`: Festival on this machine. Origin on a SQLite file under `.festival/`, the
//! edge under `wrangler dev` on http://127.0.0.1:8787 serving the app, a demo festival seeded when
//! the database is empty. Ctrl-C stops everything it started.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use xtask::paths;
use xtask::stack::{self, EdgeSettings, Service};

use crate::{Step, build, exec, tools};

const EDGE_PORT: u16 = 8787;
const ORIGIN_PORT: u16 = 8788;
/// The local secret both sides share; production sets its own (see README).
const DEV_BATCH_SECRET: &str = "festival-dev-batch-secret";

pub fn run() -> Result<(), String> {
    tools::setup(false)?;
    build::all()?;
    let step = Step::new("build origin");
    exec(Command::new("cargo").args(["build", "--quiet", "-p", "festival-origin"]))?;
    step.done();

    let state = paths::local_state();
    std::fs::create_dir_all(&state).map_err(|e| format!("creating {}: {e}", state.display()))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("installing the Ctrl-C handler: {e}"))?;

    let step = Step::new("start origin and edge");
    let mut origin_cmd = Command::new(paths::root().join("target/debug/festival-origin"));
    origin_cmd
        .arg("--seed-demo")
        .env("FESTIVAL_ORIGIN_ADDR", format!("127.0.0.1:{ORIGIN_PORT}"))
        .env(
            "FESTIVAL_DATABASE_URL",
            format!("sqlite://{}", state.join("origin.db").display()),
        )
        .env("FESTIVAL_BATCH_SECRET", DEV_BATCH_SECRET);
    let mut origin = Service::spawn("origin", origin_cmd).map_err(|e| e.to_string())?;
    let origin_url = format!("http://127.0.0.1:{ORIGIN_PORT}");
    stack::wait_until_ok(
        &mut origin,
        &format!("{origin_url}/health"),
        Duration::from_secs(30),
    )?;

    let settings = EdgeSettings {
        port: EDGE_PORT,
        origin_url: &origin_url,
        batch_secret: DEV_BATCH_SECRET,
        state_dir: &state.join("edge"),
    };
    let mut edge = stack::start_edge(&settings, None).map_err(|e| e.to_string())?;
    let url = format!("http://127.0.0.1:{EDGE_PORT}");
    stack::wait_until_ok(
        &mut edge,
        &format!("{url}/api/catalog"),
        Duration::from_secs(90),
    )?;
    step.done();

    println!("\nFestival is running: {url}  (origin {origin_url}; Ctrl-C stops both)\n");
    while !stop.load(Ordering::SeqCst) {
        if origin.has_exited() || edge.has_exited() {
            return Err("origin or the edge exited; stopping".into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!(
        "\nstopping (origin pid {}, wrangler pid {})",
        origin.pid(),
        edge.pid()
    );
    // Dropping each `Service` stops its process group.
    Ok(())
}
