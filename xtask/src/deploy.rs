//! `cargo xtask deploy [--dry-run] [--origin-url URL]`: the checks a deployed edge must pass,
//! made before wrangler runs, then `wrangler deploy` itself. Origin's address comes from
//! `--origin-url`, else `FESTIVAL_ORIGIN_URL`, else `ORIGIN_URL` in `wrangler.toml`'s `[vars]`
//! (which ships none: the local one is not origin's), and must be https. `wrangler.toml` may
//! not set `FESTIVAL_DEV`. A real deploy also asks wrangler which secrets are set and refuses
//! while one is missing; a dry run cannot (it needs no account) and lists them instead. The
//! edge checks the secrets' values itself: it answers 503 while one is short or published.

use std::path::Path;
use std::process::Command;

use festival_domain::settings;

use crate::paths;
use crate::stack::WRANGLER_ENV;

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

/// Origin's https address for the deployed edge: the flag, else the environment variable,
/// else `wrangler.toml`'s `[vars]`; an error says which rule it breaks and how to give one.
pub fn origin_url(
    flag: Option<&str>,
    env: Option<&str>,
    wrangler_toml: &str,
) -> Result<String, String> {
    let from_toml = var_in_toml(wrangler_toml, "ORIGIN_URL");
    let (url, source) = match (flag, env, from_toml.as_deref()) {
        (Some(url), _, _) => (url, "--origin-url"),
        (None, Some(url), _) => (url, "FESTIVAL_ORIGIN_URL"),
        (None, None, Some(url)) => (url, "ORIGIN_URL in edge/wrangler.toml"),
        (None, None, None) => {
            return Err(
                "origin's address is not set: pass --origin-url https://… (or set \
                        FESTIVAL_ORIGIN_URL)"
                    .into(),
            );
        }
    };
    settings::check_origin_url("ORIGIN_URL", Some(url), false)
        .map_err(|problem| format!("{problem} (from {source})"))?;
    Ok(url.trim().trim_end_matches('/').to_owned())
}

/// Refuses a `wrangler.toml` that would deploy the edge in development mode.
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

/// The value of `name = "…"` in the top-level `[vars]` table of `wrangler_toml`, if any.
fn var_in_toml(wrangler_toml: &str, name: &str) -> Option<String> {
    let mut in_vars = false;
    for line in wrangler_toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_vars = line == "[vars]";
        } else if in_vars
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == name
        {
            return Some(value.trim().trim_matches('"').to_owned());
        }
    }
    None
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

/// The commands that set every secret, one a line, with what each holds.
pub fn secret_instructions() -> String {
    SECRETS
        .iter()
        .map(|(name, what)| format!("  npx wrangler secret put {name:<15} # {what}\n"))
        .collect()
}

/// What a deploy will ship, checked: see [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Origin's https address, without a trailing slash.
    pub origin_url: String,
}

/// Checks `edge/wrangler.toml` and origin's address (`flag`, else `FESTIVAL_ORIGIN_URL`, else
/// the file's), without building or running anything.
pub fn plan(flag: Option<&str>) -> Result<Plan, String> {
    let toml_path = paths::edge().join("wrangler.toml");
    let toml = std::fs::read_to_string(&toml_path)
        .map_err(|e| format!("reading {}: {e}", toml_path.display()))?;
    check_config(&toml)?;
    let env = std::env::var("FESTIVAL_ORIGIN_URL").ok();
    let origin_url = origin_url(flag, env.as_deref(), &toml)?;
    Ok(Plan { origin_url })
}

/// Runs `wrangler deploy` on the built edge with `plan`'s origin (with `--dry-run`, into a
/// temporary folder, when `dry_run`; otherwise only once every secret is set): wrangler's
/// output.
pub fn deploy(plan: &Plan, dry_run: bool) -> Result<String, String> {
    if !dry_run {
        let listed = wrangler(&["secret", "list", "--format", "json"], None)?;
        let missing = missing_secrets(&listed)?;
        if !missing.is_empty() {
            return Err(format!(
                "secrets not set: {}. Set them first (at least 32 bytes each, never a \
                 development value), in edge/:\n{}",
                missing.join(", "),
                secret_instructions()
            ));
        }
    }
    let out = std::env::temp_dir().join(format!("festival-deploy-{}", std::process::id()));
    let var = format!("ORIGIN_URL:{}", plan.origin_url);
    let mut args = vec!["deploy", "--var", &var];
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
                        [[queues.producers]]\nqueue = \"festival-orders\"\n";

    #[test]
    fn origin_must_be_https_from_wherever_it_comes() {
        let https = "https://origin.example.com/";
        assert_eq!(
            origin_url(Some(https), None, TOML).unwrap(),
            "https://origin.example.com"
        );
        assert_eq!(
            origin_url(None, Some(https), TOML).unwrap(),
            "https://origin.example.com"
        );
        let error = origin_url(Some("http://127.0.0.1:8788"), None, TOML).unwrap_err();
        assert!(
            error.contains("ORIGIN_URL must be origin's https:// address")
                && error.contains("--origin-url"),
            "{error}"
        );
        let error = origin_url(None, None, TOML).unwrap_err();
        assert!(error.contains("pass --origin-url https://"), "{error}");

        let local = format!("{TOML}[vars]\nORIGIN_URL = \"http://127.0.0.1:8788\"\n");
        let error = origin_url(None, None, &local).unwrap_err();
        assert!(
            error.contains("from ORIGIN_URL in edge/wrangler.toml"),
            "{error}"
        );
        // The flag wins over the file.
        assert!(origin_url(Some(https), None, &local).is_ok());
        let set = format!("{TOML}[vars]\nORIGIN_URL = \"{https}\"\n");
        assert!(origin_url(None, None, &set).is_ok());
    }

    #[test]
    fn the_edge_configuration_ships_no_origin_and_no_development_mode() {
        let toml = std::fs::read_to_string(paths::edge().join("wrangler.toml")).unwrap();
        assert_eq!(check_config(&toml), Ok(()));
        assert_eq!(var_in_toml(&toml, "ORIGIN_URL"), None);
        assert!(var_in_toml(&toml, "ADMISSION_PER_S").is_some());
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
        let words = secret_instructions();
        assert!(
            words.contains("npx wrangler secret put BATCH_SECRET"),
            "{words}"
        );
        assert!(words.contains("FESTIVAL_MARKETER_TOKEN"), "{words}");
    }
}
