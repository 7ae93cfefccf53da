//! What bounds a scenario's figure, read from the CPU its processes used: the one thread that
//! runs the Worker (workerd runs every isolate of a runtime on one thread, so ~100 % of a core
//! is its ceiling), or the machine's cores, shared with whatever else was busy, or neither —
//! then the figure waited on something.

use std::collections::BTreeMap;

use crate::dev_proxy::WORKER_RUNTIME;

/// At or above this share of one core, the Worker's thread is taken as full.
const THREAD_FULL_PERCENT: f64 = 90.0;
/// At or above this share of all cores, the machine is taken as full (what no process is
/// charged for — loopback networking in softirqs, the hypervisor — takes some of the rest).
const CORES_FULL_SHARE: f64 = 0.8;

/// The bound, in words, for CPU percentages (of one core) per process on `cores` cores.
pub fn bound(cpu_percent: &BTreeMap<String, f64>, cores: usize) -> String {
    let worker = cpu_percent.get(WORKER_RUNTIME).copied().unwrap_or(0.0);
    if worker >= THREAD_FULL_PERCENT {
        return format!("the Worker's thread ({worker:.0} %)");
    }
    let total: f64 = cpu_percent.values().sum();
    let capacity = 100.0 * cores.max(1) as f64;
    if total < CORES_FULL_SHARE * capacity {
        return format!(
            "waiting: neither the Worker's thread ({worker:.0} %) nor the {cores} cores \
             ({total:.0} % of {capacity:.0}) full"
        );
    }
    let mut others: Vec<(&String, f64)> = cpu_percent
        .iter()
        .filter(|(name, _)| name.as_str() != WORKER_RUNTIME)
        .map(|(name, percent)| (name, *percent))
        .collect();
    others.sort_by(|a, b| b.1.total_cmp(&a.1));
    let busiest: Vec<String> = others
        .iter()
        .take(2)
        .map(|(name, percent)| format!("{name} {percent:.0} %"))
        .collect();
    if worker > 0.0 {
        format!(
            "the {cores} cores: the Worker {worker:.0} %, {}",
            busiest.join(", ")
        )
    } else {
        format!("the {cores} cores: {}", busiest.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(n, p)| ((*n).to_owned(), *p)).collect()
    }

    #[test]
    fn a_full_worker_thread_is_the_bound() {
        let used = cpu(&[(WORKER_RUNTIME, 101.0), ("xtask (load)", 14.0)]);
        assert_eq!(bound(&used, 2), "the Worker's thread (101 %)");
    }

    #[test]
    fn full_cores_name_the_worker_and_the_two_busiest_others() {
        let used = cpu(&[
            (WORKER_RUNTIME, 60.0),
            ("workerd (dev proxy)", 69.0),
            ("node", 29.0),
            ("xtask (load)", 9.0),
            ("esbuild", 1.0),
        ]);
        assert_eq!(
            bound(&used, 2),
            "the 2 cores: the Worker 60 %, workerd (dev proxy) 69 %, node 29 %"
        );
        let native = cpu(&[("festival-origin", 107.0), ("xtask (load)", 79.0)]);
        assert_eq!(
            bound(&native, 2),
            "the 2 cores: festival-origin 107 %, xtask (load) 79 %"
        );
    }

    #[test]
    fn neither_full_says_it_waited() {
        let used = cpu(&[(WORKER_RUNTIME, 80.0), ("node", 60.0)]);
        assert_eq!(
            bound(&used, 2),
            "waiting: neither the Worker's thread (80 %) nor the 2 cores (140 % of 200) full"
        );
    }
}
