//! The real `festival-origin` process: it refuses to start on weak secrets, naming them, and a
//! SIGTERM (what a supervisor sends) stops it cleanly, exit code 0: a batch in flight is stored
//! and answered first, and a keep-alive connection the edge holds open does not hold it up. Its
//! JSON log (`FESTIVAL_LOG_FORMAT=json`) is one object per line, a refusal included.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use festival_domain::UnixMillis;
use festival_domain::batch::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

const BATCH: &str = "5e0c2a9f7b3d1e8c6a4f2b0d9e7c5a3f";
const TOKEN: &str = "a1f3c5e7b9d0f2a4c6e8b0d2f4a6c8e0";

/// A temporary folder for one test's database, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "festival-origin-process-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `festival-origin` on `port` and a database in `dir`, with `env` (name, value) only.
fn origin(dir: &TempDir, port: u16, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_festival-origin"));
    command
        .env_clear()
        .env("FESTIVAL_ORIGIN_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "FESTIVAL_DATABASE_URL",
            format!("sqlite://{}", dir.0.join("origin.db").display()),
        )
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    command
}

/// A started origin, killed on drop if a test failed before it stopped.
struct Running(Child);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// Waits for the child to exit within `timeout`; kills it (and fails) if it does not.
fn wait_for_exit(child: &mut Child, timeout: Duration) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("origin did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One `GET path` on an open keep-alive `stream`: the status line, or the I/O error that
/// stopped it.
fn try_get(stream: &mut TcpStream, path: &str) -> std::io::Result<String> {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: origin\r\n\r\n")?;
    let mut answer = Vec::new();
    let mut byte = [0u8; 1024];
    // Read until the whole (small, non-chunked) answer is in: headers and a JSON body.
    while !String::from_utf8_lossy(&answer).contains("\r\n\r\n{") || !answer.ends_with(b"}") {
        let n = stream.read(&mut byte)?;
        assert!(n > 0, "origin closed the connection");
        answer.extend_from_slice(&byte[..n]);
    }
    Ok(String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// Connects once origin listens and answers `/health`, keeping the connection open.
fn connect_when_healthy(child: &mut Child, port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "origin exited at start"
        );
        if let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            // A connection reset while origin starts (CI saw one) means "not yet", not a
            // failure: try again until the deadline.
            match try_get(&mut stream, "/health") {
                Ok(status) => {
                    assert_eq!(status, "HTTP/1.1 200 OK");
                    return stream;
                }
                Err(error) => eprintln!("origin not ready: {error}"),
            }
        }
        assert!(
            Instant::now() < deadline,
            "origin did not listen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Origin with strong secrets in `dir` (its log, which it writes to stdout, to `stdout`),
/// healthy: the process, a keep-alive connection to it, and its port.
fn start_origin(dir: &TempDir, stdout: Stdio) -> (Running, TcpStream, u16) {
    let port = free_port();
    let env = [
        ("FESTIVAL_BATCH_SECRET", BATCH),
        ("FESTIVAL_MARKETER_TOKEN", TOKEN),
    ];
    let mut child = Running(
        origin(dir, port, &env)
            .stdout(stdout)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stream = connect_when_healthy(&mut child, port);
    (child, stream, port)
}

fn sigterm(child: &Child) {
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
}

#[test]
fn sigterm_stops_origin_cleanly_with_a_connection_open() {
    let dir = TempDir::new("sigterm");
    // An idle keep-alive connection, as the edge keeps: it must not hold the stop up.
    let (mut child, mut idle, port) = start_origin(&dir, Stdio::piped());
    let sent = Instant::now();
    sigterm(&child);
    let status = wait_for_exit(&mut child, Duration::from_secs(5));
    let mut log = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(
        log.contains("SIGTERM") && log.contains("origin stopped"),
        "{log}"
    );
    eprintln!("origin stopped {:?} after SIGTERM", sent.elapsed());
    // The idle connection was closed, and nobody listens any more.
    let mut rest = Vec::new();
    assert_eq!(
        idle.read_to_end(&mut rest).map(|_| rest.len()).ok(),
        Some(0)
    );
    assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err());
}

/// A batch of one order, signed as the edge signs it: the request's head and its body.
fn signed_batch(port: u16) -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let body = format!(
        r#"{{"orders":[{{"id":"lamp.0.0000000000000000000000000000beef","status":"reserved",
        "deal_id":"lamp","customer_id":"c1","idempotency_key":"key-12345678","quantity":1,
        "unit_price_minor":100,"total_minor":100,"currency":"USD","priced_at":{now}}}]}}"#
    );
    let signature = batch::sign(BATCH.as_bytes(), UnixMillis(now), body.as_bytes());
    let head = format!(
        "POST /internal/orders/batch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\
         {TIMESTAMP_HEADER}: {now}\r\n{SIGNATURE_HEADER}: {signature}\r\n\r\n",
        body.len()
    );
    (head, body)
}

#[test]
fn sigterm_lets_a_batch_in_flight_finish() {
    let dir = TempDir::new("in-flight");
    let (mut child, mut stream, port) = start_origin(&dir, Stdio::null());
    // The batch is in flight: its head and half its body are in when the signal comes.
    let (head, body) = signed_batch(port);
    let (first, second) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    sigterm(&child);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        child.try_wait().unwrap().is_none(),
        "origin left a batch unfinished"
    );
    stream.write_all(second.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(
        answer.contains(r#""stored":["lamp.0.0000000000000000000000000000beef"]"#),
        "{answer}"
    );
    let status = wait_for_exit(&mut child, Duration::from_secs(5));
    assert_eq!(status.code(), Some(0));
}

#[test]
fn origin_refuses_to_start_on_missing_short_or_published_secrets() {
    let dir = TempDir::new("refuse");
    // (environment, what the refusal must say)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case; 3] = [
        (
            &[],
            &[
                "FESTIVAL_BATCH_SECRET is not set",
                "FESTIVAL_MARKETER_TOKEN is not set",
            ],
        ),
        (
            &[
                ("FESTIVAL_BATCH_SECRET", "too-short"),
                ("FESTIVAL_MARKETER_TOKEN", TOKEN),
            ],
            &["FESTIVAL_BATCH_SECRET is 9 bytes long: a secret must have at least 32 bytes"],
        ),
        (
            &[
                ("FESTIVAL_BATCH_SECRET", BATCH),
                ("FESTIVAL_MARKETER_TOKEN", "festival-dev-marketer-token"),
            ],
            &["FESTIVAL_MARKETER_TOKEN is a published development value"],
        ),
    ];
    for (env, words) in cases {
        let log = refused_log(env);
        for word in words {
            assert!(log.contains(word), "{env:?}: {log}");
        }
        assert!(log.contains("refusing to start"), "{log}");
    }
    // Development mode starts on the published values (stopped at once by SIGTERM).
    let port = free_port();
    let mut child = Running(
        origin(&dir, port, &[])
            .arg("--dev")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    drop(connect_when_healthy(&mut child, port));
    sigterm(&child);
    assert_eq!(
        wait_for_exit(&mut child, Duration::from_secs(5)).code(),
        Some(0)
    );
}

/// `festival-origin` with `env` (and no secrets), which refuses to start (exit code 1): its log.
fn refused_log(env: &[(&str, &str)]) -> String {
    let dir = TempDir::new("refused");
    // Spawned, not `output()`: an origin that wrongly started would never end that call.
    let mut child = Running(
        origin(&dir, free_port(), env)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let status = wait_for_exit(&mut child, Duration::from_secs(10));
    let mut log = String::new();
    let mut stdout = child.stdout.take().unwrap();
    stdout.read_to_string(&mut log).unwrap();
    assert_eq!(status.code(), Some(1), "{env:?}: {log}");
    log
}

#[test]
fn a_json_log_is_one_object_per_line_and_an_unknown_format_is_refused() {
    let log = refused_log(&[("FESTIVAL_LOG_FORMAT", "json")]);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let refusal = lines.last().unwrap_or_else(|| panic!("no log: {log}"));
    assert_eq!(refusal["level"], "ERROR", "{refusal}");
    assert_eq!(refusal["target"], "festival_origin", "{refusal}");
    assert!(refusal["timestamp"].is_string(), "{refusal}");
    let message = refusal["fields"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("refusing to start") && message.contains("FESTIVAL_BATCH_SECRET"),
        "{refusal}"
    );

    let log = refused_log(&[("FESTIVAL_LOG_FORMAT", "xml")]);
    assert!(
        log.contains(r#"FESTIVAL_LOG_FORMAT: "xml""#) && log.contains("use json or text"),
        "{log}"
    );
}
