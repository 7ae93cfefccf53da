//! `DeadLetters`: orders (or cancellations) whose delivery to origin gave up after every retry.
//! They are kept, never dropped, and `cargo xtask reconcile` lists them.

use worker::{
    DurableObject, Env, Method, Request, RequestInit, Response, Result, State, durable_object,
};

use crate::bindings::DEAD_LETTERS;

/// Storage key of the kept messages (a JSON array of the original message bodies).
const LETTERS_KEY: &str = "letters";

#[durable_object]
pub struct DeadLetters {
    state: State,
}

impl DurableObject for DeadLetters {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    /// `POST` appends the JSON array in the body; `GET` answers everything kept.
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        let mut letters: Vec<String> = match storage.get::<String>(LETTERS_KEY).await? {
            Some(json) => serde_json::from_str(&json)?,
            None => Vec::new(),
        };
        if req.method() == Method::Post {
            letters.extend(req.json::<Vec<String>>().await?);
            storage
                .put(LETTERS_KEY, serde_json::to_string(&letters)?)
                .await?;
        }
        Response::from_json(&letters)
    }
}

fn stub(env: &Env) -> Result<worker::Stub> {
    env.durable_object(DEAD_LETTERS)?.get_by_name("festival")
}

/// Keeps messages that gave up.
pub async fn keep(env: &Env, letters: Vec<String>) -> Result<()> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(&letters)?.into()));
    stub(env)?
        .fetch_with_request(Request::new_with_init("https://dead-letters/", &init)?)
        .await?;
    Ok(())
}

/// Every message kept.
pub async fn all(env: &Env) -> Result<Vec<String>> {
    stub(env)?
        .fetch_with_str("https://dead-letters/")
        .await?
        .json()
        .await
}
