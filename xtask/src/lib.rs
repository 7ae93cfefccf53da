//! The parts of Festival's automation that the end-to-end tests share with `cargo xtask`: the
//! commands' declarations, redrive, the deploy checks and the simulation. The local stack they
//! start is `festival-stack`; the load tools are `festival-load`.

pub mod commands;
pub mod deploy;
pub mod redrive;
pub mod simulate;
