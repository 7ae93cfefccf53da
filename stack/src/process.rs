//! Starting and stopping the local stack's processes: each runs in its own process group, so
//! stopping it also stops what it started (wrangler starts workerd), a dropped handle never
//! leaves a server behind, and a [`Watchdog`] stops the group if this process dies first.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::paths;
use crate::watchdog::Watchdog;

/// Runs a command to its end with inherited output and the project's tools first on `PATH`; an
/// error names it and its exit status.
pub fn exec(command: &mut Command) -> Result<(), String> {
    command.env("PATH", paths::tool_path());
    let status = command.status().map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}

/// A free TCP port on 127.0.0.1 (the OS picks it; we release it for the child to bind).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("the OS hands out a loopback port")
}

/// A child process in its own group; dropping it stops the whole group, and so does this
/// process's death.
pub struct Service {
    name: String,
    child: Child,
    /// Dropped after the group is stopped (see [`Service::stop`]).
    watchdog: Option<Watchdog>,
}

impl Service {
    /// Spawns `command` in a new process group, watched.
    pub fn spawn(name: &str, mut command: Command) -> std::io::Result<Service> {
        use std::os::unix::process::CommandExt;
        command.process_group(0).stdin(Stdio::null());
        let mut child = command.spawn()?;
        let watchdog = match Watchdog::watch(child.id()) {
            Ok(watchdog) => watchdog,
            Err(error) => {
                let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
                let _ = child.wait();
                return Err(error);
            }
        };
        Ok(Service {
            name: name.to_owned(),
            child,
            watchdog: Some(watchdog),
        })
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has exited.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Kills the group at once (SIGKILL), as a machine failure would: nothing gets to clean up.
    pub fn kill(&mut self) {
        let group = Pid::from_raw(self.child.id() as i32);
        let _ = killpg(group, Signal::SIGKILL);
        let _ = self.child.wait();
        self.watchdog = None;
    }

    /// Stops the group: SIGTERM, up to 10 s to exit, then SIGKILL.
    pub fn stop(&mut self) {
        self.stop_group();
        self.watchdog = None;
    }

    fn stop_group(&mut self) {
        let group = Pid::from_raw(self.child.id() as i32);
        let _ = killpg(group, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.has_exited() {
                // Children of the leader (workerd) may outlive it by a moment.
                let _ = killpg(group, Signal::SIGTERM);
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not stop in 10 s; killing it", self.name);
        let _ = killpg(group, Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until `url` answers 200, the service is gone, or `timeout` passes.
pub fn wait_until_ok(service: &mut Service, url: &str, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    loop {
        if let Ok(response) = agent.get(url).call()
            && response.status() == 200
        {
            return Ok(());
        }
        if service.has_exited() {
            return Err(format!("{} exited before {url} answered", service.name));
        }
        if Instant::now() > deadline {
            return Err(format!("{url} did not answer 200 within {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Environment that keeps wrangler offline and quiet (see shared/TOOLCHAIN.md).
pub const WRANGLER_ENV: [(&str, &str); 4] = [
    ("WRANGLER_SEND_METRICS", "false"),
    ("WRANGLER_SEND_ERROR_REPORTS", "false"),
    ("WRANGLER_HIDE_BANNER", "true"),
    ("CLOUDFLARE_CF_FETCH_ENABLED", "false"),
];

/// How a local edge runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeRunner {
    /// `wrangler dev`, as a developer runs it, with its DevTools inspector attached.
    WranglerDev,
    /// `stack/start-edge.mjs`: wrangler's `unstable_startWorker` on the same configuration and
    /// runtime, without the DevTools inspector, whose network tracking costs every subrequest
    /// milliseconds of CPU in node (see the script). For benchmarks.
    NoInspector,
}

/// What a local edge needs.
pub struct EdgeSettings<'a> {
    /// `wrangler dev`, or the same without the DevTools inspector.
    pub runner: EdgeRunner,
    /// Port for the Worker.
    pub port: u16,
    /// Origin's base URL.
    pub origin_url: &'a str,
    /// Batch signing secret, shared with origin.
    pub batch_secret: &'a str,
    /// Session and sale-token signing secret.
    pub session_secret: &'a str,
    /// The marketer's token, shared with origin.
    pub marketer_token: &'a str,
    /// Further `--var NAME:value` settings (e.g. rate limits).
    pub vars: &'a [(&'a str, &'a str)],
    /// Serve a snapshot of the app from here instead of `app/dist` (which wrangler watches: a
    /// rebuild there restarts the Worker mid-request).
    pub assets: Option<&'a Path>,
    /// Where Durable Object and queue state persist.
    pub state_dir: &'a Path,
    /// A `wrangler.toml` to run instead of the edge's own (see [`edge_config_giving_up_after`]).
    pub config: Option<&'a Path>,
    /// Development mode (`FESTIVAL_DEV=1`): the edge serves with a plain-HTTP origin on
    /// loopback and local secrets. Without it the edge refuses such a configuration (503).
    pub development: bool,
}

/// Writes into `dir` a copy of the edge's `wrangler.toml` whose order queue gives a message up
/// to the dead-letter queue after `retries` retries (0: at the first failure) (the real one rides out an hour-long origin
/// outage), its paths made absolute so that it runs from anywhere. Answers its path.
pub fn edge_config_giving_up_after(dir: &Path, retries: u32) -> std::io::Result<PathBuf> {
    let edge = paths::edge();
    let text = std::fs::read_to_string(edge.join("wrangler.toml"))?;
    let replacements = [
        (
            "main = \"build/worker/shim.mjs\"".to_owned(),
            format!("main = {:?}", edge.join("build/worker/shim.mjs")),
        ),
        (
            "directory = \"../app/dist\"".to_owned(),
            format!("directory = {:?}", paths::app().join("dist")),
        ),
        // The order queue's budget: the one followed by its dead-letter queue (the dead-letter
        // queue's own consumer keeps its budget).
        (
            "max_retries = 100\ndead_letter_queue".to_owned(),
            format!("max_retries = {retries}\ndead_letter_queue"),
        ),
    ];
    let mut config = text;
    for (from, to) in replacements {
        if config.matches(&from).count() != 1 {
            return Err(std::io::Error::other(format!(
                "edge/wrangler.toml no longer has exactly one `{from}`"
            )));
        }
        config = config.replace(&from, &to);
    }
    let path = dir.join("wrangler.toml");
    std::fs::write(&path, config)?;
    Ok(path)
}

/// Starts `wrangler dev` on the built edge (run `cargo xtask build` first). Its output goes to
/// `log` (a file) or, when `None`, to this process's terminal.
pub fn start_edge(settings: &EdgeSettings<'_>, log: Option<&Path>) -> std::io::Result<Service> {
    let mut command = match settings.runner {
        EdgeRunner::WranglerDev => {
            let mut wrangler = Command::new(paths::node_bin().join("wrangler"));
            wrangler
                .arg("dev")
                .args(["--inspector-port", &free_port().to_string()]);
            wrangler
        }
        EdgeRunner::NoInspector => {
            let mut node = Command::new("node");
            node.arg(paths::root().join("stack/start-edge.mjs"));
            node
        }
    };
    if let Some(config) = settings.config {
        command.arg("--config").arg(config);
    }
    command
        .current_dir(paths::edge())
        .args(["--ip", "127.0.0.1", "--port", &settings.port.to_string()])
        .arg("--persist-to")
        .arg(settings.state_dir)
        .args(["--var", &format!("ORIGIN_URL:{}", settings.origin_url)])
        .args(["--var", &format!("BATCH_SECRET:{}", settings.batch_secret)])
        .args([
            "--var",
            &format!("SESSION_SECRET:{}", settings.session_secret),
        ])
        .args([
            "--var",
            &format!("MARKETER_TOKEN:{}", settings.marketer_token),
        ])
        .envs(WRANGLER_ENV)
        // wrangler appends a debug log of every message it sees (under `wrangler dev`, four per
        // subrequest): keep it with this edge's state, not in the home folder for ever.
        .env(
            "WRANGLER_LOG_PATH",
            settings.state_dir.join("wrangler-debug.log"),
        )
        .env("PATH", paths::tool_path());
    if settings.development {
        command.args(["--var", "FESTIVAL_DEV:1"]);
    }
    for (name, value) in settings.vars {
        command.args(["--var", &format!("{name}:{value}")]);
    }
    if let Some(assets) = settings.assets {
        copy_dir(&paths::app().join("dist"), assets)?;
        command.arg("--assets").arg(assets);
    }
    if let Some(log) = log {
        let file = std::fs::File::create(log)?;
        command.stdout(file.try_clone()?).stderr(file);
    }
    let name = match settings.runner {
        EdgeRunner::WranglerDev => "wrangler dev",
        EdgeRunner::NoInspector => "edge (start-edge.mjs)",
    };
    Service::spawn(name, command)
}

/// Copies the folder `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_that_gives_up_sooner_is_the_edge_config_but_for_its_retries() {
        let dir = std::env::temp_dir().join(format!("festival-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let written = edge_config_giving_up_after(&dir, 1).unwrap();
        let config = std::fs::read_to_string(&written).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            config.contains("max_retries = 1\ndead_letter_queue = \"festival-orders-dlq\""),
            "{config}"
        );
        assert_eq!(config.matches("max_retries = 100").count(), 1, "{config}");
        let shim = paths::edge().join("build/worker/shim.mjs");
        assert!(config.contains(&format!("main = {shim:?}")), "{config}");
        assert!(config.contains("dead_letter_queue = \"festival-orders-dlq\""));
    }
}
