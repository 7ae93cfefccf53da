//! How Festival's tools talk to whoever runs them: the flags a command takes, declared once;
//! its steps as they run; and the exit code it ends with (1: it found a problem, 2: it could
//! not run).

pub mod failure;
pub mod flags;
pub mod steps;

pub use failure::Failure;
