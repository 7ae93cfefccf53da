//! Fail closed: the rules a deployed Festival's secrets and origin address must meet before it
//! serves anyone. Origin checks them at start (and refuses to start), the edge on each request
//! (and answers 503), `cargo xtask deploy` before it runs wrangler. Development mode (origin's
//! `--dev`, the edge's `FESTIVAL_DEV = "1"`) waives all but the presence of a secret, since a
//! local stack runs on the published values below and plain HTTP on loopback.

/// The fewest bytes a secret may have: 256 bits, the size of the HMAC-SHA256 key it becomes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The development batch secret (`cargo xtask dev`; origin's default in development mode).
pub const DEV_BATCH_SECRET: &str = "festival-dev-batch-secret";
/// The development session secret (`cargo xtask dev`).
pub const DEV_SESSION_SECRET: &str = "festival-dev-session-secret";
/// The development marketer token (`cargo xtask dev`; printed in the README).
pub const DEV_MARKETER_TOKEN: &str = "festival-dev-marketer-token";

/// Values anyone can read in this repository: never a secret outside development, whatever
/// their length.
const PUBLISHED: [&str; 3] = [DEV_BATCH_SECRET, DEV_SESSION_SECRET, DEV_MARKETER_TOKEN];

/// Why a setting keeps Festival from serving. The words name the setting and the rule, never
/// the value of a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingProblem {
    /// The secret is absent or empty.
    #[error("{name} is not set: it must be a secret of at least {MIN_SECRET_BYTES} bytes")]
    Missing {
        /// The setting's name.
        name: &'static str,
    },
    /// The secret is shorter than [`MIN_SECRET_BYTES`].
    #[error("{name} is {bytes} bytes long: a secret must have at least {MIN_SECRET_BYTES} bytes")]
    TooShort {
        /// The setting's name.
        name: &'static str,
        /// Its length.
        bytes: usize,
    },
    /// The secret is one of the development values published in this repository.
    #[error("{name} is a published development value: set a secret of your own")]
    Published {
        /// The setting's name.
        name: &'static str,
    },
    /// Origin's address is absent or not `https://`: batches and the schedule would cross the
    /// internet in the clear.
    #[error("{name} must be origin's https:// address outside development, not {value:?}")]
    NotHttps {
        /// The setting's name.
        name: &'static str,
        /// What it holds (an address, not a secret).
        value: String,
    },
}

/// Checks one secret `name` holding `value`.
pub fn check_secret(
    name: &'static str,
    value: Option<&str>,
    development: bool,
) -> Result<(), SettingProblem> {
    let value = value.unwrap_or_default();
    if value.is_empty() {
        // An empty key signs nothing anyone could not sign too, even on a laptop.
        return Err(SettingProblem::Missing { name });
    }
    if development {
        return Ok(());
    }
    if PUBLISHED.contains(&value) {
        return Err(SettingProblem::Published { name });
    }
    if value.len() < MIN_SECRET_BYTES {
        return Err(SettingProblem::TooShort {
            name,
            bytes: value.len(),
        });
    }
    Ok(())
}

/// Checks origin's base URL `name` holding `value`: `https://` and a host, outside development.
pub fn check_origin_url(
    name: &'static str,
    value: Option<&str>,
    development: bool,
) -> Result<(), SettingProblem> {
    let value = value.unwrap_or_default().trim();
    let host = value
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &value[8..]);
    match host {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(()),
        _ if development && !value.is_empty() => Ok(()),
        _ => Err(SettingProblem::NotHttps {
            name,
            value: value.to_owned(),
        }),
    }
}

/// Every problem of `secrets` (name and value) and of origin's URL, in that order.
pub fn problems(
    secrets: &[(&'static str, Option<&str>)],
    origin_url: Option<(&'static str, Option<&str>)>,
    development: bool,
) -> Vec<SettingProblem> {
    let secrets = secrets
        .iter()
        .map(|&(name, value)| check_secret(name, value, development));
    let url = origin_url.map(|(name, value)| check_origin_url(name, value, development));
    secrets.chain(url).filter_map(Result::err).collect()
}

/// `problems` as one line for a log or an error message ("; " between them).
pub fn describe(problems: &[SettingProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";

    #[test]
    fn a_secret_needs_32_bytes_of_its_own() {
        assert_eq!(check_secret("S", Some(STRONG), false), Ok(()));
        assert_eq!(check_secret("S", Some(&"x".repeat(32)), false), Ok(()));
        assert_eq!(
            check_secret("S", Some(&"x".repeat(31)), false),
            Err(SettingProblem::TooShort {
                name: "S",
                bytes: 31
            })
        );
        for value in [None, Some("")] {
            assert_eq!(
                check_secret("S", value, false),
                Err(SettingProblem::Missing { name: "S" })
            );
        }
        for value in PUBLISHED {
            assert_eq!(
                check_secret("S", Some(value), false),
                Err(SettingProblem::Published { name: "S" })
            );
        }
    }

    #[test]
    fn a_published_value_is_refused_at_any_length() {
        // A development value lengthened one day stays published.
        assert!(PUBLISHED.iter().all(|v| v.len() < MIN_SECRET_BYTES));
        let refused = check_secret("S", Some(DEV_MARKETER_TOKEN), false).unwrap_err();
        assert!(matches!(refused, SettingProblem::Published { .. }));
    }

    #[test]
    fn development_waives_all_but_presence() {
        assert_eq!(check_secret("S", Some(DEV_BATCH_SECRET), true), Ok(()));
        assert_eq!(check_secret("S", Some("short"), true), Ok(()));
        assert_eq!(
            check_secret("S", Some(""), true),
            Err(SettingProblem::Missing { name: "S" })
        );
        assert_eq!(
            check_origin_url("U", Some("http://127.0.0.1:8788"), true),
            Ok(())
        );
        assert!(check_origin_url("U", None, true).is_err());
    }

    #[test]
    fn origin_is_reached_over_https_only() {
        for good in [
            "https://origin.example.com",
            "HTTPS://origin.example.com:8443/",
        ] {
            assert_eq!(check_origin_url("U", Some(good), false), Ok(()), "{good}");
        }
        for bad in [
            "http://127.0.0.1:8788",
            "http://origin.example.com",
            "origin.example.com",
            "https://",
            "https:///path",
            "ftp://origin.example.com",
            "",
        ] {
            assert_eq!(
                check_origin_url("U", Some(bad), false),
                Err(SettingProblem::NotHttps {
                    name: "U",
                    value: bad.to_owned()
                }),
                "{bad}"
            );
        }
        assert!(check_origin_url("U", None, false).is_err());
    }

    #[test]
    fn every_problem_is_named_with_its_rule() {
        let found = problems(
            &[
                ("BATCH_SECRET", Some("short")),
                ("SESSION_SECRET", None),
                ("MARKETER_TOKEN", Some(STRONG)),
            ],
            Some(("ORIGIN_URL", Some("http://127.0.0.1:8788"))),
            false,
        );
        assert_eq!(found.len(), 3, "{found:?}");
        let words = describe(&found);
        assert_eq!(
            words,
            "BATCH_SECRET is 5 bytes long: a secret must have at least 32 bytes; \
             SESSION_SECRET is not set: it must be a secret of at least 32 bytes; \
             ORIGIN_URL must be origin's https:// address outside development, \
             not \"http://127.0.0.1:8788\""
        );
        assert!(!words.contains(STRONG));
        assert!(problems(&[("S", Some(STRONG))], None, false).is_empty());
    }
}
