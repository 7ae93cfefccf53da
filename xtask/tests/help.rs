//! `cargo xtask --help` and `cargo xtask NAME --help` (or `-h`) print the usage and exit 0 for
//! every command; an unknown flag is refused with exit 1 before the command runs.

use std::process::{Command, Output};

use xtask::commands;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

/// Every command but `help`, which is the list whatever follows it.
fn runnable() -> impl Iterator<Item = &'static festival_cli::flags::Command> {
    commands::ALL
        .into_iter()
        .filter(|command| command.name != commands::HELP.name)
}

#[test]
fn help_lists_every_command_and_exits_0() {
    for flag in ["--help", "-h", "help"] {
        let output = xtask(&[flag]);
        assert_eq!(output.status.code(), Some(0), "{flag}");
        let text = String::from_utf8_lossy(&output.stdout);
        for command in commands::ALL {
            assert!(text.contains(&command.synopsis()), "{flag}: {text}");
        }
    }
}

#[test]
fn every_command_answers_help_with_its_usage_and_exits_0() {
    for command in runnable() {
        for flag in ["--help", "-h"] {
            let output = xtask(&[command.name, flag]);
            assert_eq!(output.status.code(), Some(0), "{} {flag}", command.name);
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(
                text.starts_with(&format!("usage: {}\n", command.synopsis())),
                "{} {flag}: {text}",
                command.name
            );
        }
    }
}

#[test]
fn an_unknown_flag_is_refused_before_anything_runs() {
    for command in runnable() {
        let output = xtask(&[command.name, "--no-such-flag"]);
        assert_eq!(output.status.code(), Some(1), "{}", command.name);
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(
            text.contains("unknown argument --no-such-flag"),
            "{}: {text}",
            command.name
        );
    }
    let output = xtask(&["no-such-command"]);
    assert_eq!(output.status.code(), Some(1));
}
