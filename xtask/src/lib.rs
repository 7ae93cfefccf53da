//! The parts of Festival's automation that the end-to-end tests share with `cargo xtask`:
//! where things are, how to start and stop the local stack's processes, reconcile, redrive and
//! the deploy checks.

pub mod commands;
pub mod deploy;
pub mod flags;
pub mod paths;
pub mod ports;
pub mod postgres;
pub mod reconcile;
pub mod redrive;
pub mod simulate;
pub mod stack;
pub mod test_stack;
pub mod watchdog;
