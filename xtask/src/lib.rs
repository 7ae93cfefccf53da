//! The parts of Festival's automation that the end-to-end tests share with `cargo xtask`:
//! where things are, how to start and stop the local stack's processes, reconcile and redrive.

pub mod paths;
pub mod reconcile;
pub mod redrive;
pub mod simulate;
pub mod stack;
