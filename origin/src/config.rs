//! Origin settings, from flags or environment, with defaults that work on a laptop.

use std::net::SocketAddr;

use festival_domain::freeze::{DEFAULT_EDIT_FREEZE_S, EditFreeze};
use festival_domain::settings::{self, DEV_BATCH_SECRET, DEV_MARKETER_TOKEN};

/// Listen address, database and secrets.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where origin listens (`FESTIVAL_ORIGIN_ADDR`, `--addr`).
    pub addr: SocketAddr,
    /// sqlx database URL (`FESTIVAL_DATABASE_URL`, `--database-url`).
    pub database_url: String,
    /// Shared secret the edge signs batches with (`FESTIVAL_BATCH_SECRET`): at least 32 bytes,
    /// and not a published value, outside development mode.
    pub batch_secret: String,
    /// Token the marketer console sends as `Authorization: Bearer …` (`FESTIVAL_MARKETER_TOKEN`),
    /// held to the same rules.
    pub marketer_token: String,
    /// Who the token's changes are recorded as in the audit log (`FESTIVAL_MARKETER_LABEL`;
    /// `marketer` by default).
    pub marketer_label: String,
    /// Development mode (`--dev`): missing secrets become the published development values
    /// and weak ones are let through. Only for a stack on this machine.
    pub dev: bool,
    /// Seed the demo festival when the database has no deals (`--seed-demo`).
    pub seed_demo: bool,
    /// How long before its start a sale can no longer be edited or cancelled
    /// (`FESTIVAL_EDIT_FREEZE_S`, `--edit-freeze-s`; 600 s by default).
    pub edit_freeze: EditFreeze,
    // The log format is checked here but read by `LogFormat::from_args_and_env`, before the
    // rest: logging starts first, so that a refused setting is logged in that format.
}

/// The environment variable of the batch secret.
pub const BATCH_SECRET_VAR: &str = "FESTIVAL_BATCH_SECRET";
/// The environment variable of the marketer token.
pub const MARKETER_TOKEN_VAR: &str = "FESTIVAL_MARKETER_TOKEN";
/// The environment variable of the log format.
pub const LOG_FORMAT_VAR: &str = "FESTIVAL_LOG_FORMAT";

/// How origin writes its log to stdout (`FESTIVAL_LOG_FORMAT`, `--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `text`: lines for a person at a terminal (the default).
    #[default]
    Text,
    /// `json`: one JSON object per line (timestamp, level, target, fields), for a collector.
    Json,
}

impl LogFormat {
    /// The format the last `--log-format F` flag, over `FESTIVAL_LOG_FORMAT`, asks for; text
    /// when neither is given. Any value but `json` or `text` is refused, naming the setting.
    pub fn from_args_and_env(
        args: &[String],
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut format = match env(LOG_FORMAT_VAR) {
            Some(value) => LogFormat::parse(LOG_FORMAT_VAR, &value)?,
            None => LogFormat::Text,
        };
        if let Some(at) = args.iter().rposition(|arg| arg == "--log-format") {
            let value = args.get(at + 1).ok_or("--log-format needs a value")?;
            format = LogFormat::parse("--log-format", value)?;
        }
        Ok(format)
    }

    fn parse(setting: &str, value: &str) -> Result<Self, String> {
        match value.trim() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!(
                "{setting}: {value:?} is not a log format origin writes: use json or text"
            )),
        }
    }
}

impl Config {
    /// Reads flags (`--addr A`, `--database-url U`, `--edit-freeze-s S`, `--log-format F`,
    /// `--seed-demo`, `--dev`) over environment variables over defaults, then refuses secrets
    /// that would let anyone in (see [`Config::problems`]).
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
            batch_secret: env(BATCH_SECRET_VAR).unwrap_or_default(),
            marketer_token: env(MARKETER_TOKEN_VAR).unwrap_or_default(),
            marketer_label: env("FESTIVAL_MARKETER_LABEL")
                .filter(|label| !label.trim().is_empty())
                .unwrap_or_else(|| "marketer".into()),
            seed_demo: false,
            dev: false,
            edit_freeze: match env("FESTIVAL_EDIT_FREEZE_S") {
                Some(value) => freeze_seconds("FESTIVAL_EDIT_FREEZE_S", &value)?,
                None => EditFreeze::seconds(DEFAULT_EDIT_FREEZE_S),
            },
        };
        if let Some(value) = env(LOG_FORMAT_VAR) {
            LogFormat::parse(LOG_FORMAT_VAR, &value)?;
        }
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
                "--log-format" => {
                    let value = args.next().ok_or("--log-format needs a value")?;
                    LogFormat::parse("--log-format", &value)?;
                }
                "--seed-demo" => config.seed_demo = true,
                "--dev" => config.dev = true,
                other => return Err(format!("unknown argument {other}")),
            }
        }
        if config.dev {
            for (secret, default) in [
                (&mut config.batch_secret, DEV_BATCH_SECRET),
                (&mut config.marketer_token, DEV_MARKETER_TOKEN),
            ] {
                if secret.is_empty() {
                    *secret = default.into();
                }
            }
        }
        if crate::db::Engine::of(&config.database_url).is_none() {
            return Err(format!(
                "refusing to start: {}",
                crate::db::engine::unsupported(&config.database_url)
            ));
        }
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(format!(
                "refusing to start: {} (`--dev` waives these rules, for a stack on this machine only)",
                settings::describe(&problems)
            ));
        }
        Ok(config)
    }

    /// What keeps these secrets from guarding origin: missing, shorter than 32 bytes or
    /// published, outside development mode.
    pub fn problems(&self) -> Vec<settings::SettingProblem> {
        settings::problems(
            &[
                (BATCH_SECRET_VAR, Some(&self.batch_secret)),
                (MARKETER_TOKEN_VAR, Some(&self.marketer_token)),
            ],
            None,
            self.dev,
        )
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

    const BATCH: &str = "0b1f6d2e9c4a7358e1d0c6b5a4f3e2d1";
    const TOKEN: &str = "7a3c9e1f5b2d4068a9c7e5f3b1d2c4e6";

    /// An environment with strong secrets and `extra` (name, value).
    fn env_with(extra: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let mut vars = vec![(BATCH_SECRET_VAR, BATCH), (MARKETER_TOKEN_VAR, TOKEN)];
        vars.extend(extra.iter().map(|&(k, v)| (k, v)));
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        move |key| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        }
    }

    fn args(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn flags_override_environment_over_defaults() {
        let env = env_with(&[("FESTIVAL_ORIGIN_ADDR", "127.0.0.1:9000")]);
        let config = Config::from_args_and_env(vec![], &env).unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.batch_secret, BATCH);
        assert!(!config.dev);

        let config =
            Config::from_args_and_env(args(&["--addr", "127.0.0.1:9100", "--seed-demo"]), &env)
                .unwrap();
        assert_eq!(config.addr.port(), 9100);
        assert!(config.seed_demo);

        assert!(Config::from_args_and_env(args(&["--bogus"]), &env).is_err());
    }

    #[test]
    fn the_edit_freeze_is_ten_minutes_unless_set() {
        let config = Config::from_args_and_env(vec![], env_with(&[])).unwrap();
        assert_eq!(config.edit_freeze, EditFreeze::seconds(600));

        let env = env_with(&[("FESTIVAL_EDIT_FREEZE_S", "30")]);
        let config = Config::from_args_and_env(vec![], &env).unwrap();
        assert_eq!(config.edit_freeze, EditFreeze::seconds(30));
        let config = Config::from_args_and_env(args(&["--edit-freeze-s", "0"]), &env).unwrap();
        assert_eq!(config.edit_freeze, EditFreeze::seconds(0));

        let bad = env_with(&[("FESTIVAL_EDIT_FREEZE_S", "ten")]);
        let error = Config::from_args_and_env(vec![], bad).unwrap_err();
        assert!(error.contains("FESTIVAL_EDIT_FREEZE_S"), "{error}");
        for bad_args in [args(&["--edit-freeze-s", "-5"]), args(&["--edit-freeze-s"])] {
            assert!(Config::from_args_and_env(bad_args, env_with(&[])).is_err());
        }
    }

    #[test]
    fn the_log_is_text_unless_json_is_asked_for_and_anything_else_is_refused() {
        let format = |args: &[&str], env| {
            let env = env_with(env);
            let checked = Config::from_args_and_env(args.iter().map(|a| a.to_string()), &env);
            let format = LogFormat::from_args_and_env(&self::args(args), &env);
            assert_eq!(
                checked.is_ok(),
                format.is_ok(),
                "{args:?}: {checked:?} {format:?}"
            );
            format
        };
        assert_eq!(format(&[], &[]), Ok(LogFormat::Text));
        assert_eq!(
            format(&[], &[(LOG_FORMAT_VAR, "json")]),
            Ok(LogFormat::Json)
        );
        assert_eq!(format(&["--log-format", "json"], &[]), Ok(LogFormat::Json));
        let flag_over_env = format(&["--log-format", "text"], &[(LOG_FORMAT_VAR, "json")]);
        assert_eq!(flag_over_env, Ok(LogFormat::Text));

        let unknown = format(&[], &[(LOG_FORMAT_VAR, "xml")]).unwrap_err();
        assert!(
            unknown.contains("FESTIVAL_LOG_FORMAT") && unknown.contains("use json or text"),
            "{unknown}"
        );
        let unknown = format(&["--log-format", "JSON"], &[]).unwrap_err();
        assert!(unknown.contains("--log-format: \"JSON\""), "{unknown}");
        let missing = format(&["--log-format"], &[]).unwrap_err();
        assert!(missing.contains("needs a value"), "{missing}");
    }

    #[test]
    fn origin_refuses_to_start_on_missing_short_or_published_secrets() {
        let refusal = |env: &dyn Fn(&str) -> Option<String>| {
            Config::from_args_and_env(vec![], env).unwrap_err()
        };
        let none = refusal(&|_| None);
        assert!(none.contains("FESTIVAL_BATCH_SECRET is not set"), "{none}");
        assert!(
            none.contains("FESTIVAL_MARKETER_TOKEN is not set"),
            "{none}"
        );

        let short = refusal(&env_with(&[(BATCH_SECRET_VAR, "only-twenty-bytes-ok")]));
        assert!(
            short.contains("FESTIVAL_BATCH_SECRET is 20 bytes long")
                && short.contains("at least 32 bytes")
                && !short.contains(MARKETER_TOKEN_VAR),
            "{short}"
        );
        let published = refusal(&env_with(&[(MARKETER_TOKEN_VAR, DEV_MARKETER_TOKEN)]));
        assert!(
            published.contains("FESTIVAL_MARKETER_TOKEN is a published development value"),
            "{published}"
        );
        assert!(published.contains("--dev"), "{published}");
    }

    #[test]
    fn a_database_origin_cannot_serve_is_refused_at_start() {
        for url in [
            "mysql://db/festival",
            "postgres:festival",
            ".festival/origin.db",
        ] {
            let refused =
                Config::from_args_and_env(args(&["--dev", "--database-url", url]), |_| None);
            let message = refused.unwrap_err();
            assert!(
                message.contains("must start with sqlite: or postgres://"),
                "{url}: {message}"
            );
        }
        for url in ["sqlite://x.db", "postgres://u@h/db", "postgresql://u@h/db"] {
            let config =
                Config::from_args_and_env(args(&["--dev", "--database-url", url]), |_| None);
            assert!(config.is_ok(), "{url}");
        }
    }

    #[test]
    fn development_mode_fills_in_and_lets_weak_secrets_through() {
        let config = Config::from_args_and_env(args(&["--dev"]), |_| None).unwrap();
        assert!(config.dev);
        assert_eq!(config.batch_secret, DEV_BATCH_SECRET);
        assert_eq!(config.marketer_token, DEV_MARKETER_TOKEN);

        let env = env_with(&[(BATCH_SECRET_VAR, "short")]);
        let config = Config::from_args_and_env(args(&["--dev"]), env).unwrap();
        assert_eq!(config.batch_secret, "short");
    }
}
