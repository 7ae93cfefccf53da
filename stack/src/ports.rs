//! Whether a fixed local port is free, and if not, what holds it: `cargo xtask dev` checks its
//! ports before it builds anything, since a `wrangler dev` left on its port would hot-reload the
//! new build into the old shop before origin failed to bind.

use std::net::{Ipv4Addr, TcpListener};

/// Fails, naming the port, what it is for and (where `/proc` tells) the process holding it,
/// when 127.0.0.1:`port` cannot be bound.
pub fn ensure_free(port: u16, what: &str) -> Result<(), String> {
    // Binding is the test that counts: a listener on 0.0.0.0 takes the port as well. Rust sets
    // SO_REUSEADDR, so a closed connection's TIME_WAIT does not count as taken.
    let Err(error) = TcpListener::bind((Ipv4Addr::LOCALHOST, port)) else {
        return Ok(());
    };
    let held_by = holder(port).map_or(String::new(), |holder| format!(", held by {holder}"));
    Err(format!(
        "port {port} ({what}) is taken{held_by} ({error}); stop that process (an earlier \
         `cargo xtask dev`?) and run again"
    ))
}

/// `pid N (command line)` of a process listening on TCP `port`, from `/proc`; `None` where it
/// cannot be seen (another user's process, or no `/proc`).
fn holder(port: u16) -> Option<String> {
    let inode = listening_inodes(port).into_iter().next()?;
    let socket = format!("socket:[{inode}]");
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let dir = entry.ok()?.path();
        let pid: u32 = dir.file_name()?.to_str()?.parse().ok()?;
        let holds = std::fs::read_dir(dir.join("fd"))
            .ok()?
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .any(|target| target.as_os_str() == socket.as_str());
        if !holds {
            return None;
        }
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let words: Vec<String> = cmdline
            .split(|byte| *byte == 0)
            .filter(|word| !word.is_empty())
            .map(|word| String::from_utf8_lossy(word).into_owned())
            .collect();
        // Arguments may hold newlines (`sh -c` scripts): one line of words.
        let mut command = words
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if command.len() > 120 {
            command = format!("{}…", command.chars().take(120).collect::<String>());
        }
        Some(format!("pid {pid} ({command})"))
    })
}

/// The socket inodes listening on TCP `port`, over IPv4 and IPv6.
fn listening_inodes(port: u16) -> Vec<String> {
    const LISTEN: &str = "0A";
    let port = format!("{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| {
                    // local_address rem_address st tx_queue:rx_queue tr:when retrnsmt uid
                    // timeout inode
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let local_port = fields.get(1)?.rsplit_once(':')?.1;
                    (local_port == port && *fields.get(3)? == LISTEN)
                        .then(|| fields.get(9).map(|inode| (*inode).to_owned()))?
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_named_with_what_holds_it() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let refusal = ensure_free(port, "the edge").unwrap_err();
        assert!(
            refusal.starts_with(&format!("port {port} (the edge) is taken")),
            "{refusal}"
        );
        assert!(
            refusal.contains(&format!("held by pid {} (", std::process::id())),
            "{refusal}"
        );
        drop(listener);
        assert_eq!(ensure_free(port, "the edge"), Ok(()));
    }
}
