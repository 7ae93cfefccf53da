//! `--name value` flags of a command, each with a default; an unknown flag is an error.

use std::str::FromStr;

pub struct Flags<'a> {
    args: &'a [String],
}

impl<'a> Flags<'a> {
    /// Checks that every `--flag` in `args` is one of `known` (each taking a value, except those
    /// in `switches`).
    pub fn new(args: &'a [String], known: &[&str], switches: &[&str]) -> Result<Self, String> {
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_str();
            if switches.contains(&arg) {
                i += 1;
            } else if known.contains(&arg) {
                if args.get(i + 1).is_none() {
                    return Err(format!("{arg} needs a value"));
                }
                i += 2;
            } else {
                return Err(format!("unknown argument {arg}"));
            }
        }
        Ok(Flags { args })
    }

    /// The value after `name`, parsed, or `default`.
    pub fn get<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.args.iter().position(|a| a == name) {
            Some(i) => self.args[i + 1]
                .parse()
                .map_err(|_| format!("{name}: cannot read {:?}", self.args[i + 1])),
            None => Ok(default),
        }
    }

    /// Whether the switch `name` is given.
    pub fn has(&self, name: &str) -> bool {
        self.args.iter().any(|a| a == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_with_defaults_and_refuse_unknown_ones() {
        let args: Vec<String> = ["--shoppers", "600", "--quiet"].map(String::from).into();
        let flags = Flags::new(&args, &["--shoppers", "--deals"], &["--quiet"]).unwrap();
        assert_eq!(flags.get("--shoppers", 2000usize).unwrap(), 600);
        assert_eq!(flags.get("--deals", 3u32).unwrap(), 3);
        assert!(flags.has("--quiet"));
        assert!(Flags::new(&args, &["--deals"], &["--quiet"]).is_err());
        let missing: Vec<String> = vec!["--deals".into()];
        assert!(Flags::new(&missing, &["--deals"], &[]).is_err());
        let bad: Vec<String> = ["--deals", "x"].map(String::from).into();
        let flags = Flags::new(&bad, &["--deals"], &[]).unwrap();
        assert!(flags.get("--deals", 3u32).is_err());
    }
}
