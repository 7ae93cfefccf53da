//! The local Festival every tool starts: origin and the edge on free loopback ports, each in a
//! process group of its own that dies with the tool; the secrets, rate limits and minted
//! shoppers of a throw-away stack; a PostgreSQL to run origin on; and the questions asked of a
//! running stack (does the edge agree with origin?). `cargo xtask`, the load tools
//! (`festival-load`) and the end-to-end tests (`tests/`) all start it from here.

pub mod client;
pub mod local;
pub mod paths;
pub mod ports;
pub mod postgres;
pub mod process;
pub mod reconcile;
pub mod throwaway;
pub mod watchdog;
