//! Reading `wrangler.toml`'s environments, on made-up files and on the real one.

use super::*;

/// One environment's tables, with `orders` and `dlq` for its queue names.
fn env(name: &str, orders: &str, dlq: &str) -> String {
    format!(
        "[env.{name}.vars]\nRATE   = \"2\" # per second\n\
         [[env.{name}.ratelimits]]\nname = \"ORDER_LIMIT\"\nnamespace_id = \"{name}-1\"\n\
         simple = {{ limit = 500, period = 10 }}\n\
         [[env.{name}.durable_objects.bindings]]\nname = \"DEAL_STOCK\"\n\
         [[env.{name}.queues.producers]]\nbinding = \"ORDER_QUEUE\"\nqueue = \"{orders}\"\n\
         [[env.{name}.queues.consumers]]\nqueue = \"{orders}\"\nmax_retries = 100\n\
         dead_letter_queue = \"{dlq}\"\n\
         [[env.{name}.queues.consumers]]\nqueue = \"{dlq}\"\n"
    )
}

const TOP: &str = "name = \"festival-edge\"\n[vars]\nRATE = \"2\"\n\
    [[ratelimits]]\nname = \"ORDER_LIMIT\"\nnamespace_id = \"1\"\n\
    simple = { limit = 500, period = 10 }\n\
    [[durable_objects.bindings]]\nname = \"DEAL_STOCK\"\n\
    [[queues.producers]]\nbinding = \"ORDER_QUEUE\"\nqueue = \"festival-orders\"\n\
    [[queues.consumers]]\nqueue = \"festival-orders\"\ndead_letter_queue = \"festival-orders-dlq\"\n\
    [[queues.consumers]]\nqueue = \"festival-orders-dlq\"\n";

fn config(envs: &[String]) -> Config {
    Config::parse(&format!("{TOP}{}", envs.concat()))
}

#[test]
fn environments_and_their_queues_are_read_from_the_file() {
    let config = config(&[
        env(
            "staging",
            "festival-orders-staging",
            "festival-orders-staging-dlq",
        ),
        env("production", "o-prod", "o-prod-dlq"),
    ]);
    assert_eq!(config.envs(), ["staging", "production"]);
    assert_eq!(config.var(Some("staging"), "RATE").as_deref(), Some("2"));
    assert_eq!(config.var(None, "RATE").as_deref(), Some("2"));
    assert_eq!(config.var(Some("staging"), "ORIGIN_URL"), None);
    assert_eq!(check_env(&config, "staging"), Ok(()));
    assert_eq!(
        queues(&config, Some("staging")).unwrap(),
        Queues {
            orders: "festival-orders-staging".into(),
            dead_letters: "festival-orders-staging-dlq".into(),
        }
    );
    assert_eq!(
        queues(&config, None).unwrap().dead_letters,
        "festival-orders-dlq"
    );
    let error = check_env(&config, "nope").unwrap_err();
    assert!(
        error.contains("`nope`") && error.contains("staging, production"),
        "{error}"
    );
    let none = check_env(&Config::parse(TOP), "staging").unwrap_err();
    assert!(none.contains("defines none"), "{none}");
}

#[test]
fn an_environment_must_repeat_what_wrangler_does_not_inherit() {
    let full = env("staging", "s", "s-dlq");
    let without_vars = full.replace("RATE   = \"2\" # per second\n", "");
    let error = check_env(&config(&[without_vars]), "staging").unwrap_err();
    assert!(error.contains("lacks the top level's vars RATE"), "{error}");
    let without_objects = full.replace("name = \"DEAL_STOCK\"", "name = \"OTHER\"");
    let error = check_env(&config(&[without_objects]), "staging").unwrap_err();
    assert!(
        error.contains("Durable Object bindings DEAL_STOCK"),
        "{error}"
    );
    let without_limits = full.replace("name = \"ORDER_LIMIT\"", "name = \"OTHER\"");
    let error = check_env(&config(&[without_limits]), "staging").unwrap_err();
    assert!(error.contains("rate limits ORDER_LIMIT"), "{error}");
    let shared_namespace = full.replace("staging-1", "1");
    let error = check_env(&config(&[shared_namespace]), "staging").unwrap_err();
    assert!(
        error.contains("the top level both count rate limits in namespace_id 1"),
        "{error}"
    );
    let twins = [
        env("staging", "s", "s-dlq"),
        env("production", "p", "p-dlq"),
    ]
    .map(|e| e.replace("namespace_id = \"staging-1\"", "namespace_id = \"7\""))
    .map(|e| e.replace("namespace_id = \"production-1\"", "namespace_id = \"7\""));
    let error = check_env(&config(&twins), "production").unwrap_err();
    assert!(error.contains("[env.staging] both count"), "{error}");
    let without_queues = full.replace("[[env.staging.queues.producers]]", "[other]");
    let error = queues(&config(&[without_queues]), Some("staging")).unwrap_err();
    assert!(
        error.contains("no queue producer bound as ORDER_QUEUE"),
        "{error}"
    );
    let without_dlq_consumer = full.replace("\nqueue = \"s-dlq\"", "\nqueue = \"elsewhere\"");
    let error = queues(&config(&[without_dlq_consumer]), Some("staging")).unwrap_err();
    assert!(
        error.contains("no consumer of its dead-letter queue s-dlq"),
        "{error}"
    );
}

#[test]
fn queues_follow_the_suffix_rule_and_belong_to_one_environment() {
    let error = queues(&config(&[env("staging", "s", "s-dead")]), Some("staging")).unwrap_err();
    assert!(error.contains("must end in \"-dlq\""), "{error}");
    let shared = config(&[env("staging", "festival-orders", "festival-orders-dlq")]);
    let error = queues(&shared, Some("staging")).unwrap_err();
    assert!(
        error.contains("the top level both name the queue festival-orders"),
        "{error}"
    );
    let twins = config(&[
        env("staging", "q", "q-dlq"),
        env("production", "q", "p-dlq"),
    ]);
    let error = queues(&twins, Some("production")).unwrap_err();
    assert!(
        error.contains("[env.staging] both name the queue q"),
        "{error}"
    );
}

#[test]
fn the_edge_configuration_defines_staging_and_production_apart() {
    let text =
        std::fs::read_to_string(festival_stack::paths::edge().join("wrangler.toml")).unwrap();
    let config = Config::parse(&text);
    assert_eq!(config.envs(), ["staging", "production"]);
    for env in ["staging", "production"] {
        assert_eq!(check_env(&config, env), Ok(()));
        assert_eq!(
            queues(&config, Some(env)).unwrap(),
            Queues {
                orders: format!("festival-orders-{env}"),
                dead_letters: format!("festival-orders-{env}-dlq"),
            }
        );
        assert_eq!(config.var(Some(env), "ORIGIN_URL"), None);
    }
    assert_eq!(queues(&config, None).unwrap().orders, "festival-orders");
}
