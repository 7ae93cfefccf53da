//! `POST /api/ops/redrive` (marketer token): sends one page of dead letters to origin again and
//! removes those origin now holds — the edge's side of `cargo xtask redrive`. The batch secret
//! never leaves the edge, and the letters come from the store, never from the request: the token
//! can bring a kept order to origin, not make one up.
//!
//! The page goes as one batch, signed and posted exactly as delivery sends one, then each order's
//! shard hears it is confirmed, and only then is its letter removed. Origin stores by order id,
//! so a page sent twice (a lost answer, a second run) stores nothing twice.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use festival_domain::dead_letter::{RedriveRefusal, RedriveRequest, Redriven};
use festival_domain::refusal::MAX_ORDER_BODY_BYTES;
use festival_domain::{OrderId, Refusal};
use worker::{Env, Request, Response, Result, console_warn};

use crate::dead_letters::{self, Page};
use crate::delivery::{self, OriginAnswer};
use crate::error::{EdgeError, EdgeResult};
use crate::{http, key_claims, marketer};

/// `POST /api/ops/redrive` with `{after?, limit?}`: 200 with what the page came to
/// ([`Redriven`]), whatever origin answered; a refusal for a bad request.
pub async fn redrive(mut req: Request, env: &Env) -> EdgeResult<Response> {
    marketer::require(&req, env)?;
    let body = req.bytes().await?;
    if body.len() > MAX_ORDER_BODY_BYTES {
        return Err(Refusal::BodyTooLarge.into());
    }
    let (after, limit) = match RedriveRequest::parse(&body) {
        Ok(page) => page,
        Err(message) => {
            return Err(EdgeError::Rejected {
                status: 400,
                code: "invalid_redrive_request",
                message,
            });
        }
    };
    let page = dead_letters::page(env, after, limit).await?;
    Ok(http::json(&resend(env, page).await?, 200)?)
}

/// Sends the page's orders as one batch; on success confirms them at their shards and removes
/// their letters.
async fn resend(env: &Env, page: Page) -> Result<Redriven> {
    let mut report = Redriven {
        letters: page.letters.len(),
        next: page.next,
        ..Redriven::default()
    };
    // An order may have two letters (its reservation and its cancellation): both go, and both
    // are removed once origin holds the order.
    let mut keys_of: HashMap<OrderId, Vec<String>> = HashMap::new();
    let (mut orders, mut ids) = (Vec::new(), Vec::new());
    for kept in page.letters {
        let Some(order) = kept.letter.order() else {
            report.unreadable += 1;
            continue;
        };
        match keys_of.entry(order.id.clone()) {
            Entry::Occupied(mut keys) => keys.get_mut().push(kept.key),
            Entry::Vacant(keys) => {
                ids.push(order.id.clone());
                keys.insert(vec![kept.key]);
            }
        }
        orders.push(order);
    }
    if orders.is_empty() {
        return Ok(report);
    }
    report.resent = orders.len();
    let sent = festival_domain::batch::sent_states(&orders);
    if let Err(error) = key_claims::note_ordered(env, &orders).await {
        report.outage = Some(format!("listing the orders for their customers: {error}"));
        return Ok(report);
    }
    let receipt = match delivery::send_to_origin(env, orders).await {
        Ok(OriginAnswer::Stored(receipt)) => receipt,
        Ok(OriginAnswer::Refused(reason)) => {
            report.refused = Some(RedriveRefusal {
                reason,
                order_ids: ids,
            });
            return Ok(report);
        }
        Err(error) => {
            report.outage = Some(format!("origin: {error}"));
            return Ok(report);
        }
    };
    report.stored_now.clone_from(&receipt.stored);
    report.already_stored.clone_from(&receipt.already_stored);
    if let Err(error) = delivery::confirm_at_edge(env, &sent, receipt).await {
        // Origin holds the orders, but their shards do not know yet: keep the letters, so that
        // the next run confirms them (origin answers "already stored").
        console_warn!("redrive: confirming at the shards failed: {error}");
        report.outage = Some(format!("confirming at the shards: {error}"));
        return Ok(report);
    }
    let held = report.stored_now.iter().chain(&report.already_stored);
    let keys: Vec<String> = held.filter_map(|id| keys_of.remove(id)).flatten().collect();
    report.removed = dead_letters::remove(env, keys).await?;
    Ok(report)
}
