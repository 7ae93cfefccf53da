//! Origin settings, from flags or environment, with defaults that work on a laptop.

use std::net::SocketAddr;

use festival_domain::freeze::{DEFAULT_EDIT_FREEZE_S, EditFreeze};

/// Listen address, database and secrets.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where origin listens (`FESTIVAL_ORIGIN_ADDR`, `--addr`).
    pub addr: SocketAddr,
    /// sqlx database URL (`FESTIVAL_DATABASE_URL`, `--database-url`).
    pub database_url: String,
    /// Shared secret the edge signs batches with (`FESTIVAL_BATCH_SECRET`).
    pub batch_secret: String,
    /// Token the marketer console sends as `Authorization: Bearer …` (`FESTIVAL_MARKETER_TOKEN`).
    pub marketer_token: String,
    /// Seed the demo festival when the database has no deals (`--seed-demo`).
    pub seed_demo: bool,
    /// How long before its start a sale can no longer be edited or cancelled
    /// (`FESTIVAL_EDIT_FREEZE_S`, `--edit-freeze-s`; 600 s by default).
    pub edit_freeze: EditFreeze,
}

/// Local-only default secret; `main` warns when it is in use.
pub const DEV_BATCH_SECRET: &str = "festival-dev-batch-secret";
/// Local-only default console token.
pub const DEV_MARKETER_TOKEN: &str = "festival-dev-marketer-token";

impl Config {
    /// Reads flags (`--addr A`, `--database-url U`, `--edit-freeze-s S`, `--seed-demo`) over
    /// environment variables over defaults.
    pub fn from_args_and_env(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut config = Config {
            addr: env("FESTIVAL_ORIGIN_ADDR")
                .unwrap_or_else(|| "127.0.0.1:8788".into())
                .parse()
                .map_err(|e| format!("FESTIVAL_ORIGIN_ADDR: {e}"))?,
            database_url: env("FESTIVAL_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://.festival/origin.db".into()),
            batch_secret: env("FESTIVAL_BATCH_SECRET").unwrap_or_else(|| DEV_BATCH_SECRET.into()),
            marketer_token: env("FESTIVAL_MARKETER_TOKEN")
                .unwrap_or_else(|| DEV_MARKETER_TOKEN.into()),
            seed_demo: false,
            edit_freeze: match env("FESTIVAL_EDIT_FREEZE_S") {
                Some(value) => freeze_seconds("FESTIVAL_EDIT_FREEZE_S", &value)?,
                None => EditFreeze::seconds(DEFAULT_EDIT_FREEZE_S),
            },
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--addr" => {
                    let value = args.next().ok_or("--addr needs a value")?;
                    config.addr = value.parse().map_err(|e| format!("--addr: {e}"))?;
                }
                "--database-url" => {
                    config.database_url = args.next().ok_or("--database-url needs a value")?;
                }
                "--edit-freeze-s" => {
                    let value = args.next().ok_or("--edit-freeze-s needs a value")?;
                    config.edit_freeze = freeze_seconds("--edit-freeze-s", &value)?;
                }
                "--seed-demo" => config.seed_demo = true,
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(config)
    }
}

/// An edit freeze of `value` whole seconds (0 turns it off), or which setting is wrong.
fn freeze_seconds(setting: &str, value: &str) -> Result<EditFreeze, String> {
    value
        .trim()
        .parse()
        .map(EditFreeze::seconds)
        .map_err(|_| format!("{setting}: {value:?} is not a whole number of seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_environment_over_defaults() {
        let env = |key: &str| (key == "FESTIVAL_ORIGIN_ADDR").then(|| "127.0.0.1:9000".to_string());
        let config = Config::from_args_and_env(vec![], env).unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.batch_secret, DEV_BATCH_SECRET);

        let args = ["--addr", "127.0.0.1:9100", "--seed-demo"].map(String::from);
        let config = Config::from_args_and_env(args, env).unwrap();
        assert_eq!(config.addr.port(), 9100);
        assert!(config.seed_demo);

        assert!(Config::from_args_and_env(["--bogus".to_string()], env).is_err());
    }

    #[test]
    fn the_edit_freeze_is_ten_minutes_unless_set() {
        let none = |_: &str| None;
        let config = Config::from_args_and_env(vec![], none).unwrap();
        assert_eq!(config.edit_freeze, EditFreeze::seconds(600));

        let env = |key: &str| (key == "FESTIVAL_EDIT_FREEZE_S").then(|| "30".to_string());
        let config = Config::from_args_and_env(vec![], env).unwrap();
        assert_eq!(config.edit_freeze, EditFreeze::seconds(30));
        let args = ["--edit-freeze-s", "0"].map(String::from);
        let config = Config::from_args_and_env(args, env).unwrap();
        assert_eq!(config.edit_freeze, EditFreeze::seconds(0));

        let bad = |key: &str| (key == "FESTIVAL_EDIT_FREEZE_S").then(|| "ten".to_string());
        let error = Config::from_args_and_env(vec![], bad).unwrap_err();
        assert!(error.contains("FESTIVAL_EDIT_FREEZE_S"), "{error}");
        for args in [vec!["--edit-freeze-s", "-5"], vec!["--edit-freeze-s"]] {
            let args = args.into_iter().map(String::from);
            assert!(Config::from_args_and_env(args, none).is_err());
        }
    }
}
