//! Festival's load tools, run by `cargo xtask bench` and `cargo xtask rehearse` against the
//! local stack (`festival-stack`) they start and stop: `generator` sends the load and tallies
//! the answers, `cpu` and `dev_proxy` tell what each process spent, `costs` and `probes` read
//! what the Durable Objects counted; `bench` measures throughput ratios, the bundle and the first
//! paint, `rehearse` runs a festival burst and checks its promises.

pub mod bench;
pub mod costs;
pub mod cpu;
pub mod dev_proxy;
pub mod generator;
pub mod probes;
pub mod rehearse;
