//! Every `cargo xtask` command and the words it takes, in one table: `main` dispatches by it,
//! each command checks its arguments against its entry ([`festival_cli::flags::Flags`]), and
//! `--help` prints it. `rehearse` and `bench` are declared in `festival-load`, beside the code
//! that reads their flags.

use festival_domain::settings::DEV_MARKETER_TOKEN;

use festival_cli::flags::{Command, Flag};

/// Where `cargo xtask dev` serves; `reconcile` and `redrive` default to it.
const DEV_EDGE: &str = "http://127.0.0.1:8787";
const DEV_ORIGIN: &str = "http://127.0.0.1:8788";

const fn command(name: &'static str, summary: &'static str) -> Command {
    Command {
        name,
        operands: &[],
        flags: &[],
        summary,
        about: "",
    }
}

pub const SETUP: Command = Command {
    flags: &[Flag::switch("--browser", "also Chromium and chromedriver")],
    ..command(
        "setup",
        "Installs the toolchain: the wasm32 target, wasm-bindgen, worker-build, trunk and the \
         npm tools.",
    )
};

pub const BUILD: Command = Command {
    operands: &["app", "edge"],
    ..command(
        "build",
        "Builds the app (Trunk) and the edge (worker-build), release; or one of them.",
    )
};

pub const DEV: Command = command(
    "dev",
    "Builds, then runs origin and `wrangler dev` with a demo festival on http://127.0.0.1:8787.",
);

pub const TEST: Command = command(
    "test",
    "Everything CI checks: format, clippy, unit tests, a release build, end-to-end tests (also \
     on PostgreSQL).",
);

pub const DEPLOY: Command = Command {
    flags: &[
        Flag::optional(
            "--env",
            "NAME",
            "a wrangler.toml environment (staging, production)",
        ),
        Flag::optional("--origin-url", "URL", "origin's https address"),
        Flag::switch("--dry-run", "check and build, deploy nothing"),
    ],
    ..command(
        "deploy",
        "Checks (https origin, secrets set), builds and runs `wrangler deploy`.",
    )
};

pub const PACKAGE: Command = command(
    "package",
    "Builds origin as a release tarball for a Linux server run by systemd (target/package/).",
);

pub const FUZZ: Command = Command {
    flags: &[Flag::value("--cases", "N", "200000", "cases per fuzz test")],
    ..command(
        "fuzz",
        "The long run of the domain's parser fuzz tests, optimised, overflow checks on.",
    )
};

pub const SIMULATE: Command = Command {
    flags: &[
        Flag::value("--seed", "S", "1", "the first seed"),
        Flag::value("--seeds", "N", "1", "how many seeds, from the first"),
        Flag::value(
            "--steps",
            "N",
            "3000",
            "steps with faults before the world heals",
        ),
        Flag::optional(
            "--faults",
            "a,b",
            "the kinds of fault to inject (default: all)",
        ),
    ],
    ..command(
        "simulate",
        "Festival nights in a seeded, deterministic simulation of the stock core, queue and \
         origin under injected faults.",
    )
};

pub const RECONCILE: Command = Command {
    flags: &[
        Flag::value("--edge", "URL", DEV_EDGE, "the edge"),
        Flag::value("--origin", "URL", DEV_ORIGIN, "origin"),
        Flag::value("--token", "T", DEV_MARKETER_TOKEN, "the marketer's token"),
    ],
    ..command(
        "reconcile",
        "Compares the edge's sold units per deal with origin's stored orders; exits non-zero on \
         any difference.",
    )
};

pub const REDRIVE: Command = Command {
    flags: &[
        Flag::value("--edge", "URL", DEV_EDGE, "the edge"),
        Flag::value("--token", "T", DEV_MARKETER_TOKEN, "the marketer's token"),
    ],
    ..command(
        "redrive",
        "Sends the edge's dead letters to origin again; exit 1 if letters remain.",
    )
};

/// `rehearse` and `bench` declare their words beside the code that reads them.
pub use festival_load::bench::COMMAND as BENCH;
pub use festival_load::rehearse::COMMAND as REHEARSE;

pub const CAPACITY: Command = Command {
    flags: &[
        Flag::required("--orders-per-s", "R", "accepted orders a second"),
        Flag::required("--hot-deals", "D", "hot deals they spread over"),
        Flag::required("--stock", "S", "units a deal"),
        Flag::value(
            "--engine",
            "postgres|sqlite",
            "postgres",
            "origin's measured ingest",
        ),
    ],
    about: "Prints the deployment that takes R accepted orders/s spread evenly over D hot deals \
            of S units each: DealStock shards a deal, KeyClaims objects, queues, queue \
            messages/s, origin rows and transactions/s, Durable Object requests/s at the hottest \
            object, and each platform limit (its published figure and source) with the orders/s \
            today's deployment takes before it binds — at the per-order costs of the latest \
            `cargo xtask rehearse` (xtask/measured-costs.json, which every rehearsal writes) and \
            at issue 15's goals.",
    ..command(
        "capacity",
        "The deployment that takes a burst on Cloudflare, and the platform limit that binds \
         first, from the latest rehearsal's costs.",
    )
};

/// Every command, in the order `cargo xtask --help` lists them.
pub const ALL: [&Command; 14] = [
    &SETUP, &BUILD, &DEV, &TEST, &DEPLOY, &PACKAGE, &FUZZ, &SIMULATE, &RECONCILE, &REDRIVE,
    &REHEARSE, &BENCH, &CAPACITY, &HELP,
];

/// `cargo xtask help`, the same as `cargo xtask --help`.
pub const HELP: Command = command("help", "This list.");

/// The command called `name`.
pub fn find(name: &str) -> Option<&'static Command> {
    ALL.into_iter().find(|command| command.name == name)
}

/// What `cargo xtask --help` prints: each command's synopsis and summary.
pub fn usage() -> String {
    let mut text = String::from(
        "usage: cargo xtask <command> [arguments]; `cargo xtask <command> --help` tells more\n",
    );
    for command in ALL {
        text.push_str(&format!(
            "\n  {}\n      {}\n",
            command.synopsis(),
            command.summary
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_usage_shows_every_flag() {
        for (i, command) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|other| other.name != command.name));
            for flag in command.flags {
                assert!(flag.name.starts_with("--"), "{}", flag.name);
                assert!(command.synopsis().contains(flag.name));
                assert!(command.help().contains(flag.help));
            }
            assert!(usage().contains(&command.synopsis()));
        }
    }
}
