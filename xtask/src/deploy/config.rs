//! `edge/wrangler.toml` read for the deploy checks: its environments, vars, rate limits,
//! Durable Object bindings and queues. The file is read by hand, as the subset of TOML it is written in:
//! `[table]` and `[[array.of.tables]]` headers, one `key = value` a line (a string value in
//! double quotes, without escapes), `#` comments. Anything else (inline tables, dotted keys,
//! multi-line values) is not seen, so a check that needs it fails rather than passes.

/// The binding of the order queue's producer (the edge's `bindings::ORDER_QUEUE`).
pub const ORDER_QUEUE: &str = "ORDER_QUEUE";
/// How every dead-letter queue's name ends, and no order queue's: the edge tells a batch of dead
/// letters from a batch of orders by the name of the queue it came from.
pub const DEAD_LETTER_SUFFIX: &str = "-dlq";

/// One table of the file (the top level's keys are the table `""`), with its keys in order.
#[derive(Debug)]
struct Table {
    path: String,
    entries: Vec<(String, String)>,
}

impl Table {
    fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }
}

/// The tables of a `wrangler.toml`, in the file's order.
#[derive(Debug)]
pub struct Config {
    tables: Vec<Table>,
}

/// The order queue of one environment and its dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queues {
    pub orders: String,
    pub dead_letters: String,
}

impl Config {
    pub fn parse(text: &str) -> Config {
        let mut tables = vec![Table {
            path: String::new(),
            entries: Vec::new(),
        }];
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                let path = line.trim_start_matches('[').split(']').next().unwrap_or("");
                tables.push(Table {
                    path: path.trim().to_owned(),
                    entries: Vec::new(),
                });
            } else if !line.starts_with('#')
                && let Some((key, value)) = line.split_once('=')
                && let Some(table) = tables.last_mut()
            {
                table.entries.push((key.trim().to_owned(), value_of(value)));
            }
        }
        Config { tables }
    }

    /// The names of the `[env.NAME…]` environments, in the file's order.
    pub fn envs(&self) -> Vec<String> {
        let mut envs: Vec<String> = Vec::new();
        for table in &self.tables {
            if let Some(name) = table
                .path
                .strip_prefix("env.")
                .map(|rest| rest.split('.').next().unwrap_or(rest).to_owned())
                && !envs.contains(&name)
            {
                envs.push(name);
            }
        }
        envs
    }

    /// The tables at `path` of `env` (`[env.NAME.path]`), or of the top level when `None`.
    fn tables<'a>(&'a self, env: Option<&str>, path: &str) -> impl Iterator<Item = &'a Table> {
        let full = match env {
            Some(env) => format!("env.{env}.{path}"),
            None => path.to_owned(),
        };
        self.tables.iter().filter(move |table| table.path == full)
    }

    /// The value of `key` in every table at `path` of `env`.
    fn values(&self, env: Option<&str>, path: &str, key: &str) -> Vec<String> {
        self.tables(env, path)
            .filter_map(|table| table.get(key).map(str::to_owned))
            .collect()
    }

    /// The variable `name` of `env`'s vars (the top level's `[vars]` when `None`).
    pub fn var(&self, env: Option<&str>, name: &str) -> Option<String> {
        self.values(env, "vars", name).into_iter().next()
    }

    /// Every queue `env` names: produced to, consumed, or dead-letter queue of a consumer.
    fn queue_names(&self, env: Option<&str>) -> Vec<String> {
        let mut names = self.values(env, "queues.producers", "queue");
        names.extend(self.values(env, "queues.consumers", "queue"));
        names.extend(self.values(env, "queues.consumers", "dead_letter_queue"));
        names
    }
}

/// A value without its quotes or trailing comment.
fn value_of(raw: &str) -> String {
    let raw = raw.trim();
    match raw.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or("").to_owned(),
        None => raw.split('#').next().unwrap_or("").trim().to_owned(),
    }
}

/// How a message names `env`.
fn scope(env: Option<&str>) -> String {
    env.map_or_else(|| "the top level".to_owned(), |env| format!("[env.{env}]"))
}

/// Refuses an environment the file does not define, or one that lacks a var, rate limit or
/// Durable Object binding of the top level's (wrangler does not inherit them, and would deploy
/// without), or whose rate limits count in a namespace another configuration counts in too.
pub fn check_env(config: &Config, env: &str) -> Result<(), String> {
    let known = config.envs();
    if !known.iter().any(|name| name == env) {
        return Err(format!(
            "unknown environment `{env}`: edge/wrangler.toml defines {} (without --env, the \
             top level is deployed)",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    let lacking = |path: &str, names: Vec<String>, what: &str| {
        let missing: Vec<String> = names
            .into_iter()
            .filter(|name| !env_has(config, env, path, name))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "[env.{env}] lacks the top level's {what} {} (wrangler environments do not \
                 inherit them)",
                missing.join(", ")
            ))
        }
    };
    let vars = config
        .tables(None, "vars")
        .flat_map(|table| table.entries.iter().map(|(name, _)| name.clone()))
        .collect();
    lacking("vars", vars, "vars")?;
    lacking(
        "ratelimits",
        config.values(None, "ratelimits", "name"),
        "rate limits",
    )?;
    own_rate_limit_namespaces(config, env)?;
    let bindings = config.values(None, "durable_objects.bindings", "name");
    lacking(
        "durable_objects.bindings",
        bindings,
        "Durable Object bindings",
    )
}

/// Refuses `env`'s rate limits when one counts in a `namespace_id` that the top level or another
/// environment also uses: a namespace is one account-wide counter space, so staging's test
/// traffic would spend production's limits.
fn own_rate_limit_namespaces(config: &Config, env: &str) -> Result<(), String> {
    let mut others: Vec<(Option<String>, String)> = config
        .values(None, "ratelimits", "namespace_id")
        .into_iter()
        .map(|id| (None, id))
        .collect();
    for other in config.envs().into_iter().filter(|other| other != env) {
        for id in config.values(Some(&other), "ratelimits", "namespace_id") {
            others.push((Some(other.clone()), id));
        }
    }
    for id in config.values(Some(env), "ratelimits", "namespace_id") {
        if let Some((other, _)) = others.iter().find(|(_, used)| *used == id) {
            return Err(format!(
                "[env.{env}] and {} both count rate limits in namespace_id {id}: give each \
                 environment namespaces of its own",
                scope(other.as_deref())
            ));
        }
    }
    Ok(())
}

/// Whether `env` sets `name` in its vars, or binds a Durable Object by that name.
fn env_has(config: &Config, env: &str, path: &str, name: &str) -> bool {
    if path == "vars" {
        config.var(Some(env), name).is_some()
    } else {
        config
            .values(Some(env), path, "name")
            .iter()
            .any(|n| n == name)
    }
}

/// `env`'s order queue (the `ORDER_QUEUE` producer's) and its dead-letter queue, each with a
/// consumer, named by the suffix rule, and named by no other environment (a queue has one
/// consumer: a shared one would hand one environment's orders to another's origin).
pub fn queues(config: &Config, env: Option<&str>) -> Result<Queues, String> {
    let place = scope(env);
    let orders = config
        .tables(env, "queues.producers")
        .find(|table| table.get("binding") == Some(ORDER_QUEUE))
        .and_then(|table| table.get("queue"))
        .ok_or_else(|| format!("{place} has no queue producer bound as {ORDER_QUEUE}"))?;
    let consumer = |queue: &str| {
        config
            .tables(env, "queues.consumers")
            .find(|table| table.get("queue") == Some(queue))
    };
    let dead_letters = consumer(orders)
        .ok_or_else(|| format!("{place} has no consumer of its order queue {orders}"))?
        .get("dead_letter_queue")
        .ok_or_else(|| format!("{place}'s consumer of {orders} has no dead_letter_queue"))?;
    if consumer(dead_letters).is_none() {
        return Err(format!(
            "{place} has no consumer of its dead-letter queue {dead_letters}: nothing would \
             keep the orders whose delivery gave up"
        ));
    }
    if !dead_letters.ends_with(DEAD_LETTER_SUFFIX) || orders.ends_with(DEAD_LETTER_SUFFIX) {
        return Err(format!(
            "{place}: the dead-letter queue's name must end in {DEAD_LETTER_SUFFIX:?} and the \
             order queue's must not (the edge tells dead letters by it): {orders}, {dead_letters}"
        ));
    }
    let others = std::iter::once(None)
        .chain(config.envs().into_iter().map(Some))
        .filter(|other| other.as_deref() != env);
    for other in others {
        let names = config.queue_names(other.as_deref());
        if let Some(shared) = [orders, dead_letters]
            .iter()
            .find(|q| names.contains(&q.to_string()))
        {
            return Err(format!(
                "{place} and {} both name the queue {shared}: each environment needs its own",
                scope(other.as_deref())
            ));
        }
    }
    Ok(Queues {
        orders: orders.to_owned(),
        dead_letters: dead_letters.to_owned(),
    })
}

#[cfg(test)]
mod tests;
