//! The queue consumer: accepted orders go to origin in signed batches of up to 100. A batch is
//! acknowledged only when origin has stored it and each order's `DealStock` knows it is
//! confirmed. An outage (no answer, a 5xx, a 429) is retried with a growing delay, and messages
//! whose retries run out go to the dead-letter queue (see `wrangler.toml`), whose consumer keeps
//! them in `DeadLetters`. A refusal (any other 4xx: origin will refuse the batch every time) makes
//! the batch's messages dead letters at once, with origin's reason. A message is acknowledged
//! only once origin or `DeadLetters` holds it; `cargo xtask redrive` sends dead letters again.
//! Before origin, a round's orders are listed for their customers (`key_claims::note_ordered`),
//! so a shopper's order list does not wait for origin.

use std::collections::BTreeMap;

use festival_domain::batch;
use festival_domain::dead_letter::{self, DeadLetter, OriginFailure};
use festival_domain::refusal::ErrorBody;
use festival_domain::{BatchReceipt, MAX_BATCH_ORDERS, Order, OrderBatch, OrderId, OrderStatus};
use worker::{
    Env, Fetch, Headers, Message, MessageBatch, MessageExt, Method, QueueRetryOptionsBuilder,
    Request, RequestInit, Result, console_error, console_warn,
};

use crate::bindings::{self, DEAD_LETTER_QUEUE_SUFFIX};
use crate::dead_letters;
use crate::events;
use crate::key_claims;
use crate::origin_request;
use crate::stock;

/// Longest wait between two deliveries of a failed batch.
const MAX_RETRY_DELAY_S: u32 = 60;

/// Origin's answer to a batch, when it gave one that settles it.
pub enum OriginAnswer {
    /// Origin holds every order of the batch.
    Stored(BatchReceipt),
    /// Origin refused the batch for good (see [`dead_letter::failure_of`]): its reason.
    Refused(ErrorBody),
}

/// Handles a batch from either queue.
pub async fn consume(batch: MessageBatch<String>, env: &Env) -> Result<()> {
    let messages = batch.messages()?;
    let messages: Vec<&Message<String>> = messages.iter().collect();
    if batch.queue().ends_with(DEAD_LETTER_QUEUE_SUFFIX) {
        console_warn!("{} order messages gave up on delivery", messages.len());
        bury(env, &messages, dead_letter::retries_ran_out()).await;
        return Ok(());
    }
    deliver(&messages, env).await;
    Ok(())
}

/// Delivers one batch of the order queue; see the module doc. A message carries the orders one
/// shard sent together (`batch::orders_in_message`); messages go to origin together, up to
/// [`MAX_BATCH_ORDERS`] orders a batch.
async fn deliver(messages: &[&Message<String>], env: &Env) {
    let mut readable = Vec::with_capacity(messages.len());
    for &message in messages {
        match batch::orders_in_message(message.body()) {
            Some(carried) => readable.push((message, carried)),
            None => {
                // Only the edge writes to this queue, so this is a bug: keep the message for
                // the dead-letter queue rather than drop it.
                console_warn!("undeliverable queue message {}", message.id());
                message.retry();
            }
        }
    }
    // The whole round's orders are listed for their customers first, in one request to each
    // `KeyClaims` object concerned: per origin batch, it would be one to most objects per 100.
    let (started, count) = (bindings::now(), readable.iter().map(|(_, o)| o.len()).sum());
    let every = readable.iter().flat_map(|(_, orders)| orders);
    if let Err(error) = key_claims::note_ordered(env, every).await {
        let round: Vec<&Message<String>> = readable.iter().map(|(m, _)| *m).collect();
        retry_later(
            &round,
            &format!("listing {count} for their customers: {error}"),
        );
        events::delivery(started, "retry", round.len(), count, (0, 0));
        return;
    }
    let mut group: Vec<&Message<String>> = Vec::new();
    let mut orders: Vec<Order> = Vec::new();
    for (message, carried) in readable {
        if !group.is_empty() && orders.len() + carried.len() > MAX_BATCH_ORDERS {
            deliver_group(env, &group, std::mem::take(&mut orders)).await;
            group.clear();
        }
        group.push(message);
        orders.extend(carried);
    }
    if !group.is_empty() {
        deliver_group(env, &group, orders).await;
    }
}

/// Sends the orders of `messages` to origin as one batch and settles the messages by its answer;
/// logs the round (see `events`).
async fn deliver_group(env: &Env, messages: &[&Message<String>], orders: Vec<Order>) {
    let (started, count) = (bindings::now(), orders.len());
    let round = |outcome, stored| events::delivery(started, outcome, messages.len(), count, stored);
    let sent = batch::sent_states(&orders);
    match send_to_origin(env, orders).await {
        Ok(OriginAnswer::Stored(receipt)) => {
            let stored = (receipt.stored.len(), receipt.already_stored.len());
            match confirm_at_edge(env, &sent, receipt).await {
                Ok(()) => {
                    messages.iter().for_each(|message| message.ack());
                    round("stored", stored);
                }
                Err(error) => {
                    retry_later(messages, &format!("confirming {count}: {error}"));
                    round("retry", stored);
                }
            }
        }
        Ok(OriginAnswer::Refused(reason)) => {
            console_warn!(
                "origin refused a batch of {count} ({}: {}); keeping it as dead letters",
                reason.code,
                reason.message
            );
            bury(env, messages, reason).await;
            round("refused", (0, 0));
        }
        Err(error) => {
            retry_later(messages, &format!("batch of {count}: {error}"));
            round("retry", (0, 0));
        }
    }
}

/// Keeps `messages` as dead letters for `reason`, then acknowledges them. If the store cannot
/// keep them they are retried like an outage, never acknowledged: the dead-letter queue's retry
/// budget (`wrangler.toml`) rides out a store that is briefly unavailable.
async fn bury(env: &Env, messages: &[&Message<String>], reason: ErrorBody) {
    let dead_at = bindings::now();
    // One letter per order: a letter is redriven, named and counted by its order.
    let mut letters = Vec::new();
    for message in messages {
        let bodies = match batch::orders_in_message(message.body()) {
            Some(orders) => orders
                .iter()
                .map(serde_json::to_string)
                .collect::<serde_json::Result<Vec<String>>>()
                .unwrap_or_else(|_| vec![message.body().clone()]),
            None => vec![message.body().clone()],
        };
        for body in bodies {
            let letter = DeadLetter {
                body,
                reason: reason.clone(),
                dead_at,
            };
            letters.push(dead_letters::letter(&message.id(), letter));
        }
    }
    match dead_letters::keep(env, letters).await {
        Ok(()) => messages.iter().for_each(|message| message.ack()),
        Err(error) => {
            console_error!("{} dead letters not kept: {error}", messages.len());
            retry_later(messages, &format!("keeping dead letters: {error}"));
        }
    }
}

/// Retries `messages` after a delay that grows with the outage: half the age of the oldest
/// message, 1–60 s.
fn retry_later(messages: &[&Message<String>], why: &str) {
    let oldest_ms = messages
        .iter()
        .map(|m| m.timestamp().as_millis())
        .min()
        .unwrap_or_default();
    let age_s = (bindings::now().0 - oldest_ms as i64).max(0) / 1000;
    let delay = (age_s / 2).clamp(1, MAX_RETRY_DELAY_S.into()) as u32;
    console_warn!("not delivered, retry in {delay} s: {why}");
    let retry = QueueRetryOptionsBuilder::new()
        .with_delay_seconds(delay)
        .build();
    messages
        .iter()
        .for_each(|message| message.retry_with_options(&retry));
}

/// Signs and posts the batch. An outage (no answer, or a status that says "not now") is an
/// error; a 200 or a refusal is origin's answer.
pub async fn send_to_origin(env: &Env, orders: Vec<Order>) -> Result<OriginAnswer> {
    let body = serde_json::to_string(&OrderBatch { orders })?;
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    origin_request::sign(env, &headers, body.as_bytes())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let url = format!("{}/internal/orders/batch", bindings::origin_url(env)?);
    let mut response = Fetch::Request(Request::new_with_init(&url, &init)?)
        .send()
        .await?;
    let status = response.status_code();
    if status == 200 {
        return Ok(OriginAnswer::Stored(response.json().await?));
    }
    let text = response.text().await.unwrap_or_default();
    match dead_letter::failure_of(status) {
        OriginFailure::Refusal => Ok(OriginAnswer::Refused(dead_letter::refused_by_origin(
            status, &text,
        ))),
        OriginFailure::Outage => Err(format!("origin answered {status}: {text}").into()),
    }
}

/// Tells each shard which of its orders origin holds, and in which state (`sent`: see
/// `batch::sent_states`), so that it stops re-sending them.
pub async fn confirm_at_edge(
    env: &Env,
    sent: &BTreeMap<OrderId, OrderStatus>,
    receipt: BatchReceipt,
) -> Result<()> {
    for ((deal, shard), orders) in batch::confirmations(sent, receipt) {
        stock::confirm(env, &deal, shard, orders).await?;
    }
    Ok(())
}
