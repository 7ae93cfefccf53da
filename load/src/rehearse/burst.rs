//! The burst itself: every shopper gets a session and a sale token (minted, or a share through
//! the edge's routes) and orders, a share twice as from another tab; then which accepted orders
//! origin does not hold.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use festival_domain::token::SESSION_HEADER;
use festival_domain::{Deal, IdempotencyKey};
use festival_stack::local::{self as local_stack, LocalStack};
use festival_stack::throwaway::{MARKETER_TOKEN, SESSION_SECRET};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use super::{Settings, TRIES};
use crate::generator::{self as load, Sample};

/// What the burst did.
pub(super) struct Burst {
    /// Every answer.
    pub run: load::Run,
    /// The orders answered 202: (the deal's index, the order's id).
    pub accepted: BTreeSet<(usize, String)>,
    /// When the last shopper was done.
    pub ended: Instant,
}

/// Sends the burst: `settings.shoppers` shoppers, `settings.concurrency` at a time, for at most
/// `settings.duration_s`.
pub(super) fn run(
    settings: &Settings,
    stack: &LocalStack,
    deals: &[Deal],
) -> Result<Burst, String> {
    println!(
        "==> burst: {} shoppers, {} in flight, at most {} s",
        settings.shoppers, settings.concurrency, settings.duration_s
    );
    let bar = ProgressBar::new(settings.shoppers as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "    [{elapsed_precise}] {bar:40.cyan/blue} {pos}/{len} shoppers ({per_sec}, eta {eta})",
        )
        .map_err(|e| e.to_string())?,
    );
    let accepted: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let orders_url = format!("{}/api/orders", stack.edge_url);
    let until = Instant::now() + Duration::from_secs(settings.duration_s);
    let run = load::drive(
        settings.concurrency,
        until,
        Some(settings.shoppers),
        &bar,
        |agent, i, samples| {
            let real = in_share(i, 0x5E55, settings.real_share);
            let Some((session, sale_token)) = identity(agent, &stack.edge_url, i, real, samples)
            else {
                return;
            };
            let deal = (load::mix(i as u64) % settings.deals as u64) as usize;
            let tabs = if in_share(i, 0x7AB5, settings.repeat_share) {
                2
            } else {
                1
            };
            for tab in 0..tabs {
                let deal_id = deals[deal].id.as_str();
                let key = IdempotencyKey::naming(deal_id, &format!("rehearsal-{i:07}-{tab}"));
                let body = serde_json::json!({
                    "deal_id": deal_id,
                    "quantity": 1,
                    "idempotency_key": key,
                    "sale_token": sale_token,
                })
                .to_string();
                let headers = [(SESSION_HEADER, session.as_str())];
                let answer =
                    load::send_retrying(agent, &orders_url, &headers, &body, TRIES, samples);
                if let Some(answer) = answer.filter(|a| a.status == 202)
                    && let Ok(order) = serde_json::from_str::<Value>(&answer.body)
                    && let Some(id) = order["id"].as_str()
                {
                    accepted
                        .lock()
                        .expect("not poisoned")
                        .push((deal, id.to_owned()));
                }
            }
        },
    );
    bar.finish();
    let accepted = accepted
        .into_inner()
        .expect("not poisoned")
        .into_iter()
        .collect();
    Ok(Burst {
        run,
        accepted,
        ended: Instant::now(),
    })
}

/// How many of the orders a shopper was told "accepted" origin does not hold.
pub(super) fn lost_orders(stack: &LocalStack, accepted: &BTreeSet<(usize, String)>) -> usize {
    let agent = load::agent();
    let bearer = format!("Bearer {MARKETER_TOKEN}");
    accepted
        .iter()
        .filter(|(_, id)| {
            let (_, answer) = load::send(
                &agent,
                &format!("{}/internal/orders/{id}", stack.origin_url),
                &[("authorization", &bearer)],
                None,
            );
            answer.is_none_or(|a| a.status != 200)
        })
        .count()
}

/// Whether shopper `i` falls in a `share` (0–1), independently per `salt`.
fn in_share(i: usize, salt: u64, share: f64) -> bool {
    (load::mix(i as u64 ^ salt) % 10_000) < (share * 10_000.0) as u64
}

/// A session and sale token for shopper `i`: minted, or through the edge's routes.
fn identity(
    agent: &ureq::Agent,
    edge: &str,
    i: usize,
    real: bool,
    samples: &mut Vec<Sample>,
) -> Option<(String, String)> {
    if !real {
        return Some(local_stack::minted(
            SESSION_SECRET,
            &format!("shopper-{i:07}"),
        ));
    }
    let (sample, answer) = load::send(agent, &format!("{edge}/api/session"), &[], Some(""));
    samples.push(sample);
    let session: Value = serde_json::from_str(&answer?.body).ok()?;
    let session = session["session"].as_str()?.to_owned();
    let (sample, answer) = load::send(
        agent,
        &format!("{edge}/api/sale-token"),
        &[(SESSION_HEADER, &session)],
        Some(""),
    );
    samples.push(sample);
    let answer: Value = serde_json::from_str(&answer?.body).ok()?;
    let sale_token = answer["sale_token"].as_str()?.to_owned();
    Some((session, sale_token))
}
