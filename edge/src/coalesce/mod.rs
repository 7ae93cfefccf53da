//! Group commit: concurrent orders in one isolate for the same Durable Object travel to it
//! together, in one request — today reservations to a deal's shard (`stock`); where they go and
//! how is a [`Destination`]. (Key claims go alone: `key_claims` says why.)
//!
//! In a burst a hot object is the bottleneck — it runs one request at a time, and every
//! request costs it (and the Worker calling it) far more than the few storage operations an
//! order needs. So each object has a *line* in this isolate. An order that finds no batch
//! out leads: it sends a batch at once, so a quiet shop waits for nothing. Orders that arrive
//! while a batch is out queue up; when it comes back its leader hands each of its orders their
//! reservation and sends those in line as the next batch. Batches grow with the load, by
//! themselves, with no timer. (Two batches out at once measured no faster: batches
//! halve and calls double.)
//!
//! The runtime ties every I/O call, and every response body, to the request whose turn makes
//! it, and a waiting order is woken by the leader's turn. So the lead never passes between
//! requests: a leader whose batch came back answers its shopper and carries on with the next
//! batch itself, in the request's `waitUntil`, for as long as orders wait (at most
//! [`LEAD_AT_MOST`]); an order leads only from its own arrival, or from its own timer when no
//! live lead holds the line. And a waiting order is told its answer in a slot, then woken by a
//! [`Bell`] the leader made and rings, so that it resumes — and makes its response — in its own
//! request. The line itself — leads as leases, carrying on, take-over, leaving — is plain data
//! in [`line`]. A waiter gives up at [`WAIT_AT_MOST`]; its shopper gets a 503 and
//! may retry with the same idempotency key, which finds the order if its batch had already gone.

pub mod line;

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use festival_domain::UnixMillis;
use futures_util::future::{Either, select};
use worker::{Context, Delay, Result};

use crate::bell::Bell;
use crate::bindings;
use line::{Arrival, LEASE_MS, LookUp, Reply as _};

/// Where a line's batches go: one Durable Object, and how to ask it.
pub trait Destination: 'static {
    /// What an order brings to the batch.
    type Item: 'static;
    /// What the object answers for one item.
    type Answer: 'static;
    /// Most items in one batch.
    const MOST: usize;
    /// The object's name: one line per name in an isolate.
    fn name(&self) -> String;
    /// Sends one batch; one answer per item, in order.
    async fn send(&self, items: Vec<Self::Item>) -> Result<Vec<Self::Answer>>;
}

/// An answer, or why there is none.
pub type Answer<T> = std::result::Result<T, String>;

/// How long an order waits for its answer before the shopper is asked to retry.
const WAIT_AT_MOST: Duration = Duration::from_secs(10);

/// How long one request goes on leading after its own answer. The runtime lets `waitUntil`
/// work run about 30 s past the answer; after this the next arrival leads.
const LEAD_AT_MOST: Duration = Duration::from_secs(10);

/// An order's answer and the size of the batch it travelled in.
pub struct Batched<T> {
    /// The object's answer.
    pub answer: Answer<T>,
    /// Orders in that batch (1 when the object was idle).
    pub batch_size: usize,
}

/// Where a waiting order finds what its leader left it.
struct Slot<T> {
    /// Its answer, once its batch came back.
    answer: Option<Batched<T>>,
    /// The bell of the batch that took it, rung when that batch came back.
    batch_bell: Option<Bell>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            answer: None,
            batch_bell: None,
        }
    }
}

/// Shared by the waiting order and the line; the line's copy alone means the order is gone.
type SlotRef<T> = Rc<RefCell<Slot<T>>>;

impl<T> line::Reply for SlotRef<T> {
    fn is_closed(&self) -> bool {
        Rc::strong_count(self) == 1
    }
}

type Waiter<D> = line::Waiter<<D as Destination>::Item, SlotRef<<D as Destination>::Answer>>;

/// One object's line in this isolate, and the bell of the next batch: orders that join the
/// line listen to it; the leader that takes them rings it when their answers are in.
struct ObjectLine<D: Destination> {
    line: line::Line<D::Item, SlotRef<D::Answer>>,
    next_bell: Bell,
    /// The lease whose request made `next_bell`, while that request still leads.
    bell_lease: Option<u64>,
}

impl<D: Destination> Default for ObjectLine<D> {
    fn default() -> Self {
        ObjectLine {
            line: line::Line::default(),
            next_bell: Bell::default(),
            bell_lease: None,
        }
    }
}

impl<D: Destination> ObjectLine<D> {
    /// `followers` go in a batch of lease `lease`: returns the bell to ring when their answers
    /// are in (none when nobody listens), and puts up a fresh bell, made by the leader's
    /// request, for the orders that come after.
    ///
    /// A bell is rung by the request that made it, while it runs: a request cannot settle a
    /// promise of one that has finished. So when this leader did not make the bell its
    /// followers listened to (its maker let go or is gone), they get a bell of this request's,
    /// which they find in their slot once woken (by the letting go, or their own timer).
    fn take(&mut self, lease: u64, followers: Vec<Waiter<D>>) -> (Vec<Waiter<D>>, Option<Bell>) {
        let listened = std::mem::take(&mut self.next_bell);
        let made_here = self.bell_lease.replace(lease) == Some(lease);
        if followers.is_empty() {
            return (followers, None);
        }
        let bell = if made_here { listened } else { Bell::new() };
        for follower in &followers {
            follower.reply.borrow_mut().batch_bell = Some(bell.clone());
        }
        (followers, Some(bell))
    }

    /// Lease `lease` lets go with orders in line: they wake in their own requests and look
    /// up; one of them, or a newcomer, leads the rest.
    fn let_go(&mut self, lease: u64) {
        self.line.release(lease);
        if self.bell_lease.take() == Some(lease) {
            self.next_bell.ring();
        }
    }
}

thread_local! {
    /// Lines by destination type and object name: each an `ObjectLine` of that type, so that two
    /// kinds of destination whose objects share a name never share a line.
    static LINES: RefCell<HashMap<(TypeId, String), Box<dyn Any>>> = RefCell::new(HashMap::new());
}

/// How a waiting order's turn comes.
enum Turn<D: Destination> {
    /// Its batch came back.
    Answered(Batched<D::Answer>),
    /// No live lead held the line when it looked up: it leads, under `lease`.
    Lead { item: D::Item, lease: u64 },
}

/// Sends `item` to `destination`, in a batch with whatever else this isolate has for that
/// object. A leader may go on sending later batches in `ctx`'s `waitUntil`.
pub async fn send<D: Destination>(
    destination: D,
    ctx: &Context,
    item: D::Item,
) -> Result<Batched<D::Answer>> {
    let name = destination.name();
    let slot = SlotRef::default();
    let now = bindings::now();
    let arrival = with_line::<D, _>(&name, |line| {
        match line.line.arrive(item, slot.clone(), now) {
            Arrival::Lead { order, lease } => Ok((order, lease)),
            Arrival::Wait { ticket } => Err((ticket, line.next_bell.clone())),
        }
    });
    let (item, lease) = match arrival {
        Ok(lead) => lead,
        Err((ticket, bell)) => match wait_for_turn::<D>(&name, ticket, &slot, bell, now).await? {
            Turn::Answered(batched) => return Ok(batched),
            Turn::Lead { item, lease } => (item, lease),
        },
    };
    drop(slot);
    let leader = Leader {
        destination,
        name,
        lease,
    };
    let (followers, bell) = with_line::<D, _>(&leader.name, |line| {
        let followers = line.line.take_followers(D::MOST - 1);
        line.take(lease, followers)
    });
    let own = leader.send(Some(item), followers, bell).await;
    let next = leader.next_batch();
    if !next.0.is_empty() {
        ctx.wait_until(leader.carry_on(next));
    }
    Ok(own.unwrap_or_else(|| Batched {
        answer: Err("the object did not answer this order".into()),
        batch_size: 1,
    }))
}

/// A request leading one object's line under `lease`.
struct Leader<D> {
    destination: D,
    name: String,
    lease: u64,
}

impl<D: Destination> Leader<D> {
    /// Sends one batch — the leader's own order, if it has one, then `followers` — leaves each
    /// follower its answer, rings their `bell`, and returns the leader's own answer.
    async fn send(
        &self,
        own: Option<D::Item>,
        followers: Vec<Waiter<D>>,
        bell: Option<Bell>,
    ) -> Option<Batched<D::Answer>> {
        let has_own = own.is_some();
        let (tickets, items): (Vec<_>, Vec<_>) = followers
            .into_iter()
            .map(|waiter| (waiter.reply, waiter.order))
            .unzip();
        let items: Vec<D::Item> = own.into_iter().chain(items).collect();
        let batch_size = items.len();
        let answers: Vec<Answer<D::Answer>> = match self.destination.send(items).await {
            Ok(answers) => answers.into_iter().map(Ok).collect(),
            Err(error) => {
                let error = error.to_string();
                (0..batch_size).map(|_| Err(error.clone())).collect()
            }
        };
        let mut answers = answers.into_iter();
        let mut next = || Batched {
            answer: answers
                .next()
                .unwrap_or_else(|| Err("the object did not answer this order".into())),
            batch_size,
        };
        let own = has_own.then(&mut next);
        for reply in tickets {
            // Each follower's answer is the next one, in order; one that went away meanwhile
            // just misses it.
            let answer = next();
            if !reply.is_closed() {
                reply.borrow_mut().answer = Some(answer);
            }
        }
        if let Some(bell) = bell {
            bell.ring();
        }
        own
    }

    /// The orders that came in while the last batch was out, and their bell; none when the
    /// line went idle.
    fn next_batch(&self) -> (Vec<Waiter<D>>, Option<Bell>) {
        let now = bindings::now();
        with_line::<D, _>(&self.name, |line| {
            let followers = line.line.carry_on(self.lease, now, D::MOST);
            line.take(self.lease, followers)
        })
    }

    /// Goes on leading after this request answered: batch after batch while orders wait, for
    /// at most [`LEAD_AT_MOST`], then lets the next arrival (or a waiter's timer) lead.
    async fn carry_on(self, mut next: (Vec<Waiter<D>>, Option<Bell>)) {
        let until = bindings::now().plus_millis(LEAD_AT_MOST.as_millis() as i64);
        loop {
            let (followers, bell) = next;
            self.send(None, followers, bell).await;
            if until <= bindings::now() {
                with_line::<D, _>(&self.name, |line| line.let_go(self.lease));
                return;
            }
            next = self.next_batch();
            if next.0.is_empty() {
                return;
            }
        }
    }
}

/// Waits for `ticket`'s turn: its answer, or the lead. It listens to `bell` (the next batch's
/// when it joined; its own batch's once one took it) and, every [`LEASE_MS`], to a timer of its
/// own: with no live lead (the leader let go, or its request was cancelled) it leads; at
/// [`WAIT_AT_MOST`] the order leaves the line and the shopper is asked to retry (if a batch
/// already took it, a retry with its idempotency key finds it).
async fn wait_for_turn<D: Destination>(
    name: &str,
    ticket: u64,
    slot: &SlotRef<D::Answer>,
    mut bell: Bell,
    queued_at: UnixMillis,
) -> Result<Turn<D>> {
    let give_up_at = queued_at.plus_millis(WAIT_AT_MOST.as_millis() as i64);
    loop {
        // The runtime cancels a request that waits on nothing of its own as hung, so a waiter
        // also waits on a timer of its own.
        let tick = Delay::from(Duration::from_millis(LEASE_MS as u64));
        let rang = matches!(select(bell.listen(), tick).await, Either::Left(_));
        if let Some(batched) = slot.borrow_mut().answer.take() {
            return Ok(Turn::Answered(batched));
        }
        let batch_bell = slot.borrow().batch_bell.clone();
        if let Some(batch_bell) = batch_bell.filter(|b| b.id() != bell.id()) {
            // A batch took this order after it started listening: that batch's bell tells.
            bell = batch_bell;
            continue;
        }
        let now = bindings::now();
        match with_line::<D, _>(name, |line| {
            let look = line.line.look_up(ticket, now, give_up_at <= now);
            (look, line.next_bell.clone())
        }) {
            (LookUp::Wait, next_bell) => {
                if rang {
                    bell = next_bell;
                }
            }
            (LookUp::Lead { order, lease }, _) => return Ok(Turn::Lead { item: order, lease }),
            (LookUp::Left, _) => return Err("no batch took this order in time".into()),
            (LookUp::GaveUpInBatch, _) => {
                return Err("this order's batch did not answer in time".into());
            }
        }
    }
}

fn with_line<D: Destination, T>(name: &str, f: impl FnOnce(&mut ObjectLine<D>) -> T) -> T {
    LINES.with_borrow_mut(|lines| {
        let line = lines
            .entry((TypeId::of::<D>(), name.to_owned()))
            .or_insert_with(|| Box::new(ObjectLine::<D>::default()));
        f(line
            .downcast_mut()
            .expect("a line is keyed by its destination's type"))
    })
}
