//! `cargo xtask dev`: Festival on this machine. Origin on a SQLite file under `.festival/`, the
//! edge under `wrangler dev` on http://127.0.0.1:8787 serving the app, a demo festival seeded when
//! the database is empty. Ctrl-C stops everything it started; so does `dev`'s own death, however
//! it dies (see `festival_stack::watchdog`). It refuses at once, before building, when a port it needs
//! is taken.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use festival_cli::steps::Step;
use festival_stack::local::{self as local_stack, LocalStack, Options, Secrets};
use festival_stack::process::EdgeRunner;
use festival_stack::{paths, ports};

use crate::{build, tools};

const EDGE_PORT: u16 = 8787;
const ORIGIN_PORT: u16 = 8788;
/// Local secrets, published in this repository: origin and the edge take them in development
/// mode only (production sets its own; see README).
pub use festival_domain::settings::{DEV_BATCH_SECRET, DEV_MARKETER_TOKEN, DEV_SESSION_SECRET};

pub fn run() -> Result<(), String> {
    ports::ensure_free(EDGE_PORT, "the edge, wrangler dev")?;
    ports::ensure_free(ORIGIN_PORT, "origin")?;
    tools::setup(false)?;
    build::all()?;
    local_stack::build_origin()?;

    let state = paths::local_state();
    std::fs::create_dir_all(&state).map_err(|e| format!("creating {}: {e}", state.display()))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("installing the Ctrl-C handler: {e}"))?;

    let step = Step::new("start origin and edge");
    // Bound origin first so that it is dropped last: the edge stops before origin does.
    let LocalStack {
        mut origin,
        mut edge,
        edge_url: url,
        origin_url,
    } = local_stack::start(&Options {
        edge_port: EDGE_PORT,
        origin_port: ORIGIN_PORT,
        state_dir: &state,
        seed_demo: true,
        dev_origin: true,
        secrets: Secrets {
            batch: DEV_BATCH_SECRET,
            session: DEV_SESSION_SECRET,
            marketer: DEV_MARKETER_TOKEN,
        },
        runner: EdgeRunner::WranglerDev,
        vars: &[],
        assets: None,
        log_dir: None,
    })?;
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
