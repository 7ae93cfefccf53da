//! `cargo xtask deploy [--env NAME] [--dry-run] [--origin-url URL]`: the checks a deployed
//! edge must pass, made before wrangler runs, then `wrangler deploy` itself. Without `--env` it
//! deploys `wrangler.toml`'s top level; with it, the `[env.NAME]` environment (its own Worker,
//! Durable Objects, queues and secrets), which must exist and repeat what wrangler does not
//! inherit (see [`config`]). Origin's address comes from `--origin-url`, else (top level only)
//! `FESTIVAL_ORIGIN_URL`, else `ORIGIN_URL` in the deployed vars (the top level ships none: the
//! local one is not origin's), and must be https. `wrangler.toml` may not set `FESTIVAL_DEV`. A
//! real deploy also asks wrangler which secrets the environment has and refuses while one is
//! missing; a dry run cannot (it needs no account) and lists them instead. The edge checks the
//! secrets' values itself: it answers 503 while one is short or published.

pub mod config;

use std::path::Path;
use std::process::Command;

use festival_domain::settings;

use config::{Config, Queues};
use festival_stack::paths;
use festival_stack::process::WRANGLER_ENV;

/// The edge's secrets, each with what it must hold.
pub const SECRETS: [(&str, &str); 3] = [
    (
        "BATCH_SECRET",
        "the same value as origin's FESTIVAL_BATCH_SECRET",
    ),
    ("SESSION_SECRET", "signs shoppers' sessions and sale tokens"),
    (
        "MARKETER_TOKEN",
        "the same value as origin's FESTIVAL_MARKETER_TOKEN",
    ),
];

/// The variable that puts the edge in development mode; never in a deployed configuration.
const DEVELOPMENT_VAR: &str = "FESTIVAL_DEV";

/// Origin's https address for `env` (the top level when `None`): the flag, else (top level
/// only) the shell's `FESTIVAL_ORIGIN_URL`, else `ORIGIN_URL` in the deployed vars; an error
/// says which rule it breaks and how to give one. An environment does not read the shell's: one
/// variable left over from deploying staging would point production at staging's origin.
pub fn origin_url(
    flag: Option<&str>,
    shell: Option<&str>,
    config: &Config,
    env: Option<&str>,
) -> Result<String, String> {
    let from_toml = config.var(env, "ORIGIN_URL");
    let shell = if env.is_none() { shell } else { None };
    let (url, source) = match (flag, shell, from_toml.as_deref()) {
        (Some(url), _, _) => (url, "--origin-url".to_owned()),
        (None, Some(url), _) => (url, "FESTIVAL_ORIGIN_URL".to_owned()),
        (None, None, Some(url)) => (url, format!("ORIGIN_URL in {}", vars_table(env))),
        (None, None, None) => {
            return Err(match env {
                None => "origin's address is not set: pass --origin-url https://… (or set \
                         FESTIVAL_ORIGIN_URL)"
                    .into(),
                Some(env) => format!(
                    "origin's address for {env} is not set: pass --origin-url https://… (or set \
                     ORIGIN_URL in {}; FESTIVAL_ORIGIN_URL is not read with --env)",
                    vars_table(Some(env))
                ),
            });
        }
    };
    settings::check_origin_url("ORIGIN_URL", Some(url), false)
        .map_err(|problem| format!("{problem} (from {source})"))?;
    Ok(url.trim().trim_end_matches('/').to_owned())
}

/// Where `env`'s vars are written, for messages.
fn vars_table(env: Option<&str>) -> String {
    match env {
        None => "edge/wrangler.toml's [vars]".to_owned(),
        Some(env) => format!("edge/wrangler.toml's [env.{env}.vars]"),
    }
}

/// Refuses a `wrangler.toml` that would deploy the edge in development mode (in any
/// environment).
pub fn check_config(wrangler_toml: &str) -> Result<(), String> {
    let sets_dev = wrangler_toml
        .lines()
        .any(|line| line.trim_start().starts_with(DEVELOPMENT_VAR));
    if sets_dev {
        return Err(format!(
            "edge/wrangler.toml sets {DEVELOPMENT_VAR}: a deployed edge would take weak secrets \
             and a plain-HTTP origin; only local stacks pass it (with --var)"
        ));
    }
    Ok(())
}

/// The secrets of [`SECRETS`] missing from `wrangler secret list --format json`'s answer.
pub fn missing_secrets(listed: &str) -> Result<Vec<&'static str>, String> {
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(listed).map_err(|e| format!("reading `wrangler secret list`: {e}"))?;
    let set = |name: &str| listed.iter().any(|secret| secret["name"] == name);
    Ok(SECRETS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !set(name))
        .collect())
}

/// The commands that set every secret of `env` (the top level when `None`), one a line, with
/// what each holds.
pub fn secret_instructions(env: Option<&str>) -> String {
    let env = env.map(|env| format!(" --env {env}")).unwrap_or_default();
    SECRETS
        .iter()
        .map(|(name, what)| format!("  npx wrangler secret put {name:<15}{env} # {what}\n"))
        .collect()
}

/// What a deploy will ship, checked: see [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The `[env.NAME]` deployed, or `None` for the top level.
    pub env: Option<String>,
    /// Origin's https address, without a trailing slash.
    pub origin_url: String,
    /// The environment's order queue and dead-letter queue, each with its consumer.
    pub queues: Queues,
}

/// Checks `edge/wrangler.toml` for `env` (the top level when `None`) and origin's address
/// (`flag`, else `FESTIVAL_ORIGIN_URL` for the top level, else the file's), without building or
/// running anything.
pub fn plan(env: Option<&str>, flag: Option<&str>) -> Result<Plan, String> {
    let toml_path = paths::edge().join("wrangler.toml");
    let toml = std::fs::read_to_string(&toml_path)
        .map_err(|e| format!("reading {}: {e}", toml_path.display()))?;
    let shell = std::env::var("FESTIVAL_ORIGIN_URL").ok();
    plan_for(&toml, env, flag, shell.as_deref())
}

/// [`plan`] on the text of a `wrangler.toml` and the shell's `FESTIVAL_ORIGIN_URL`.
pub fn plan_for(
    toml: &str,
    env: Option<&str>,
    flag: Option<&str>,
    shell: Option<&str>,
) -> Result<Plan, String> {
    check_config(toml)?;
    let config = Config::parse(toml);
    if let Some(env) = env {
        config::check_env(&config, env)?;
    }
    let queues = config::queues(&config, env)?;
    let origin_url = origin_url(flag, shell, &config, env)?;
    Ok(Plan {
        env: env.map(str::to_owned),
        origin_url,
        queues,
    })
}

/// Runs `wrangler deploy` on the built edge with `plan`'s environment and origin (with
/// `--dry-run`, into a temporary folder, when `dry_run`; otherwise only once every secret of
/// the environment is set): wrangler's output.
pub fn deploy(plan: &Plan, dry_run: bool) -> Result<String, String> {
    // `--env=` names the top level: wrangler warns when it is left to guess between several.
    let env = format!("--env={}", plan.env.as_deref().unwrap_or(""));
    if !dry_run {
        let listed = wrangler(&["secret", "list", "--format", "json", &env], None)?;
        let missing = missing_secrets(&listed)?;
        if !missing.is_empty() {
            return Err(format!(
                "secrets not set: {}. Set them first (at least 32 bytes each, never a \
                 development value), in edge/:\n{}",
                missing.join(", "),
                secret_instructions(plan.env.as_deref())
            ));
        }
    }
    let out = std::env::temp_dir().join(format!("festival-deploy-{}", std::process::id()));
    let var = format!("ORIGIN_URL:{}", plan.origin_url);
    let mut args = vec!["deploy", &env, "--var", &var];
    if dry_run {
        args.push("--dry-run");
    }
    let result = wrangler(&args, dry_run.then_some(out.as_path()));
    let _ = std::fs::remove_dir_all(&out);
    result
}

/// Runs wrangler in `edge/` with `args` (and `--outdir outdir`): its output, or an error with
/// all of it.
fn wrangler(args: &[&str], outdir: Option<&Path>) -> Result<String, String> {
    let mut command = Command::new(paths::node_bin().join("wrangler"));
    command
        .current_dir(paths::edge())
        .args(args)
        .envs(WRANGLER_ENV)
        .env("PATH", paths::tool_path());
    if let Some(outdir) = outdir {
        command.arg("--outdir").arg(outdir);
    }
    let result = command
        .output()
        .map_err(|e| format!("running wrangler: {e}"))?;
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    if result.status.success() {
        Ok(output)
    } else {
        Err(format!("wrangler {} failed:\n{output}", args.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = "name = \"festival-edge\"\n[vars]\nADMISSION_PER_S = \"0\"\n\
        [[queues.producers]]\nbinding = \"ORDER_QUEUE\"\nqueue = \"festival-orders\"\n\
        [[queues.consumers]]\nqueue = \"festival-orders\"\n\
        dead_letter_queue = \"festival-orders-dlq\"\n\
        [[queues.consumers]]\nqueue = \"festival-orders-dlq\"\n\
        [env.staging.vars]\nADMISSION_PER_S = \"0\"\n\
        [[env.staging.queues.producers]]\nbinding = \"ORDER_QUEUE\"\nqueue = \"orders-s\"\n\
        [[env.staging.queues.consumers]]\nqueue = \"orders-s\"\n\
        dead_letter_queue = \"orders-s-dlq\"\n\
        [[env.staging.queues.consumers]]\nqueue = \"orders-s-dlq\"\n";

    fn url(flag: Option<&str>, shell: Option<&str>, toml: &str) -> Result<String, String> {
        origin_url(flag, shell, &Config::parse(toml), None)
    }

    #[test]
    fn origin_must_be_https_from_wherever_it_comes() {
        let https = "https://origin.example.com/";
        assert_eq!(
            url(Some(https), None, TOML).unwrap(),
            "https://origin.example.com"
        );
        assert_eq!(
            url(None, Some(https), TOML).unwrap(),
            "https://origin.example.com"
        );
        let error = url(Some("http://127.0.0.1:8788"), None, TOML).unwrap_err();
        assert!(
            error.contains("ORIGIN_URL must be origin's https:// address")
                && error.contains("--origin-url"),
            "{error}"
        );
        let error = url(None, None, TOML).unwrap_err();
        assert!(error.contains("pass --origin-url https://"), "{error}");

        let local = TOML.replace(
            "[vars]\n",
            "[vars]\nORIGIN_URL = \"http://127.0.0.1:8788\"\n",
        );
        let error = url(None, None, &local).unwrap_err();
        assert!(
            error.contains("from ORIGIN_URL in edge/wrangler.toml"),
            "{error}"
        );
        // The flag wins over the file.
        assert!(url(Some(https), None, &local).is_ok());
        let set = TOML.replace("[vars]\n", &format!("[vars]\nORIGIN_URL = \"{https}\"\n"));
        assert!(url(None, None, &set).is_ok());
    }

    #[test]
    fn an_environment_takes_its_origin_from_the_flag_or_its_own_vars_only() {
        let config = Config::parse(TOML);
        let staging = Some("staging");
        let https = "https://staging-origin.example.com";
        let error = origin_url(None, Some(https), &config, staging).unwrap_err();
        assert!(
            error.contains("for staging is not set")
                && error.contains("FESTIVAL_ORIGIN_URL is not read with --env"),
            "{error}"
        );
        assert_eq!(
            origin_url(Some(https), None, &config, staging).unwrap(),
            https
        );
        let set = TOML.replace(
            "[env.staging.vars]\n",
            &format!("[env.staging.vars]\nORIGIN_URL = \"{https}/\"\n"),
        );
        let config = Config::parse(&set);
        assert_eq!(origin_url(None, None, &config, staging).unwrap(), https);
        // The top level does not read an environment's.
        assert!(origin_url(None, None, &config, None).is_err());
    }

    #[test]
    fn a_plan_names_the_environment_its_origin_and_its_queues() {
        let plan = plan_for(TOML, Some("staging"), Some("https://o.example/"), None).unwrap();
        assert_eq!(plan.env.as_deref(), Some("staging"));
        assert_eq!(plan.origin_url, "https://o.example");
        assert_eq!(plan.queues.orders, "orders-s");
        assert_eq!(plan.queues.dead_letters, "orders-s-dlq");
        let top = plan_for(TOML, None, None, Some("https://o.example")).unwrap();
        assert_eq!(
            (top.env, top.queues.orders.as_str()),
            (None, "festival-orders")
        );
        let error = plan_for(TOML, Some("nope"), Some("https://o.example"), None).unwrap_err();
        assert!(error.contains("unknown environment `nope`") && error.contains("staging"));
        // The environment is checked before the address, so a typo is named first.
        let error = plan_for(TOML, Some("nope"), None, None).unwrap_err();
        assert!(error.contains("`nope`"), "{error}");
    }

    #[test]
    fn the_edge_configuration_ships_no_origin_and_no_development_mode() {
        let toml = std::fs::read_to_string(paths::edge().join("wrangler.toml")).unwrap();
        assert_eq!(check_config(&toml), Ok(()));
        let config = Config::parse(&toml);
        assert_eq!(config.var(None, "ORIGIN_URL"), None);
        assert!(config.var(None, "ADMISSION_PER_S").is_some());
        let dev = format!("{TOML}FESTIVAL_DEV = \"1\"\n");
        assert!(check_config(&dev).unwrap_err().contains("FESTIVAL_DEV"));
    }

    #[test]
    fn every_secret_must_be_set_before_a_real_deploy() {
        let listed = r#"[{"name":"BATCH_SECRET","type":"secret_text"},
                         {"name":"OTHER","type":"secret_text"}]"#;
        assert_eq!(
            missing_secrets(listed).unwrap(),
            ["SESSION_SECRET", "MARKETER_TOKEN"]
        );
        assert!(missing_secrets("not json").is_err());
        let all =
            r#"[{"name":"BATCH_SECRET"},{"name":"SESSION_SECRET"},{"name":"MARKETER_TOKEN"}]"#;
        assert!(missing_secrets(all).unwrap().is_empty());
        let words = secret_instructions(None);
        assert!(
            words.contains("npx wrangler secret put BATCH_SECRET "),
            "{words}"
        );
        assert!(
            words.contains("FESTIVAL_MARKETER_TOKEN") && !words.contains("--env"),
            "{words}"
        );
        let words = secret_instructions(Some("staging"));
        assert!(words.contains("BATCH_SECRET    --env staging #"), "{words}");
    }
}
