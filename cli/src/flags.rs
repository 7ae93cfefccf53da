//! The words a command takes, declared once ([`Command`], in `commands.rs`): they check its
//! arguments ([`Flags::new`] refuses anything undeclared), answer its values, and write its
//! usage, so the usage cannot drift from the flags the command reads.

use std::fmt::Write as _;
use std::str::FromStr;

/// A `cargo xtask` command's words.
pub struct Command {
    pub name: &'static str,
    /// The bare words it takes, at most one of them (`build app`).
    pub operands: &'static [&'static str],
    pub flags: &'static [Flag],
    /// One line, for `cargo xtask --help`.
    pub summary: &'static str,
    /// More, for `cargo xtask NAME --help`; may be empty.
    pub about: &'static str,
}

/// A `--name value` flag, or a switch (`--name` alone).
#[derive(Debug)]
pub struct Flag {
    pub name: &'static str,
    /// What the value is called (`N`); empty for a switch.
    pub value: &'static str,
    pub default: FlagDefault,
    pub help: &'static str,
}

/// What a flag's value is when the flag is not given.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FlagDefault {
    /// This, as the usage shows it; the code's default must read the same (see [`Flags::get`]).
    Is(&'static str),
    /// Nothing: the command does without (a switch is off).
    Absent,
    /// The flag must be given.
    Required,
}

impl Flag {
    /// A flag taking a value, with a default.
    pub const fn value(
        name: &'static str,
        value: &'static str,
        default: &'static str,
        help: &'static str,
    ) -> Flag {
        Flag {
            name,
            value,
            default: FlagDefault::Is(default),
            help,
        }
    }

    /// A flag taking a value, optional and without a default.
    pub const fn optional(name: &'static str, value: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            value,
            default: FlagDefault::Absent,
            help,
        }
    }

    /// A flag that must be given.
    pub const fn required(name: &'static str, value: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            value,
            default: FlagDefault::Required,
            help,
        }
    }

    /// A switch: on when given.
    pub const fn switch(name: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            value: "",
            default: FlagDefault::Absent,
            help,
        }
    }

    fn is_switch(&self) -> bool {
        self.value.is_empty()
    }

    /// `--name VALUE`, in brackets unless required.
    fn synopsis(&self) -> String {
        let words = if self.is_switch() {
            self.name.to_owned()
        } else {
            format!("{} {}", self.name, self.value)
        };
        match self.default {
            FlagDefault::Required => words,
            _ => format!("[{words}]"),
        }
    }
}

/// Whether `args` ask for help (`--help` or `-h` anywhere).
pub fn asks_for_help(args: &[String]) -> bool {
    args.iter().any(|arg| arg == "--help" || arg == "-h")
}

impl Command {
    /// `cargo xtask NAME [OPERAND] [--flag V] …`.
    pub fn synopsis(&self) -> String {
        let mut line = format!("cargo xtask {}", self.name);
        if !self.operands.is_empty() {
            let _ = write!(line, " [{}]", self.operands.join("|"));
        }
        for flag in self.flags {
            let _ = write!(line, " {}", flag.synopsis());
        }
        line
    }

    /// What `cargo xtask NAME --help` prints.
    pub fn help(&self) -> String {
        let mut text = format!("usage: {}\n\n{}\n", self.synopsis(), self.summary);
        if !self.about.is_empty() {
            let _ = write!(text, "\n{}\n", self.about);
        }
        if !self.flags.is_empty() {
            text.push('\n');
        }
        let width = self
            .flags
            .iter()
            .map(|f| flag_words(f).len())
            .max()
            .unwrap_or(0);
        for flag in self.flags {
            let _ = write!(text, "  {:width$}  {}", flag_words(flag), flag.help);
            match flag.default {
                FlagDefault::Is(value) => {
                    let _ = writeln!(text, " (default {value})");
                }
                FlagDefault::Required => text.push_str(" (required)\n"),
                FlagDefault::Absent => text.push('\n'),
            }
        }
        text
    }

    fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|flag| flag.name == name)
    }
}

fn flag_words(flag: &Flag) -> String {
    format!("{} {}", flag.name, flag.value)
        .trim_end()
        .to_owned()
}

/// A command's arguments, checked against its declaration.
pub struct Flags<'a> {
    args: &'a [String],
    command: &'a Command,
    operand: Option<&'a str>,
}

impl<'a> Flags<'a> {
    /// Checks that every argument is a declared flag (with its value) or operand, and that every
    /// required flag is given.
    pub fn new(args: &'a [String], command: &'a Command) -> Result<Self, String> {
        let refuse = |what: String| {
            Err(format!(
                "{what} (see `cargo xtask {} --help`)",
                command.name
            ))
        };
        let mut operand = None;
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_str();
            match command.flag(arg) {
                Some(flag) if flag.is_switch() => i += 1,
                Some(_) if args.get(i + 1).is_none() => {
                    return refuse(format!("{arg} needs a value"));
                }
                Some(_) => i += 2,
                None if operand.is_none() && command.operands.contains(&arg) => {
                    operand = Some(arg);
                    i += 1;
                }
                None => {
                    return refuse(format!(
                        "unknown argument {arg} for `cargo xtask {}`",
                        command.name
                    ));
                }
            }
        }
        for flag in command.flags {
            if flag.default == FlagDefault::Required && !args.iter().any(|a| a == flag.name) {
                return refuse(format!("{} is required", flag.name));
            }
        }
        Ok(Flags {
            args,
            command,
            operand,
        })
    }

    /// The value after `name`, parsed, or `default` — which must be the default the usage
    /// shows, so that the code and its usage cannot disagree (an error on the first run
    /// otherwise, whatever the arguments).
    pub fn get<T: FromStr + PartialEq>(&self, name: &str, default: T) -> Result<T, String> {
        let flag = self.declared(name)?;
        if let FlagDefault::Is(shown) = flag.default
            && shown.parse::<T>().ok().as_ref() != Some(&default)
        {
            return Err(format!(
                "{name}: the code's default is not the {shown} that `cargo xtask {} --help` shows",
                self.command.name
            ));
        }
        match self.args.iter().position(|a| a == name) {
            Some(i) => self.args[i + 1]
                .parse()
                .map_err(|_| format!("{name}: cannot read {:?}", self.args[i + 1])),
            None => Ok(default),
        }
    }

    /// Whether the switch `name` is given; a name the command does not declare never is (and
    /// fails debug builds, the tests', so that a misspelt switch is found).
    pub fn has(&self, name: &str) -> bool {
        let declared = self.declared(name);
        debug_assert!(declared.is_ok(), "{declared:?}");
        declared.is_ok() && self.args.iter().any(|a| a == name)
    }

    /// The operand given, if any.
    pub fn operand(&self) -> Option<&'a str> {
        self.operand
    }

    fn declared(&self, name: &str) -> Result<&Flag, String> {
        self.command.flag(name).ok_or_else(|| {
            format!(
                "{name} is not declared for `cargo xtask {}`",
                self.command.name
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: Command = Command {
        name: "sample",
        operands: &["app", "edge"],
        flags: &[
            Flag::value("--shoppers", "N", "2000", "how many"),
            Flag::optional("--only", "LIST", "which"),
            Flag::switch("--quiet", "say less"),
        ],
        summary: "A command for the tests.",
        about: "",
    };

    fn words(line: &[&str]) -> Vec<String> {
        line.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn flags_parse_with_defaults_and_refuse_unknown_ones() {
        let args = words(&["--shoppers", "600", "--quiet"]);
        let flags = Flags::new(&args, &SAMPLE).unwrap();
        assert_eq!(flags.get("--shoppers", 2000usize).unwrap(), 600);
        assert_eq!(flags.get("--only", String::new()).unwrap(), "");
        assert!(flags.has("--quiet"));
        assert_eq!(flags.operand(), None);
        let refusal = Flags::new(&words(&["--deals", "3"]), &SAMPLE)
            .err()
            .unwrap();
        assert!(refusal.contains("unknown argument --deals"), "{refusal}");
        assert!(Flags::new(&words(&["--shoppers"]), &SAMPLE).is_err());
        let bad = words(&["--shoppers", "x"]);
        assert!(
            Flags::new(&bad, &SAMPLE)
                .unwrap()
                .get("--shoppers", 2000u32)
                .is_err()
        );
    }

    #[test]
    fn one_declared_operand_is_taken() {
        let flags_of = |line: &[&str]| {
            Flags::new(&words(line), &SAMPLE).map(|f| f.operand().map(str::to_owned))
        };
        assert_eq!(flags_of(&["edge"]), Ok(Some("edge".to_owned())));
        assert!(flags_of(&["web"]).is_err());
        assert!(flags_of(&["app", "edge"]).is_err());
    }

    #[test]
    fn a_default_or_a_name_the_usage_does_not_show_is_refused() {
        let none: Vec<String> = Vec::new();
        let flags = Flags::new(&none, &SAMPLE).unwrap();
        assert!(flags.get("--shoppers", 2001usize).is_err());
        assert!(flags.get("--deals", 3u32).is_err());
    }

    #[test]
    fn required_flags_must_be_given() {
        const NEEDS: Command = Command {
            flags: &[Flag::required("--stock", "S", "units")],
            ..SAMPLE
        };
        assert!(Flags::new(&[], &NEEDS).is_err());
        assert!(Flags::new(&words(&["--stock", "1"]), &NEEDS).is_ok());
        assert!(
            NEEDS.synopsis().ends_with(" --stock S"),
            "{}",
            NEEDS.synopsis()
        );
    }

    #[test]
    fn the_usage_names_every_flag_with_its_default() {
        assert_eq!(
            SAMPLE.synopsis(),
            "cargo xtask sample [app|edge] [--shoppers N] [--only LIST] [--quiet]"
        );
        let help = SAMPLE.help();
        assert!(
            help.contains("  --shoppers N  how many (default 2000)\n"),
            "{help}"
        );
        assert!(help.contains("  --quiet       say less\n"), "{help}");
    }
}
