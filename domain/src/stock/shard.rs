//! One shard's behaviour over a [`Host`]: the commands it answers and the order of its reads,
//! decisions and writes.
//!
//! Every check-and-write awaits only storage in between, so no other event of the object runs
//! there (its input gate) and each decision is atomic. Anything that lets other events run — a
//! sibling call, a queue send, a pause — is followed by reading again, never by trusting what was
//! read before it.

use std::cell::{Cell, RefCell};

use serde::Serialize;

use crate::order::{CustomerId, Order, OrderId, OrderStatus, PricedOrder};
use crate::time::UnixMillis;

use super::records::{CustomerRecord, LEDGER_KEY, Pending, customer_key, order_key, pending_key};
use super::reserve::{self, Attempt, MAX_BATCH};
use super::send_window::SendWindow;
use super::{
    Answer, Cancellation, Fault, Host, Ledger, Reservation, ShardSpec, StockCommand, Writes,
};

mod storage;
pub(super) use storage::parse;

/// Rounds of borrowing a batch's short orders try while units remain in the deal, and the pause
/// between two: units lent to another shard are in no `stock_left` until it counts them in.
const BORROW_ROUNDS: u32 = 5;
const BORROW_PAUSE_MS: u32 = 20;
/// Orders confirmed per write (two keys each, within storage's 128 per call).
const CONFIRM_CHUNK: usize = 50;

/// One `DealStock` shard: its host and what it keeps in memory (copies of stored state only;
/// losing them on a reset loses nothing).
pub struct Shard<H> {
    pub(super) host: H,
    /// Memory copy of the stored ledger.
    ledger: Cell<Option<Ledger>>,
    /// When the alarm is set for, as far as this object knows.
    pub(super) alarm_at: Cell<Option<UnixMillis>>,
    /// While an alarm runs: the earliest time others asked for since it started (its last
    /// step sets the alarm, and must not drop theirs).
    pub(super) asked_during_alarm: Cell<Option<Option<UnixMillis>>>,
    /// Whether this object has looked at its storage since it started.
    started: Cell<bool>,
    pub(super) tuning: Tuning,
    /// How far the current pass over the pending records has read, when it spans alarm runs.
    pub(super) pending_scan: RefCell<Option<super::outbox::PendingScan>>,
    /// The last backlog reading and when it was taken: consoles poll it, and a hot shard lists
    /// its pending records at most once per [`BACKLOG_FRESH_MS`](super::outbox::BACKLOG_FRESH_MS).
    pub(super) backlog_read: Cell<Option<(UnixMillis, super::Backlog)>>,
    /// The orders written since the last send to the queue.
    pub(super) send_window: Cell<Option<SendWindow>>,
}

/// How a shard paces what it sends again.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// First wait before an order origin has not confirmed is sent again (then doubling).
    pub resend_after_ms: i64,
    /// The shortest a send window lasts: the first order of a window arms the alarm this far
    /// ahead, and the alarm sends the window's orders in one message (see `send_window.rs`).
    pub send_window_ms: i64,
    /// Past the shortest, a window closes once no order has come for this long.
    pub send_quiet_ms: i64,
    /// The longest a window lasts: orders reach origin at most this much later.
    pub send_window_max_ms: i64,
    /// Pending records read per storage call (storage lists up to any number; 128 keeps a
    /// call small).
    pub pending_page: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            resend_after_ms: 180_000,
            send_window_ms: 1_000,
            send_quiet_ms: 250,
            send_window_max_ms: 3_000,
            pending_page: 128,
        }
    }
}

impl<H: Host> Shard<H> {
    /// Counts `orders` written at `now` in the send window, and arms the alarm for when it
    /// closes (see `send_window.rs`).
    async fn join_send_window(&self, now: UnixMillis, orders: usize) {
        let window = SendWindow::with(self.send_window.get(), now, orders);
        self.send_window.set(Some(window));
        self.arm_alarm(window.closes_at(&self.tuning)).await;
    }

    pub fn new(host: H, tuning: Tuning) -> Self {
        Shard {
            host,
            ledger: Cell::new(None),
            alarm_at: Cell::new(None),
            asked_during_alarm: Cell::new(None),
            started: Cell::new(false),
            tuning,
            pending_scan: RefCell::new(None),
            backlog_read: Cell::new(None),
            send_window: Cell::new(None),
        }
    }

    /// The world this shard runs in.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// Answers one command, as JSON text.
    pub async fn handle(&self, command: StockCommand) -> Result<String, Fault> {
        self.start().await?;
        self.rearm_if_overdue().await;
        match command {
            StockCommand::Reserve {
                spec,
                orders,
                per_customer_limit,
            } => {
                let mut answers = Vec::with_capacity(orders.len());
                for part in orders.chunks(MAX_BATCH) {
                    answers.extend(self.reserve(spec, part, per_customer_limit).await);
                }
                json(&answers)
            }
            StockCommand::Lend {
                deal,
                spec,
                transfer,
                want,
            } => json(&self.lend(&deal, spec, &transfer, want).await?),
            StockCommand::Pin { spec } => json(&self.pin(spec).await?),
            StockCommand::Cancel { id, customer } => json(&self.cancel(&id, &customer).await?),
            StockCommand::Lookup { id } => json(&self.load_order(&id).await?),
            StockCommand::CustomerOrders { customer } => {
                json(&self.customer_orders(&customer).await?)
            }
            StockCommand::Confirm { orders } => json(&self.confirm(&orders).await?),
            StockCommand::Ledger { spec } => json(&self.ledger_or_fresh(spec).await?),
            StockCommand::Backlog => json(&self.backlog().await?),
            StockCommand::Control { deal, spec, live } => {
                json(&self.control(&deal, spec, live).await?)
            }
        }
    }

    /// Once per start of the object: a shard with state arms its alarm, which sends what origin
    /// has not confirmed and finishes transfers a reset interrupted.
    async fn start(&self) -> Result<(), Fault> {
        if self.started.replace(true) {
            return Ok(());
        }
        match self.stored_ledger().await {
            Ok(Some(_)) => self.arm_alarm(self.host.now()).await,
            Ok(None) => {}
            Err(fault) => {
                self.started.set(false);
                return Err(fault);
            }
        }
        Ok(())
    }

    /// Reserves a batch: first all at once against this shard's units; then the orders short of
    /// units borrow what they need together, in one round over the siblings, and try again.
    async fn reserve(&self, spec: ShardSpec, orders: &[PricedOrder], limit: u32) -> Vec<Answer> {
        let failed =
            |fault: Fault, count: usize| (0..count).map(|_| Err(fault.0.clone())).collect();
        let attempts = match self.try_reserve(spec, orders, limit).await {
            Ok(attempts) => attempts,
            Err(fault) => return failed(fault, orders.len()),
        };
        let mut answers = Vec::with_capacity(orders.len());
        let mut short = Vec::new();
        for (index, attempt) in attempts.into_iter().enumerate() {
            answers.push(match attempt {
                Attempt::Done(reservation) => Ok(reservation),
                Attempt::Failed(why) => Err(why),
                Attempt::Short => {
                    short.push(index);
                    Err(String::new()) // Filled in below.
                }
            });
        }
        if short.is_empty() {
            return answers;
        }
        let shorts: Vec<PricedOrder> = short.iter().map(|&i| orders[i].clone()).collect();
        let retried = match self.borrow_and_retry(spec, &shorts, limit).await {
            Ok(retried) => retried,
            Err(fault) => failed(fault, shorts.len()),
        };
        for (index, answer) in short.into_iter().zip(retried) {
            answers[index] = answer;
        }
        answers
    }

    /// Borrows what `orders`, which were short, need together, and tries them again.
    async fn borrow_and_retry(
        &self,
        spec: ShardSpec,
        orders: &[PricedOrder],
        limit: u32,
    ) -> Result<Vec<Answer>, Fault> {
        let sold_out = |deal_sold_out| {
            let answer = Ok(Reservation::SoldOut { deal_sold_out });
            orders.iter().map(|_| answer.clone()).collect()
        };
        let deal = &orders[0].deal_id;
        let wanted: u32 = orders.iter().map(|order| order.quantity.get()).sum();
        let mut round = 1;
        loop {
            let have = self.ledger_or_fresh(spec).await?.stock_left;
            let need = wanted.saturating_sub(have).max(1);
            // Borrowed units, or units here already (a cancel may have returned some): the
            // orders that fit take them.
            if self.borrow(spec, deal, need).await? > 0 || have > 0 {
                break;
            }
            if self.whole_deal_is_empty(spec, deal).await? {
                return Ok(sold_out(true));
            }
            // Units remain somewhere, maybe on their way to another borrower: ask again shortly
            // rather than refuse while they exist.
            if round == BORROW_ROUNDS {
                return Ok(sold_out(false));
            }
            round += 1;
            self.host.pause(BORROW_PAUSE_MS).await;
        }
        let attempts = self.try_reserve(spec, orders, limit).await?;
        Ok(attempts
            .into_iter()
            .map(|attempt| match attempt {
                Attempt::Done(reservation) => Ok(reservation),
                Attempt::Failed(why) => Err(why),
                // Borrowed too little, or others took it meanwhile: units remain in the deal.
                Attempt::Short => Ok(Reservation::SoldOut {
                    deal_sold_out: false,
                }),
            })
            .collect())
    }

    /// Each order in turn against this shard's units, keys and customers: two reads at most
    /// (the records, then the orders replays answer with), one decision, one write.
    async fn try_reserve(
        &self,
        spec: ShardSpec,
        orders: &[PricedOrder],
        limit: u32,
    ) -> Result<Vec<Attempt>, Fault> {
        let ledger = match self.ledger_for(&orders[0].deal_id, spec).await? {
            Ok(ledger) => ledger,
            Err(why) => {
                return Ok(orders
                    .iter()
                    .map(|_| Attempt::Failed(why.clone()))
                    .collect());
            }
        };
        let mut stored = self.host.read(reserve::keys_to_read(orders)).await?;
        let replays = reserve::replay_keys(&stored);
        if !replays.is_empty() {
            stored.extend(self.host.read(replays).await?);
        }
        let now = self.host.now();
        let decision = reserve::decide(spec, ledger, orders, limit, &stored, now, || {
            self.host.random()
        })?;
        if !decision.writes.is_empty() {
            self.host.write(decision.writes).await?;
            self.ledger.set(Some(decision.ledger));
            let accepted = decision
                .attempts
                .iter()
                .filter(|a| matches!(a, Attempt::Done(Reservation::Accepted { .. })))
                .count();
            self.join_send_window(now, accepted).await;
        }
        Ok(decision.attempts)
    }

    async fn cancel(&self, id: &OrderId, customer: &CustomerId) -> Result<Cancellation, Fault> {
        let Some(mut order) = self.load_order(id).await? else {
            return Ok(Cancellation::Unknown);
        };
        if &order.priced.customer_id != customer {
            return Ok(Cancellation::NotYours);
        }
        if order.status == OrderStatus::Cancelled {
            return Ok(Cancellation::Cancelled { order });
        }
        let key = customer_key(customer);
        let mut record: CustomerRecord = self.read_json(&key).await?.unwrap_or_default();
        // An order exists, so the ledger was written.
        let mut ledger = self
            .stored_ledger()
            .await?
            .ok_or_else(|| Fault("an order without a ledger".into()))?;
        let quantity = order.priced.quantity.get();
        record.give_back(id, quantity);
        ledger.stock_left += quantity;
        ledger.cancelled_units += quantity;
        ledger.cancelled_orders += 1;
        order.status = OrderStatus::Cancelled;
        let now = self.host.now();
        let mut writes = Writes::default();
        writes.put(LEDGER_KEY.to_owned(), &ledger)?;
        writes.put(key, &record)?;
        writes.put(order_key(id), &order)?;
        // Origin may learn of the order and its cancellation in either order: it never lets an
        // acceptance overwrite a cancellation.
        writes.put(pending_key(id), &Pending::new(OrderStatus::Cancelled, now))?;
        self.host.write(writes).await?;
        self.ledger.set(Some(ledger));
        self.join_send_window(now, 1).await;
        Ok(Cancellation::Cancelled { order })
    }

    /// Origin holds these orders in at least these states: their pending records go, and a
    /// reserved order reads "confirmed". A confirmation of a state the order has left (say,
    /// reserved, after a cancel) changes nothing.
    async fn confirm(&self, confirmed: &[(OrderId, OrderStatus)]) -> Result<u32, Fault> {
        let mut changed = 0;
        for part in confirmed.chunks(CONFIRM_CHUNK) {
            let keys = part
                .iter()
                .flat_map(|(id, _)| [order_key(id), pending_key(id)])
                .collect();
            let stored = self.host.read(keys).await?;
            let mut writes = Writes::default();
            for (id, status) in part {
                let pending = parse::<Pending>(&stored, &pending_key(id));
                if pending.is_some_and(|pending| same_state(pending.status, *status)) {
                    writes.delete(pending_key(id));
                    changed += 1;
                }
                if let Some(mut order) = parse::<Order>(&stored, &order_key(id))
                    && order.status == OrderStatus::Reserved
                    && *status != OrderStatus::Cancelled
                {
                    order.status = OrderStatus::Confirmed;
                    writes.put(order_key(id), &order)?;
                }
            }
            if !writes.is_empty() {
                self.host.write(writes).await?;
            }
        }
        Ok(changed)
    }

    /// The customer's orders here, newest first.
    async fn customer_orders(&self, customer: &CustomerId) -> Result<Vec<Order>, Fault> {
        let record: CustomerRecord = self
            .read_json(&customer_key(customer))
            .await?
            .unwrap_or_default();
        let keys: Vec<String> = record.listed().iter().map(order_key).collect();
        let mut orders = Vec::with_capacity(keys.len());
        for part in keys.chunks(128) {
            let stored = self.host.read(part.to_vec()).await?;
            orders.extend(part.iter().filter_map(|key| parse::<Order>(&stored, key)));
        }
        orders.sort_by_key(|order| std::cmp::Reverse(order.priced.priced_at));
        Ok(orders)
    }
}

/// Whether a confirmed state covers a pending one (origin stores "reserved" as sold).
fn same_state(pending: OrderStatus, confirmed: OrderStatus) -> bool {
    let sold = |status| status != OrderStatus::Cancelled;
    sold(pending) == sold(confirmed)
}

fn json(value: &impl Serialize) -> Result<String, Fault> {
    Ok(serde_json::to_string(value)?)
}
