//! Stops a process group when this process dies, however it dies.
//!
//! Each service runs in a process group of its own, so that stopping it stops what it started
//! (wrangler starts workerd); that also takes it out of the terminal's reach, so a `cargo xtask
//! dev` killed with SIGKILL, or whose terminal closed, would leave origin and the edge serving.
//! A watchdog is a `sh`, in a group of its own too, blocked reading a pipe whose only writer is
//! this process. The kernel closes the pipe when this process ends, for any reason, and the
//! watchdog then stops the group as `Service::stop` does: SIGTERM, up to 10 s, SIGKILL.
//!
//! Not `PR_SET_PDEATHSIG`: it must be set between fork and exec (`pre_exec`, unsafe code, which
//! the workspace forbids); it reaches the direct child only, so a wrangler killed by it would
//! leave workerd serving; and it fires when the *thread* that spawned the child ends, which in
//! the end-to-end tests' tokio runtime may be a pool thread that retires while its stack serves.

use std::process::{Child, Command, Stdio};

/// What the watchdog runs, the group as `$1`. `read` returns at end of file, when the pipe's
/// writer (this process) is gone.
const SCRIPT: &str = r#"read _
kill -s TERM -- "-$1" 2>/dev/null
i=0
while [ "$i" -lt 100 ] && kill -s 0 -- "-$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -s KILL -- "-$1" 2>/dev/null"#;

/// A running watchdog over one process group. Dropping it (once the group is stopped) ends the
/// watchdog without signalling: the group's id may since have been handed out again.
pub struct Watchdog {
    /// Holds the pipe's write end (`stdin`): the only one, since Rust opens pipes close-on-exec,
    /// so no other child inherits it.
    child: Child,
}

impl Watchdog {
    /// Watches the process group `group`.
    pub fn watch(group: u32) -> std::io::Result<Watchdog> {
        use std::os::unix::process::CommandExt;
        let child = Command::new("sh")
            .args(["-c", SCRIPT, "festival-watchdog", &group.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Out of the terminal's group: a Ctrl-C reaches xtask, which stops its services
            // itself, and must not end the watchdog before xtask is done.
            .process_group(0)
            .spawn()?;
        Ok(Watchdog { child })
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::time::{Duration, Instant};

    use nix::sys::signal::{Signal, kill, killpg};
    use nix::unistd::Pid;

    use super::*;
    use crate::process::Service;

    /// Set for the copy of this test binary that plays the parent.
    const PARENT: &str = "FESTIVAL_WATCHDOG_TEST_PARENT";

    /// The parent in [`a_service_dies_with_the_process_that_started_it`]: starts a service whose
    /// shell has a child of its own (as wrangler has workerd), prints its group, and waits to be
    /// killed. Does nothing in an ordinary test run.
    #[test]
    fn parent_for_the_orphan_test() {
        if std::env::var_os(PARENT).is_none() {
            return;
        }
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 300 & exec sleep 300"]);
        let service = Service::spawn("sleepers", command).expect("sh runs");
        println!("service group {}", service.pid());
        std::thread::sleep(Duration::from_secs(300));
    }

    #[test]
    fn a_service_dies_with_the_process_that_started_it() {
        let mut parent = Command::new(std::env::current_exe().expect("this test binary"))
            .args(["--exact", "watchdog::tests::parent_for_the_orphan_test"])
            .args(["--nocapture", "--test-threads=1"])
            .env(PARENT, "1")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the test binary runs again");
        let stdout = BufReader::new(parent.stdout.take().expect("piped"));
        let group: i32 = stdout
            .lines()
            // libtest prints the test's name on the same line, before it.
            .find_map(|line| line.ok()?.rsplit_once("service group ")?.1.parse().ok())
            .expect("the parent names its service's group");
        let both_started = wait_for(Duration::from_secs(10), || members(group) == 2);

        kill(Pid::from_raw(parent.id() as i32), Signal::SIGKILL).expect("the parent runs");
        let _ = parent.wait();
        let all_gone = wait_for(Duration::from_secs(15), || members(group) == 0);
        if !all_gone {
            let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
        }
        assert!(both_started, "the service and its child were not both seen");
        assert!(all_gone, "the service outlived its parent");
    }

    /// Polls `done` every 50 ms until it holds or `limit` passes; answers whether it held.
    fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        done()
    }

    /// Live processes (not zombies, which are dead already) in process group `group`.
    fn members(group: i32) -> usize {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return 0;
        };
        entries
            .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path().join("stat")).ok())
            .filter(|stat| {
                // After the command's name, which ends with the last ')': state, ppid, pgrp.
                let fields: Vec<&str> = stat
                    .rsplit_once(')')
                    .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
                fields.first() != Some(&"Z") && fields.get(2) == Some(&group.to_string().as_str())
            })
            .count()
    }
}
