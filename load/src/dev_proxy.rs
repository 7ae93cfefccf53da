//! Behind `wrangler dev`'s public port is a proxy: one workerd runs wrangler's proxy worker on
//! that port and forwards to a second workerd that runs Festival's Worker (and tells node about
//! every request for its log). To see what the proxy costs, `bench` also measures that second
//! runtime's own entry socket, found here from `/proc` (Linux only).

use std::time::Duration;

/// Loopback ports `pid` listens on (TCP, IPv4), from its socket inodes and `/proc/net/tcp`.
pub fn listening_ports(pid: u32) -> Vec<u16> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let inodes: Vec<String> = fds
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            link.strip_prefix("socket:[")
                .and_then(|rest| rest.strip_suffix(']'))
                .map(str::to_owned)
        })
        .collect();
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(parse_listen_line)
        .filter(|(_, inode)| inodes.contains(inode))
        .map(|(port, _)| port)
        .collect()
}

/// A `/proc/net/tcp` line in state LISTEN: its local port and socket inode.
pub fn parse_listen_line(line: &str) -> Option<(u16, String)> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let local = fields.get(1)?;
    if *fields.get(3)? != "0A" {
        return None;
    }
    let port = u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()?;
    Some((port, (*fields.get(9)?).to_owned()))
}

/// The workerd processes in process group `group`.
fn workerd_pids(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| crate::cpu::parse_stat(&stat))
                .is_some_and(|(name, g, _)| name == "workerd" && g == group as i32)
        })
        .collect()
}

/// Name, in CPU figures, of the workerd that runs wrangler's proxy worker on the public port.
pub const PROXY_RUNTIME: &str = "workerd (dev proxy)";
/// Name, in CPU figures, of the workerd behind it, which runs Festival's Worker.
pub const WORKER_RUNTIME: &str = "workerd (Worker)";

/// The workerd processes of `wrangler_group`, each with its role: [`PROXY_RUNTIME`] for the one
/// listening on `public_port`, [`WORKER_RUNTIME`] for the others.
pub fn runtimes(wrangler_group: u32, public_port: u16) -> Vec<(u32, &'static str)> {
    workerd_pids(wrangler_group)
        .into_iter()
        .map(|pid| {
            let role = if listening_ports(pid).contains(&public_port) {
                PROXY_RUNTIME
            } else {
                WORKER_RUNTIME
            };
            (pid, role)
        })
        .collect()
}

/// The base URL of the runtime that runs Festival's Worker, bypassing the dev proxy on
/// `public_port`: the first socket of the Worker's workerd that answers `GET /api/health` ok.
pub fn find_worker_runtime(wrangler_group: u32, public_port: u16) -> Option<String> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    runtimes(wrangler_group, public_port)
        .into_iter()
        .filter(|(_, role)| *role == WORKER_RUNTIME)
        .flat_map(|(pid, _)| listening_ports(pid))
        .map(|port| format!("http://127.0.0.1:{port}"))
        .find(|base| {
            agent
                .get(&format!("{base}/api/health"))
                .call()
                .ok()
                .filter(|r| r.status() == 200)
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .is_some_and(|body| body.contains("\"ok\""))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_lines_give_port_and_inode() {
        let listen = "   3: 0100007F:9183 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0";
        assert_eq!(parse_listen_line(listen), Some((0x9183, "123456".into())));
        let established = "   4: 0100007F:9183 0100007F:D2B4 01 00000000:00000000 00:00000000 00000000     0        0 123457 1 0000000000000000 20 4 30 10 -1";
        assert_eq!(parse_listen_line(established), None);
    }
}
