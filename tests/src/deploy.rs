//! Test 7: the edge's deploy configuration is valid (`wrangler deploy --dry-run`).

use std::process::Command;

use libtest_mimic::Failed;
use xtask::{paths, stack::WRANGLER_ENV};

pub fn dry_run() -> Result<(), Failed> {
    let out = std::env::temp_dir().join(format!("festival-dry-run-{}", std::process::id()));
    let result = Command::new(paths::node_bin().join("wrangler"))
        .current_dir(paths::edge())
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(&out)
        .envs(WRANGLER_ENV)
        .env("PATH", paths::tool_path())
        .output()?;
    let _ = std::fs::remove_dir_all(&out);
    if result.status.success() {
        Ok(())
    } else {
        Err(format!(
            "wrangler deploy --dry-run failed:\n{}{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        )
        .into())
    }
}
