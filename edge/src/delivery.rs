//! The queue consumer: accepted orders go to origin in signed batches of up to 100. A batch is
//! acknowledged only when origin has stored it and each order's `DealStock` knows it is
//! confirmed; anything less is retried with a growing delay, and messages whose retries run out
//! go to the dead-letter queue (see `wrangler.toml`), whose consumer keeps them in `DeadLetters`
//! for `cargo xtask reconcile` to report.

use std::collections::BTreeMap;

use festival_domain::batch::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use festival_domain::{BatchReceipt, DealId, Order, OrderBatch, OrderId};
use worker::{
    Env, Fetch, Headers, MessageBatch, MessageExt, Method, QueueRetryOptionsBuilder, Request,
    RequestInit, Result, console_warn,
};

use crate::bindings::{self, BATCH_SECRET, DEAD_LETTER_QUEUE_NAME};
use crate::dead_letters;
use crate::stock;

/// Longest wait between two deliveries of a failed batch.
const MAX_RETRY_DELAY_S: u32 = 60;

/// Handles a batch from either queue.
pub async fn consume(batch: MessageBatch<String>, env: &Env) -> Result<()> {
    if batch.queue() == DEAD_LETTER_QUEUE_NAME {
        let messages = batch.messages()?;
        let letters: Vec<String> = messages.iter().map(|m| m.body().clone()).collect();
        console_warn!("{} order messages gave up on delivery", letters.len());
        dead_letters::keep(env, letters).await?;
        messages.iter().for_each(|message| message.ack());
        return Ok(());
    }
    deliver(batch, env).await
}

/// Delivers one batch of the order queue; see the module doc.
async fn deliver(batch: MessageBatch<String>, env: &Env) -> Result<()> {
    let messages = batch.messages()?;
    let mut orders = Vec::with_capacity(messages.len());
    let mut delivering = Vec::with_capacity(messages.len());
    for message in &messages {
        match serde_json::from_str::<Order>(message.body()) {
            Ok(order) => {
                orders.push(order);
                delivering.push(message);
            }
            // Only the edge writes to this queue, so this is a bug: keep the message for the
            // dead-letter queue rather than drop it.
            Err(error) => {
                console_warn!("undeliverable queue message {}: {error}", message.id());
                message.retry();
            }
        }
    }
    let oldest_ms = messages
        .iter()
        .map(|m| m.timestamp().as_millis())
        .min()
        .unwrap_or_default();
    let count = orders.len();
    let outcome = match send_to_origin(env, orders).await {
        Ok(receipt) => confirm_at_edge(env, receipt).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => {
            delivering.iter().for_each(|message| message.ack());
        }
        Err(error) => {
            // Back off as the outage grows: half the age of the oldest message, 1–60 s.
            let age_s = (bindings::now().0 - oldest_ms as i64).max(0) / 1000;
            let delay = (age_s / 2).clamp(1, MAX_RETRY_DELAY_S.into()) as u32;
            console_warn!("batch of {count} not delivered, retry in {delay} s: {error}");
            let retry = QueueRetryOptionsBuilder::new()
                .with_delay_seconds(delay)
                .build();
            delivering
                .iter()
                .for_each(|message| message.retry_with_options(&retry));
        }
    }
    Ok(())
}

/// Signs and posts the batch; origin's receipt on success.
async fn send_to_origin(env: &Env, orders: Vec<Order>) -> Result<BatchReceipt> {
    let body = serde_json::to_string(&OrderBatch { orders })?;
    let timestamp = bindings::now();
    let secret = bindings::secret(env, BATCH_SECRET)?;
    let signature = batch::sign(secret.as_bytes(), timestamp, body.as_bytes());
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set(TIMESTAMP_HEADER, &timestamp.0.to_string())?;
    headers.set(SIGNATURE_HEADER, &signature)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let url = format!("{}/internal/orders/batch", bindings::origin_url(env)?);
    let mut response = Fetch::Request(Request::new_with_init(&url, &init)?)
        .send()
        .await?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("origin answered {}: {text}", response.status_code()).into());
    }
    response.json().await
}

/// Tells each shard which of its orders origin holds.
async fn confirm_at_edge(env: &Env, receipt: BatchReceipt) -> Result<()> {
    let mut by_shard: BTreeMap<(DealId, u32), Vec<OrderId>> = BTreeMap::new();
    for id in receipt.stored.into_iter().chain(receipt.already_stored) {
        by_shard
            .entry((id.deal_id(), id.shard()))
            .or_default()
            .push(id);
    }
    for ((deal, shard), ids) in by_shard {
        stock::confirm(env, &deal, shard, ids).await?;
    }
    Ok(())
}
