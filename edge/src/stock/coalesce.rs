//! Group commit for reservations: concurrent orders in one isolate for the same shard travel to
//! it together, in one Durable Object request.
//!
//! In a burst a hot shard's object is the bottleneck — it runs one request at a time, and every
//! request costs it (and the Worker calling it) far more than the few storage operations a
//! reservation needs. So each shard has a *line* in this isolate. An order that finds no batch
//! out leads: it sends a batch at once, so a quiet shop waits for nothing. Orders that arrive
//! while a batch is out queue up; when it comes back its leader hands each of its orders their
//! reservation, and the lead of the next batch to the first order in line. Batches grow with the
//! load, by themselves, with no timer. (Two batches out at once measured no faster: batches
//! halve and calls double.)
//!
//! Every Durable Object call is made by a request whose own order is in the batch, so it lives
//! until the answer arrives; waiters learn their answer, or that they lead, through a
//! [`bell`](crate::bell), which wakes them in their own request. The line itself — leads as
//! leases, hand-over, take-over, leaving — is plain data in [`line`](super::line). A waiter
//! gives up at [`WAIT_AT_MOST`]; its shopper gets a 503 and may retry with the same
//! idempotency key, which finds the order if its batch had already gone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use festival_domain::{DealId, PricedOrder, UnixMillis};
use futures_util::future::{Either, select};
use worker::{Delay, Env, Result};

use super::line::{self, Arrival, LEASE_MS, LookUp, Reply as _};
use super::{Reservation, ShardSpec, StockCommand, ask};
use crate::{bell, bindings};

/// Most orders in one batch. The shard writes a batch in one `put`, which takes at most 128
/// keys: 2 per order, 1 per customer, the ledger and the outbox entry make 128 for 42 orders.
pub const MAX_BATCH: usize = 42;
const _: () = assert!(3 * MAX_BATCH + 2 <= 128, "a batch must fit one put");

/// How long an order waits for its answer before the shopper is asked to retry.
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
type Turn = line::Turn<PricedOrder, Batched>;

impl line::Reply<PricedOrder> for bell::Sender<Turn> {
    type Answer = Batched;

    fn deliver(self, turn: Turn) -> bool {
        self.send(turn).is_ok()
    }

    fn is_closed(&self) -> bool {
        bell::Sender::is_closed(self)
    }
}

type Line = line::Line<PricedOrder, bell::Sender<Turn>>;

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
    let (reply, mut turn) = bell::channel();
    let now = bindings::now();
    let (order, lease) = match with_line(&shard, |line| line.arrive(order, reply, now)) {
        Arrival::Lead { order, lease } => (order, lease),
        Arrival::Wait { ticket } => match wait_for_turn(&shard, ticket, &mut turn, now).await? {
            Turn::Answered(batched) => return Ok(batched),
            Turn::Lead { order, lease } => (order, lease),
        },
    };
    let followers = with_line(&shard, |line| line.take_followers(MAX_BATCH - 1));
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
    with_line(&shard, |line| line.hand_over(lease, bindings::now()));
    let mut answers = answers.into_iter();
    let own = answers
        .next()
        .unwrap_or_else(|| Err("the shard did not answer this order".into()));
    for follower in followers {
        let answer = answers
            .next()
            .unwrap_or_else(|| Err("the shard did not answer this order".into()));
        // A follower that went away meanwhile just misses its answer.
        let _ = follower
            .reply
            .deliver(Turn::Answered(Batched { answer, batch_size }));
    }
    Ok(Batched {
        answer: own,
        batch_size,
    })
}

/// Waits for `ticket`'s turn: its answer, or the lead. Every [`LEASE_MS`] it looks up: a lead
/// that stopped answering is taken over; at [`WAIT_AT_MOST`] the order leaves the line and the
/// shopper is asked to retry (if a batch already took it, a retry with its idempotency key
/// finds it).
async fn wait_for_turn(
    shard: &str,
    ticket: u64,
    turn: &mut bell::Receiver<Turn>,
    queued_at: UnixMillis,
) -> Result<Turn> {
    let give_up_at = queued_at.plus_millis(WAIT_AT_MOST.as_millis() as i64);
    loop {
        // The runtime cancels a request that waits on nothing of its own as hung, so a waiter
        // also waits on a timer of its own.
        let tick = Delay::from(Duration::from_millis(LEASE_MS as u64));
        if let Either::Left((turn, _)) = select(&mut *turn, tick).await {
            return turn.map_err(|bell::Gone| "this order's batch went away".into());
        }
        // The turn may have come in the same moment as the tick.
        if let Some(turn) = turn.try_take() {
            return Ok(turn);
        }
        let now = bindings::now();
        match with_line(shard, |line| line.look_up(ticket, now, give_up_at <= now)) {
            LookUp::Wait => {}
            LookUp::Lead { order, lease } => return Ok(Turn::Lead { order, lease }),
            LookUp::Left => return Err("no batch took this order in time".into()),
            LookUp::GaveUpInBatch => return Err("this order's batch did not answer in time".into()),
        }
    }
}

fn with_line<T>(shard: &str, f: impl FnOnce(&mut Line) -> T) -> T {
    LINES.with_borrow_mut(|lines| f(lines.entry(shard.to_owned()).or_default()))
}
