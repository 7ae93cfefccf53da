//! Test 7: `cargo xtask deploy --dry-run`'s checks and wrangler's own dry run: the edge's deploy
//! configuration is valid with an https origin, and a plain-HTTP one is refused before wrangler
//! runs.

use libtest_mimic::Failed;
use xtask::deploy;

use crate::stack::check;

pub fn dry_run() -> Result<(), Failed> {
    let refused = deploy::plan(Some("http://127.0.0.1:8788"));
    check(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("ORIGIN_URL must be origin's https:// address")),
        format!("a plain-HTTP origin is refused: {refused:?}"),
    )?;
    let plan = deploy::plan(Some("https://origin.example.com"))?;
    let output = deploy::deploy(&plan, true)?;
    check(
        output.contains("env.ORIGIN_URL") && output.contains("--dry-run: exiting now"),
        format!("wrangler's dry run names ORIGIN_URL:\n{output}"),
    )
}
