//! Group commit for reservations: concurrent orders in one isolate for the same shard travel to
//! it together, in one Durable Object request.
//!
//! In a burst a hot shard's object is the bottleneck — it runs one request at a time, and every
//! request costs it (and the Worker calling it) far more than the few storage operations a
//! reservation needs. So each shard has a *line* in this isolate. An order that finds fewer
//! than [`BATCHES_IN_FLIGHT`] batches out leads: it sends a batch at once, so a quiet shop waits
//! for nothing. Orders that arrive while the line is full queue up; when a batch comes back its
//! leader hands each of its orders their reservation, and the lead of the next batch to the
//! first order in line. Batches grow with the load, by themselves, with no timer. Two batches
//! out at once keep the object busy: it checks the second while the first's write is being
//! made durable.
//!
//! Every Durable Object call is made by a request whose own order is in the batch, so it lives
//! until the answer arrives; waiters learn their answer, or that they lead, through a
//! [`bell`](crate::bell), which wakes them in their own request. If a leader is dropped
//! mid-call (its shopper went away), its batch's waiters are told to retry — their idempotency
//! keys make that safe — and the lead passes on, so a line never stalls.

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

/// Batches one line may have out at once.
pub const BATCHES_IN_FLIGHT: usize = 1;

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
    /// It leads the next batch: here is its order back, to go first.
    Lead(PricedOrder),
}

struct Waiter {
    order: PricedOrder,
    reply: bell::Sender<Turn>,
}

#[derive(Default)]
struct Line {
    /// Batches out, counting those whose lead is on its way to a waiter.
    in_flight: usize,
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
    let queued = with_line(&shard, |line| {
        if line.in_flight < BATCHES_IN_FLIGHT {
            line.in_flight += 1;
            Ok(order)
        } else {
            line.waiting.push_back(Waiter { order, reply });
            Err(())
        }
    });
    let order = match queued {
        Ok(order) => order,
        Err(()) => {
            // The runtime cancels a request that waits on nothing of its own as hung, so a
            // waiter also waits on its own timer — which doubles as its deadline.
            let deadline = Delay::from(WAIT_AT_MOST);
            match select(turn, deadline).await {
                Either::Left((Ok(Turn::Answered(batched)), _)) => return Ok(batched),
                Either::Left((Ok(Turn::Lead(order)), _)) => order,
                Either::Left((Err(bell::Gone), _)) => {
                    return Err("the batch's leading request went away".into());
                }
                // Dropping the receiver takes this order out of the line, unless it is already
                // in a batch on its way (then a retry with its idempotency key finds it).
                Either::Right(_) => return Err("no turn within the deadline".into()),
            }
        }
    };
    let lead = Lead {
        shard,
        done: Cell::new(false),
    };
    let followers = lead.take_followers();
    let orders: Vec<PricedOrder> = std::iter::once(order)
        .chain(followers.iter().map(|w| w.order.clone()))
        .collect();
    let batch_size = orders.len();
    let command = StockCommand::Reserve {
        spec,
        per_customer_limit,
        orders,
    };
    let answers: Vec<Answer> = match ask(env, deal, spec.index, &command).await {
        Ok(answers) => answers,
        Err(error) => {
            let error = error.to_string();
            (0..batch_size).map(|_| Err(error.clone())).collect()
        }
    };
    let mut answers = answers.into_iter();
    lead.finish();
    let own = answers
        .next()
        .unwrap_or_else(|| Err("the shard did not answer this order".into()));
    for (follower, answer) in followers.into_iter().zip(answers) {
        // A follower that went away meanwhile just misses its answer.
        let _ = follower
            .reply
            .send(Turn::Answered(Batched { answer, batch_size }));
    }
    Ok(Batched {
        answer: own,
        batch_size,
    })
}

fn with_line<T>(shard: &str, f: impl FnOnce(&mut Line) -> T) -> T {
    LINES.with_borrow_mut(|lines| f(lines.entry(shard.to_owned()).or_default()))
}

/// One batch's lead on a shard's line, held while the batch is out. Dropped before it finished
/// (its request was cancelled), it finishes anyway, so the line moves on.
struct Lead {
    shard: String,
    done: Cell<bool>,
}

impl Lead {
    /// The orders that go with the leader's own: up to [`MAX_BATCH`] − 1 from the front of the
    /// line.
    fn take_followers(&self) -> Vec<Waiter> {
        with_line(&self.shard, |line| {
            let take = line.waiting.len().min(MAX_BATCH - 1);
            line.waiting.drain(..take).collect()
        })
    }

    /// This batch is back: its place goes to the first order in line that is still waiting.
    fn finish(&self) {
        if self.done.replace(true) {
            return;
        }
        with_line(&self.shard, |line| {
            line.in_flight -= 1;
            while line.in_flight < BATCHES_IN_FLIGHT {
                let Some(next) = line.waiting.pop_front() else {
                    break;
                };
                // A shopper who went away before their turn is skipped; their order is not sent.
                if next.reply.send(Turn::Lead(next.order)).is_ok() {
                    line.in_flight += 1;
                }
            }
        });
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        self.finish();
    }
}
