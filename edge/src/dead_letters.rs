//! `DeadLetters`: orders (or cancellations) whose delivery to origin gave up — after every retry,
//! or at once when origin refused them (see `festival_domain::dead_letter`). Each letter is kept
//! under a key of its own, so the store grows by keys, never by one value (a value of a
//! SQLite-backed Durable Object holds at most 2 MB); it is read in bounded pages and removed by
//! key once `cargo xtask redrive` has brought its order to origin.

use festival_domain::dead_letter::{DeadLetter, Summary};
use js_sys::Array;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, ListOptions, Request, Response, Result, State, durable_object};

use crate::bindings::{DEAD_LETTERS, STORAGE_KEYS_PER_CALL};
use crate::objects;

/// Prefix of every letter's storage key.
const LETTER_PREFIX: &str = "letter/";

/// Letters read per storage list while summarising: bounds the memory a summary takes.
const SUMMARY_PAGE: usize = 256;

/// A letter and its storage key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptLetter {
    /// The letter's storage key; the cursor of the next page, and what `remove` takes.
    pub key: String,
    /// The letter.
    pub letter: DeadLetter,
}

/// One page of letters, in key order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    /// At most the page's limit.
    pub letters: Vec<KeptLetter>,
    /// The last key when the page is full (more may follow); none after the last letter.
    pub next: Option<String>,
}

/// What the Worker asks of the store.
#[derive(Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
enum Command {
    /// Write each letter under its key (a letter kept twice stays one).
    Keep { letters: Vec<KeptLetter> },
    /// Up to `limit` letters after the key `after`.
    Page { after: Option<String>, limit: usize },
    /// Delete these letters.
    Remove { keys: Vec<String> },
    /// Count what waits.
    Summarise,
}

#[durable_object]
pub struct DeadLetters {
    state: State,
}

impl DurableObject for DeadLetters {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    /// Carries out one [`Command`] (the JSON body) and answers its result as JSON.
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        match req.json::<Command>().await? {
            Command::Keep { letters } => {
                for chunk in letters.chunks(STORAGE_KEYS_PER_CALL) {
                    let writes = js_sys::Object::new();
                    for kept in chunk {
                        let key = format!("{LETTER_PREFIX}{}", kept.key);
                        let value = serde_json::to_string(&kept.letter)?;
                        js_sys::Reflect::set(&writes, &key.into(), &value.into())?;
                    }
                    storage.put_multiple_raw(writes).await?;
                }
                Response::from_json(&letters.len())
            }
            Command::Page { after, limit } => Response::from_json(&self.page(after, limit).await?),
            Command::Remove { keys } => {
                let mut removed = 0;
                for chunk in keys.chunks(STORAGE_KEYS_PER_CALL) {
                    let keys: Vec<String> = chunk
                        .iter()
                        .map(|k| format!("{LETTER_PREFIX}{k}"))
                        .collect();
                    removed += storage.delete_multiple(keys).await?;
                }
                Response::from_json(&removed)
            }
            Command::Summarise => {
                let mut summary = Summary::default();
                let mut after = None;
                loop {
                    let page = self.page(after, SUMMARY_PAGE).await?;
                    summary.add(page.letters.iter().map(|kept| &kept.letter));
                    match page.next {
                        Some(next) => after = Some(next),
                        None => return Response::from_json(&summary),
                    }
                }
            }
        }
    }
}

impl DeadLetters {
    /// Up to `limit` letters whose keys follow `after`, in key order.
    async fn page(&self, after: Option<String>, limit: usize) -> Result<Page> {
        // `start` is inclusive, and the storage list has no `startAfter` in workers-rs: the
        // first key after `k` is `k` followed by U+0000.
        let start = after.map(|key| format!("{LETTER_PREFIX}{key}\u{0}"));
        let mut options = ListOptions::new().prefix(LETTER_PREFIX).limit(limit);
        if let Some(start) = &start {
            options = options.start(start);
        }
        let listed = self.state.storage().list_with_options(options).await?;
        let mut letters = Vec::with_capacity(limit);
        for entry in listed.entries() {
            let pair: Array = entry?.into();
            let key = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1).as_string().unwrap_or_default();
            letters.push(KeptLetter {
                key: key.trim_start_matches(LETTER_PREFIX).to_owned(),
                letter: stored_letter(value),
            });
        }
        let next = (letters.len() == limit)
            .then(|| letters.last().map(|kept| kept.key.clone()))
            .flatten();
        Ok(Page { letters, next })
    }
}

/// A stored letter. A value that does not read as one (written by a bug) is kept as a letter
/// whose body is the value, so that it is counted and shown, never silently skipped.
fn stored_letter(value: String) -> DeadLetter {
    serde_json::from_str(&value).unwrap_or_else(|_| DeadLetter {
        body: value,
        reason: festival_domain::refusal::ErrorBody {
            code: "unreadable_letter".into(),
            message: "The store holds a value that is no dead letter.".into(),
        },
        dead_at: festival_domain::UnixMillis(0),
    })
}

/// Sends `command` to the one store and reads its answer; an answer other than 200 is an error.
async fn ask<T: DeserializeOwned>(env: &Env, command: &Command) -> Result<T> {
    objects::post(env, DEAD_LETTERS, "festival", command).await
}

/// A letter named for its queue message (see [`DeadLetter::name`]).
pub fn letter(message_id: &str, letter: DeadLetter) -> KeptLetter {
    KeptLetter {
        key: letter.name(message_id),
        letter,
    }
}

/// Keeps `letters`; an error means none may be taken as kept.
pub async fn keep(env: &Env, letters: Vec<KeptLetter>) -> Result<()> {
    ask::<usize>(env, &Command::Keep { letters }).await?;
    Ok(())
}

/// Up to `limit` letters after the key `after` (from the start when none).
pub async fn page(env: &Env, after: Option<String>, limit: usize) -> Result<Page> {
    ask(env, &Command::Page { after, limit }).await
}

/// Removes the letters with these keys; answers how many there were.
pub async fn remove(env: &Env, keys: Vec<String>) -> Result<usize> {
    ask(env, &Command::Remove { keys }).await
}

/// How many letters wait, per reason, with a sample of their order ids.
pub async fn summary(env: &Env) -> Result<Summary> {
    ask(env, &Command::Summarise).await
}
