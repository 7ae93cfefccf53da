//! How every tool ends when it does not succeed, and the exit code that tells a script why.

use std::fmt;
use std::process::ExitCode;

/// Why a command ended without success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It ran and found a problem, in what it checked (edge and origin differ, a promise broke,
    /// a test failed) or in how it was called (an unknown command or flag): exit 1.
    Found(String),
    /// It could not do its job: a tool, a build, a port or a stack that would not start: exit 2.
    CouldNotRun(String),
}

impl Failure {
    /// 1 for [`Failure::Found`], 2 for [`Failure::CouldNotRun`].
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Found(_) => ExitCode::from(1),
            Failure::CouldNotRun(_) => ExitCode::from(2),
        }
    }
}

/// A plain error message is a command that could not run; a problem found says so.
impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::CouldNotRun(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::CouldNotRun(message.to_owned())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Found(message) | Failure::CouldNotRun(message) => f.write_str(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_found_exits_1_and_anything_else_2() {
        let found = Failure::Found("edge and origin differ".into());
        assert_eq!(found.exit_code(), ExitCode::from(1));
        let failed: Failure = String::from("wrangler is missing").into();
        assert_eq!(failed.exit_code(), ExitCode::from(2));
        assert_eq!(failed.to_string(), "wrangler is missing");
    }
}
