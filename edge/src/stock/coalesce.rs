//! Group commit for reservations: concurrent orders in one isolate for the same shard travel to
//! it together, in one Durable Object request.
//!
//! In a burst a hot shard's object is the bottleneck — it runs one request at a time, and every
//! request costs it (and the Worker calling it) far more than the few storage operations a
//! reservation needs. So each shard has a *line* in this isolate. An order that finds the line
//! idle leads: it sends a batch at once, so a quiet shop waits for nothing. Orders that arrive
//! while a batch is out queue up; when the answer comes back the leader hands each waiter its
//! reservation and the next batch's lead to the first waiter in line. Batches grow with the
//! load, by themselves, with no timer.
//!
//! Every Durable Object call is made by a request whose own order is in the batch, so it lives
//! until the answer arrives; waiters learn their answer, or that they lead, through a
//! [`bell`](crate::bell), which wakes them in their own request. If a leader is
//! dropped mid-call (its shopper went away), its batch's waiters are told to retry — their
//! idempotency keys make that safe — and the lead passes on, so a line never stalls.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use festival_domain::{DealId, PricedOrder};
use futures_util::future::{Either, select};
use worker::{Delay, Env, Result};

use super::{Reservation, ShardSpec, StockCommand, ask};
use crate::bell;

/// Most orders in one batch. The shard writes a batch in one `put`, which takes at most 128
/// keys: 3 per order, 2 per customer and the ledger make 126 for 25 orders.
pub const MAX_BATCH: usize = 25;

/// How long an order waits for its batch before the shopper is asked to retry.
const WAIT_AT_MOST: Duration = Duration::from_secs(10);

/// One shard's answer to one order of a batch: the reservation, or why the shard failed it.
pub type Answer = std::result::Result<Reservation, String>;

/// An order's answer and the size of the batch it travelled in.
pub struct Batched {
    /// The shard's answer.
    pub answer: Answer,
    /// Orders in that batch (1 when the shard was idle).
    pub batch_size: usize,
}

/// What a waiting order is told.
enum Turn {
    /// Its batch came back.
    Answered(Batched),
    /// The line's lead is now its own: it sends the next batch, which starts with its order.
    Lead,
}

struct Waiter {
    order: PricedOrder,
    /// `None` once the order leads (it then reads its own answer from the batch).
    reply: Option<bell::Sender<Turn>>,
}

#[derive(Default)]
struct Line {
    /// A batch is out (or its lead is being handed over).
    busy: bool,
    waiting: VecDeque<Waiter>,
}

thread_local! {
    /// Lines by shard name.
    static LINES: RefCell<HashMap<String, Line>> = RefCell::new(HashMap::new());
}

/// Reserves `order` on shard `spec` of `deal`, in a batch with whatever else this isolate has
/// for that shard.
pub async fn reserve(
    env: &Env,
    deal: &DealId,
    spec: ShardSpec,
    per_customer_limit: u32,
    order: PricedOrder,
) -> Result<Batched> {
    let shard = super::shard_name(deal, spec.index);
    let (reply, turn) = bell::channel();
    let leads_now = with_line(&shard, |line| {
        let leads = !line.busy;
        line.busy = true;
        line.waiting.push_back(Waiter {
            order,
            reply: (!leads).then_some(reply),
        });
        leads
    });
    if !leads_now {
        // The runtime cancels a request that waits on nothing of its own as hung, so a waiter
        // also waits on its own timer — which doubles as its deadline.
        let deadline = Delay::from(WAIT_AT_MOST);
        match select(turn, deadline).await {
            Either::Left((Ok(Turn::Answered(answer)), _)) => return Ok(answer),
            Either::Left((Ok(Turn::Lead), _)) => {}
            Either::Left((Err(bell::Gone), _)) => {
                return Err("the batch's leading request went away".into());
            }
            // Dropping the receiver takes this order out of the line, unless it is already in a
            // batch on its way (then a retry with its idempotency key finds it).
            Either::Right(_) => return Err("no turn within the deadline".into()),
        }
    }
    let lead = Lead {
        shard,
        handed_over: Cell::new(false),
    };
    let batch = lead.take_batch();
    let orders: Vec<PricedOrder> = batch.iter().map(|w| w.order.clone()).collect();
    let command = StockCommand::Reserve {
        spec,
        per_customer_limit,
        orders,
    };
    let answers: Vec<Answer> = match ask(env, deal, spec.index, &command).await {
        Ok(answers) => answers,
        Err(error) => {
            let error = error.to_string();
            batch.iter().map(|_| Err(error.clone())).collect()
        }
    };
    lead.hand_over();
    let batch_size = batch.len();
    let mut own = Err("the shard did not answer this order".to_string());
    for (waiter, answer) in batch.into_iter().zip(answers) {
        match waiter.reply {
            // A waiter that went away meanwhile just misses its answer.
            Some(reply) => drop(reply.send(Turn::Answered(Batched { answer, batch_size }))),
            None => own = answer,
        }
    }
    Ok(Batched {
        answer: own,
        batch_size,
    })
}

fn with_line<T>(shard: &str, f: impl FnOnce(&mut Line) -> T) -> T {
    LINES.with_borrow_mut(|lines| f(lines.entry(shard.to_owned()).or_default()))
}

/// The lead of one shard's line, held while its batch is out. Dropped without handing over
/// (its request was cancelled), it hands over anyway.
struct Lead {
    shard: String,
    handed_over: Cell<bool>,
}

impl Lead {
    /// The next batch: this request's own order (first in line) and up to [`MAX_BATCH`] − 1
    /// behind it.
    fn take_batch(&self) -> Vec<Waiter> {
        with_line(&self.shard, |line| {
            let take = line.waiting.len().min(MAX_BATCH);
            line.waiting.drain(..take).collect()
        })
    }

    /// Gives the lead to the first waiter still listening, or marks the line idle.
    fn hand_over(&self) {
        if self.handed_over.replace(true) {
            return;
        }
        with_line(&self.shard, |line| {
            while let Some(first) = line.waiting.front_mut() {
                if let Some(reply) = first.reply.take()
                    && reply.send(Turn::Lead).is_ok()
                {
                    return;
                }
                // That shopper went away before its turn: its order is not sent.
                line.waiting.pop_front();
            }
            line.busy = false;
        });
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        self.hand_over();
    }
}
