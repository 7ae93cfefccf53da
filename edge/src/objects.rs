//! Calling a Durable Object: a JSON command posted to the object named `name` (or a read of one
//! of its paths), its answer read back. The one way the Worker talks to its objects, so every
//! call fails the same way: an error that names the object, and its answer when it was not a
//! 200.

use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Env, Method, Request, RequestInit, Result};

/// Posts `command` to object `name` of `namespace`; its answer as text.
pub async fn post_text(
    env: &Env,
    namespace: &str,
    name: &str,
    command: &impl Serialize,
) -> Result<String> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    call(env, namespace, name, "/", &init).await
}

/// Reads `path` of object `name` of `namespace` (a `GET`); its answer as text.
pub async fn get_text(env: &Env, namespace: &str, name: &str, path: &str) -> Result<String> {
    call(env, namespace, name, path, &RequestInit::new()).await
}

/// Reads `path` of object `name` of `namespace` and its JSON answer.
pub async fn get<T: DeserializeOwned>(
    env: &Env,
    namespace: &str,
    name: &str,
    path: &str,
) -> Result<T> {
    let text = get_text(env, namespace, name, path).await?;
    serde_json::from_str(&text).map_err(|error| format!("reading {name}'s answer: {error}").into())
}

async fn call(
    env: &Env,
    namespace: &str,
    name: &str,
    path: &str,
    init: &RequestInit,
) -> Result<String> {
    let stub = env.durable_object(namespace)?.get_by_name(name)?;
    // The host is never resolved: the stub routes the request to the object.
    let request = Request::new_with_init(&format!("https://object{path}"), init)?;
    let mut response = stub
        .fetch_with_request(request)
        .await
        .map_err(|error| format!("calling {name}: {error}"))?;
    let text = response
        .text()
        .await
        .map_err(|error| format!("reading {name}'s answer: {error}"))?;
    match response.status_code() {
        200 => Ok(text),
        status => Err(format!("{name} answered {status}: {text}").into()),
    }
}

/// Posts `command` to object `name` of `namespace` and reads its JSON answer.
pub async fn post<T: DeserializeOwned>(
    env: &Env,
    namespace: &str,
    name: &str,
    command: &impl Serialize,
) -> Result<T> {
    let text = post_text(env, namespace, name, command).await?;
    serde_json::from_str(&text).map_err(|error| format!("reading {name}'s answer: {error}").into())
}
