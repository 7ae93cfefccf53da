//! A long command's steps, named and timed as they run.

use std::time::Instant;

/// A named step of a long command: prints when it starts and how long it took.
pub struct Step {
    name: &'static str,
    started: Instant,
}

impl Step {
    /// Prints `==> name` and starts the clock.
    pub fn new(name: &'static str) -> Step {
        println!("==> {name}");
        Step {
            name,
            started: Instant::now(),
        }
    }

    /// Prints how long the step took.
    pub fn done(self) {
        println!("    {} done in {:.0?}", self.name, self.started.elapsed());
    }
}
