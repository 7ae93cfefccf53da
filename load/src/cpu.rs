//! CPU time of the stack's processes, from `/proc/<pid>/stat` (what `ps` shows as TIME), to see
//! which process a benchmark keeps busy: workerd (the Worker and its Durable Objects), node
//! (wrangler and its dev proxy), origin, or this load generator.

use std::collections::BTreeMap;

/// Clock ticks per second of `utime`/`stime` (USER_HZ, 100 on Linux).
const TICKS_PER_S: f64 = 100.0;

/// CPU seconds per process name, for the processes in the watched process groups and this one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot(pub BTreeMap<String, f64>);

/// The fields of `/proc/<pid>/stat` we need: name, process group, user + system CPU seconds.
pub fn parse_stat(stat: &str) -> Option<(String, i32, f64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_owned();
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // After the name: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    let group = fields.get(2)?.parse().ok()?;
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((name, group, (utime + stime) / TICKS_PER_S))
}

/// Reads every process whose group is in `groups`, and this process (as "xtask (load)"); a
/// process listed in `named` goes by the name given there (two workerds do different work).
pub fn snapshot(groups: &[u32], named: &[(u32, &str)]) -> Snapshot {
    let mut totals = BTreeMap::new();
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Snapshot(totals);
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((name, group, seconds)) = parse_stat(&stat) else {
            continue;
        };
        let name = if pid == me {
            "xtask (load)".to_owned()
        } else if groups.iter().any(|g| *g as i32 == group) {
            named
                .iter()
                .find(|(named_pid, _)| *named_pid == pid)
                .map_or(name, |(_, given)| (*given).to_owned())
        } else {
            continue;
        };
        *totals.entry(name).or_insert(0.0) += seconds;
    }
    Snapshot(totals)
}

/// Per process name, percent of one core used between `before` and `after` over `seconds`.
pub fn busy_percent(before: &Snapshot, after: &Snapshot, seconds: f64) -> BTreeMap<String, f64> {
    after
        .0
        .iter()
        .map(|(name, total)| {
            let used = total - before.0.get(name).copied().unwrap_or(0.0);
            let percent = if seconds > 0.0 {
                100.0 * used / seconds
            } else {
                0.0
            };
            (name.clone(), percent)
        })
        .filter(|(_, percent)| *percent >= 0.5)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_name_group_and_cpu() {
        let stat = "4242 (workerd (x)) S 4200 4100 4100 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0";
        let (name, group, seconds) = parse_stat(stat).unwrap();
        assert_eq!(name, "workerd (x)");
        assert_eq!(group, 4100);
        assert!((seconds - 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_named_process_goes_by_the_name_given() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep runs");
        let own = std::fs::read_to_string("/proc/self/stat").expect("/proc is there");
        let (_, group, _) = parse_stat(&own).expect("a stat line");
        let seen = snapshot(&[group as u32], &[(child.id(), "sleeper")]);
        let _ = child.kill();
        let _ = child.wait();
        assert!(seen.0.contains_key("sleeper"), "{seen:?}");
        assert!(!seen.0.contains_key("sleep"), "{seen:?}");
    }

    #[test]
    fn busy_percent_is_cpu_over_wall_time() {
        let before = Snapshot(BTreeMap::from([
            ("workerd".into(), 1.0),
            ("node".into(), 2.0),
        ]));
        let after = Snapshot(BTreeMap::from([
            ("workerd".into(), 4.0),
            ("node".into(), 2.0),
            ("origin".into(), 0.6),
        ]));
        let busy = busy_percent(&before, &after, 2.0);
        assert!((busy["workerd"] - 150.0).abs() < 1e-9);
        assert!(!busy.contains_key("node"));
        assert!((busy["origin"] - 30.0).abs() < 1e-9);
    }
}
