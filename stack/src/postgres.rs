//! A PostgreSQL server for the test suites. Origin's Postgres tests need a server they can reach;
//! a developer may already have one (say so with `FESTIVAL_TEST_POSTGRES_URL`, or run it on
//! 5432), and otherwise `cargo xtask test` starts a throwaway cluster from Debian's server
//! binaries, tuned for speed over durability, and removes it afterwards.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::process::free_port;

/// Names a server the caller already has; when set, nothing is started.
pub const URL_VARIABLE: &str = "FESTIVAL_TEST_POSTGRES_URL";
/// How long a started cluster may take to accept connections.
const STARTUP: Duration = Duration::from_secs(30);
/// How long a fast shutdown may take before the postmaster is killed.
const SHUTDOWN: Duration = Duration::from_secs(10);
/// Where temporary clusters live: `<temp>/festival-postgres-<pid>-<n>`.
const FOLDER_PREFIX: &str = "festival-postgres-";
/// initdb's options: the user the URL names, no passwords (loopback only), no fsync.
const INITDB: &str = "-U postgres -A trust --no-sync -E UTF8 --locale=C";
/// The server's options: loopback only; durability off, as test data is thrown away anyway.
const SERVER: &str = "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
                      -c full_page_writes=off";

/// A PostgreSQL server for tests: one given, one already running, or a temporary cluster this
/// process started (stopped and removed on drop).
pub struct Postgres {
    url: String,
    cluster: Option<Cluster>,
}

/// A cluster this process started: its postmaster and the folder holding data, socket and log.
struct Cluster {
    server: Child,
    folder: PathBuf,
}

impl Postgres {
    /// Finds or starts one: the server named by `FESTIVAL_TEST_POSTGRES_URL`, else a Postgres
    /// on 127.0.0.1:5432, else a temporary cluster (installing Debian's `postgresql` first when
    /// running as root and no server binaries are found).
    pub fn provide() -> Result<Postgres, String> {
        if let Ok(url) = std::env::var(URL_VARIABLE)
            && !url.is_empty()
        {
            eprintln!("postgres: using the server given in {URL_VARIABLE}");
            return Ok(Postgres { url, cluster: None });
        }
        // Something else may listen on 5432: only `pg_isready` confirms it is Postgres.
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, 5432));
        if TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
            && ready(server_binaries().map(|(_, bin)| bin).as_deref(), 5432)
        {
            eprintln!("postgres: using the server on 127.0.0.1:5432");
            return Ok(Postgres {
                url: url_for(5432),
                cluster: None,
            });
        }
        let (version, bin) = match server_binaries() {
            Some(found) => found,
            None => install()?,
        };
        let (cluster, port) = Cluster::start(&bin)?;
        eprintln!(
            "postgres: started a temporary cluster, version {version}, on port {port}, TLS only"
        );
        // TLS required, as a managed PostgreSQL requires it: every test that reaches this
        // cluster goes through origin's TLS driver (a certificate made for the run, so the
        // server is not verified: `require`, not `verify-full`).
        Ok(Postgres {
            url: format!("{}?sslmode=require", url_for(port)),
            cluster: Some(cluster),
        })
    }

    /// A URL of the server's `postgres` database, e.g. postgres://postgres@127.0.0.1:PORT/postgres
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(cluster) = &mut self.cluster {
            cluster.stop();
        }
    }
}

fn url_for(port: u16) -> String {
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

/// `pg_isready` on 127.0.0.1:`port`, from `bin` when it has one (the server's own version),
/// else from `PATH`. False when it is missing: no confirmation.
fn ready(bin: Option<&Path>, port: u16) -> bool {
    let program = bin
        .map(|bin| bin.join("pg_isready"))
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("pg_isready"));
    Command::new(program)
        .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The newest Debian-layout server binaries, `/usr/lib/postgresql/<version>/bin`, with both
/// `initdb` and `postgres`; answers the version and the folder.
fn server_binaries() -> Option<(String, PathBuf)> {
    let entries = std::fs::read_dir("/usr/lib/postgresql").ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().into_owned();
            let bin = entry.path().join("bin");
            let complete = bin.join("initdb").is_file() && bin.join("postgres").is_file();
            let key: Option<Vec<u32>> = version.split('.').map(|part| part.parse().ok()).collect();
            Some((key?, version, bin)).filter(|_| complete)
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, version, bin)| (version, bin))
}

/// Installs Debian's `postgresql` (as root only: a test run must not ask for a password), with
/// `apt-get update` only when the package lists turn out to be stale.
fn install() -> Result<(String, PathBuf), String> {
    if !is_root() {
        return Err(format!(
            "no PostgreSQL server found: install one (`sudo apt-get install postgresql`), run \
             one on 127.0.0.1:5432, or set {URL_VARIABLE} to the URL of one"
        ));
    }
    eprintln!("postgres: no server binaries found; installing Debian's postgresql");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .output()
    };
    let install = ["install", "-y", "--no-install-recommends", "postgresql"];
    let mut outcome = apt(&install);
    if !outcome.as_ref().is_ok_and(|output| output.status.success()) {
        let _ = apt(&["update"]);
        outcome = apt(&install);
    }
    let output = outcome.map_err(|e| format!("running apt-get: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("apt-get install failed: {}", tail(&stderr)));
    }
    server_binaries().ok_or_else(|| "installed postgresql, but found no server binaries".into())
}

/// Whether this process runs as root, from `/proc` (xtask has no libc binding for it).
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status.lines().find_map(|line| line.strip_prefix("Uid:"));
    uid.and_then(|ids| ids.split_whitespace().nth(1)) == Some("0")
}

/// The `postgres` OS user's uid and gid (Debian's package creates it): initdb and postgres
/// refuse to run as root.
fn postgres_user() -> Result<(u32, u32), String> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let ids = passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        let id = |n: usize| fields.get(n)?.parse().ok();
        (fields[0] == "postgres").then(|| id(2).zip(id(3)))?
    });
    ids.ok_or_else(|| "running as root, but there is no `postgres` user to run as".to_owned())
}

/// Removes the folders of clusters whose process is gone without dropping its [`Postgres`]
/// (killed, or Ctrl-C). A postmaster still running in one shuts itself down once its lock file
/// is gone.
fn remove_stale_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rest = name.strip_prefix(FOLDER_PREFIX).unwrap_or_default();
        if let Some(Ok(pid)) = rest.split('-').next().map(str::parse::<u32>)
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Cluster {
    /// Creates a cluster in a fresh folder and starts it on a free loopback port; answers it
    /// once it accepts connections.
    fn start(bin: &Path) -> Result<(Cluster, u16), String> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        remove_stale_folders();
        let count = COUNT.fetch_add(1, Ordering::Relaxed);
        let name = format!("{FOLDER_PREFIX}{}-{count}", std::process::id());
        let folder = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&folder); // left by an earlier process with our PID
        std::fs::create_dir_all(&folder).map_err(|e| format!("creating {folder:?}: {e}"))?;
        let (server, port) = Self::init_and_spawn(bin, &folder).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&folder);
        })?;
        let mut cluster = Cluster { server, folder };
        cluster
            .wait_until_ready(bin, port)
            .inspect_err(|_| cluster.stop())?;
        Ok((cluster, port))
    }

    /// Runs initdb into `folder/data`, then spawns postgres. Unlike the stack's services it
    /// stays in our process group: a Ctrl-C at the terminal, which ends xtask without running
    /// any drop, then reaches the postmaster too, as a fast shutdown, instead of leaving it
    /// running for ever. The postmaster stops its own backends.
    fn init_and_spawn(bin: &Path, folder: &Path) -> Result<(Child, u16), String> {
        let user = if is_root() {
            let (uid, gid) = postgres_user()?;
            std::os::unix::fs::chown(folder, Some(uid), Some(gid))
                .map_err(|e| format!("handing {folder:?} to the postgres user: {e}"))?;
            Some((uid, gid))
        } else {
            None
        };
        // Server tools from `bin`, anything else (openssl) from PATH.
        let command = |program: &str| {
            let path = Some(bin.join(program)).filter(|path| path.exists());
            let mut command = Command::new(path.unwrap_or_else(|| PathBuf::from(program)));
            // The postgres user may not be able to enter our working directory.
            command.current_dir(folder).stdin(Stdio::null());
            if let Some((uid, gid)) = user {
                command.uid(uid).gid(gid);
            }
            command
        };
        make_certificate(command("openssl"))?;
        let data = folder.join("data");
        let output = command("initdb")
            .arg("-D")
            .arg(&data)
            .args(INITDB.split(' '))
            .output()
            .map_err(|e| format!("running initdb: {e}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!("initdb failed: {}", tail(&stderr)));
        }
        let log = std::fs::File::create(folder.join("server.log"))
            .map_err(|e| format!("creating the server log: {e}"))?;
        let port = free_port();
        let log_err = log.try_clone().map_err(|e| format!("server log: {e}"))?;
        let mut server = command("postgres");
        server.arg("-D").arg(&data).args(["-p", &port.to_string()]);
        server.arg("-k").arg(folder).args(SERVER.split(' '));
        let file = |name: &str| folder.join(name).display().to_string();
        server.args([
            "-c",
            "ssl=on",
            "-c",
            &format!("ssl_cert_file={}", file("server.crt")),
        ]);
        server.args(["-c", &format!("ssl_key_file={}", file("server.key"))]);
        let child = server.stdout(log).stderr(log_err).spawn();
        Ok((child.map_err(|e| format!("starting postgres: {e}"))?, port))
    }

    /// Waits until the server accepts connections, it exits, or [`STARTUP`] passes.
    fn wait_until_ready(&mut self, bin: &Path, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP;
        loop {
            if ready(Some(bin), port) {
                return Ok(());
            }
            if matches!(self.server.try_wait(), Ok(Some(_))) {
                return Err(format!("postgres exited: {}", self.log_tail()));
            }
            if Instant::now() > deadline {
                let log = self.log_tail();
                return Err(format!("postgres did not start in {STARTUP:?}: {log}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The end of the server's log, which says why it did not start.
    fn log_tail(&self) -> String {
        tail(&std::fs::read_to_string(self.folder.join("server.log")).unwrap_or_default())
    }

    /// A fast shutdown (SIGINT to the postmaster: sessions are ended, not awaited), SIGKILL if
    /// that takes too long (orphaned backends exit when they see the postmaster gone); then the
    /// folder goes.
    fn stop(&mut self) {
        let pid = Pid::from_raw(self.server.id() as i32);
        let _ = kill(pid, Signal::SIGINT);
        let deadline = Instant::now() + SHUTDOWN;
        while !matches!(self.server.try_wait(), Ok(Some(_))) {
            if Instant::now() > deadline {
                eprintln!("postgres did not stop in 10 s; killing it");
                let _ = self.server.kill();
                let _ = self.server.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// A self-signed certificate and its key, `server.crt` and `server.key` in the cluster's
/// folder (`openssl` runs there, as the user the server runs as: the key must be its own).
fn make_certificate(mut openssl: Command) -> Result<(), String> {
    let output = openssl
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.crt",
        ])
        .output();
    match output {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => Err(format!(
            "openssl could not make the cluster's certificate: {}",
            tail(&String::from_utf8_lossy(&output.stderr))
        )),
        Err(e) => Err(format!(
            "running openssl for the cluster's certificate: {e}"
        )),
    }
}

/// The last lines of a tool's output, for an error message.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts (or finds) a server, queries it with psql, and, when this test started it, checks
    /// that dropping it leaves neither process nor folder. Needs Postgres or root: ignored.
    #[test]
    #[ignore = "starts a PostgreSQL server"]
    fn a_provided_server_answers_and_a_started_one_is_gone_after_drop() {
        let postgres = Postgres::provide().unwrap();
        let output = Command::new("psql")
            .args([postgres.url(), "-XAtc", "select version()"])
            .output()
            .unwrap();
        let version = String::from_utf8_lossy(&output.stdout);
        assert!(version.starts_with("PostgreSQL"), "{output:?}");
        let started = postgres.cluster.as_ref();
        let started = started.map(|c| (format!("/proc/{}", c.server.id()), c.folder.clone()));
        drop(postgres);
        if let Some((process, folder)) = started {
            assert!(!Path::new(&process).exists(), "{process} still runs");
            assert!(!folder.exists(), "{folder:?} is still there");
        }
    }
}
