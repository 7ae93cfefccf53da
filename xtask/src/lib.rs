//! The parts of Festival's automation that the end-to-end tests share with `cargo xtask`:
//! where things are, and how to start and stop the local stack's processes.

pub mod paths;
pub mod reconcile;
pub mod stack;
