//! Getting every order's latest state to origin, whatever is lost on the way.
//!
//! Each new order and each cancellation writes a [`Pending`] record in the same write as the
//! order. The alarm sends what is due to the queue, up to [`QUEUE_BATCH`] orders in one
//! message, and marks it
//! sent with a later due time; the consumer's confirmation (origin stored it) removes the
//! record. So an order whose message was lost after the queue took it — a purge, a crash, a
//! consumer that gave up — is sent again, backing off, until origin confirms it. Origin is
//! idempotent by order id and never lets a sale overwrite a cancellation, so a re-send is safe.
//!
//! The alarm is re-armed on every path: a safety alarm is set first, so a run that fails half
//! way runs again; the run ends by setting the alarm to the next due time, or clearing it.

use std::collections::BTreeMap;

use crate::batch::{MAX_BATCH_ORDERS, messages_of};
use crate::order::OrderId;
use crate::time::UnixMillis;

use super::records::{LEGACY_OUTBOX_PREFIX, PENDING_PREFIX, Pending, order_key, pending_key};
use super::shard::{Shard, parse};
use super::{Fault, Host, Writes};

/// Most orders in one send to the queue: one message (see `batch::messages_of`).
pub const QUEUE_BATCH: usize = MAX_BATCH_ORDERS;
/// Pages of pending records read per alarm run (see `Tuning::pending_page`).
const PAGES_PER_RUN: usize = 8;
/// A pass over the pending records that spans alarm runs: where it stopped, and the earliest
/// due time among the records it read that were not yet due.
#[derive(Debug, Clone)]
pub(super) struct PendingScan {
    pub after: String,
    pub next_due: Option<UnixMillis>,
}

/// How long a backlog reading is answered again before the shard lists its records anew.
pub const BACKLOG_FRESH_MS: i64 = 5_000;
/// Legacy outbox entries sent per alarm run.
const LEGACY_ENTRIES_PER_RUN: usize = 16;
/// When a run that failed half way runs again, and when a failed send is tried again.
pub const ALARM_RETRY_MS: i64 = 2_000;
/// How late an alarm may be before it counts as lost.
const ALARM_OVERDUE_MS: i64 = 30_000;

impl<H: Host> Shard<H> {
    /// Makes sure the alarm goes off by `at`.
    pub(super) async fn arm_alarm(&self, at: UnixMillis) {
        // A pass over the pending records that spans runs may already be past a record written
        // now: what is asked for counts in the time the pass ends on.
        self.note_in_scan(Some(at));
        if let Some(asked) = self.asked_during_alarm.get() {
            self.asked_during_alarm.set(Some(earliest(asked, Some(at))));
            return;
        }
        if self.alarm_at.get().is_some_and(|armed| armed <= at) {
            return;
        }
        if let Err(fault) = self.host.set_alarm(Some(at)).await {
            // Remembered as if armed: once it is overdue, the next event of the object arms it
            // (see `rearm_if_overdue`).
            self.host.log(&format!("arming the alarm failed: {fault}"));
        }
        self.alarm_at.set(Some(at));
    }

    /// An alarm long past its time was lost (the runtime gives up on an alarm that failed
    /// several times): any event of the object sets it again.
    pub(super) async fn rearm_if_overdue(&self) {
        let now = self.host.now();
        if self
            .alarm_at
            .get()
            .is_some_and(|at| now.0 > at.0 + ALARM_OVERDUE_MS)
        {
            self.alarm_at.set(None);
            self.arm_alarm(now).await;
        }
    }

    /// The alarm: finishes open transfers, sends what is due, sets the next alarm. (The runtime
    /// runs one alarm of an object at a time.)
    pub async fn alarm(&self) -> Result<(), Fault> {
        let now = self.host.now();
        let safety = UnixMillis(now.0 + ALARM_RETRY_MS);
        // Wanted now: should even the safety alarm fail to be set, the next event of the object
        // finds it overdue and sets it (the runtime does not retry an alarm for ever).
        self.alarm_at.set(Some(now));
        self.host.set_alarm(Some(safety)).await?;
        self.alarm_at.set(Some(safety));
        self.asked_during_alarm.set(Some(None));
        let run = self.alarm_run(now, safety).await;
        let asked = self.asked_during_alarm.take().flatten();
        self.note_in_scan(asked);
        let next = earliest(run?, asked);
        self.host.set_alarm(next).await?;
        self.alarm_at.set(next);
        Ok(())
    }

    /// The alarm's work; answers when the alarm should go off next.
    async fn alarm_run(
        &self,
        now: UnixMillis,
        safety: UnixMillis,
    ) -> Result<Option<UnixMillis>, Fault> {
        let transfers_open = self.finish_open_transfers().await;
        let legacy_left = self.drain_legacy_outbox().await?;
        // A window still filling is sent when it closes (see `send_window.rs`); what else is
        // due waits with it, at most the longest window.
        if let Some(closes) = self.send_window.get().map(|w| w.closes_at(&self.tuning))
            && closes > now
        {
            return Ok(Some(if transfers_open {
                safety.min(closes)
            } else {
                closes
            }));
        }
        self.send_window.set(None);
        let next_due = match self.send_due(now).await {
            Ok(next_due) => next_due,
            Err(fault) => {
                // Records this run read may be neither sent nor marked: the next run reads
                // from the start, not past them.
                self.pending_scan.take();
                return Err(fault);
            }
        };
        Ok(if legacy_left {
            Some(now)
        } else if transfers_open {
            Some(safety)
        } else {
            next_due
        })
    }

    /// Sends the pending orders due by `now`; answers when the next one is due.
    async fn send_due(&self, now: UnixMillis) -> Result<Option<UnixMillis>, Fault> {
        let (due, mut next) = self.list_due(now).await?;
        for part in due.chunks(QUEUE_BATCH) {
            let keys = part.iter().map(|(id, _)| order_key(id)).collect();
            let orders = self.host.read(keys).await?;
            let texts: Vec<String> = part
                .iter()
                .filter_map(|(id, _)| orders.get(&order_key(id)).cloned())
                .collect();
            if let Err(fault) = self.host.send(messages_of(&texts)).await {
                self.host
                    .log(&format!("queue send of {} failed: {fault}", part.len()));
                let retry = Some(UnixMillis(now.0 + ALARM_RETRY_MS));
                self.note_in_scan(retry);
                return Ok(retry);
            }
            let sent_at = self.host.now();
            let after = self.mark_sent(part, sent_at).await?;
            // The records just sent are behind the pass's cursor: their next due time must
            // count where the pass ends, however many runs it takes.
            self.note_in_scan(after);
            next = earliest(next, after);
        }
        Ok(next)
    }

    /// Pending records due by `now`, and when the first of the others is due. A run reads at
    /// most [`PAGES_PER_RUN`] pages: with more records than that, a pass over them spans runs
    /// (the next goes on at once, from where this one stopped) and carries the earliest due time
    /// it saw, so the pass that reaches the end knows when the next record is due and the
    /// backoff of records sent earlier holds however many wait.
    async fn list_due(
        &self,
        now: UnixMillis,
    ) -> Result<(Vec<(OrderId, Pending)>, Option<UnixMillis>), Fault> {
        let page_size = self.tuning.pending_page;
        let scan = self.pending_scan.take();
        let (mut after, mut next) = match scan {
            Some(scan) => (Some(scan.after), scan.next_due),
            None => (None, None),
        };
        let mut due = Vec::new();
        for _ in 0..PAGES_PER_RUN {
            let page = self
                .host
                .list(PENDING_PREFIX, after.clone(), page_size)
                .await?;
            let full = page.len() == page_size;
            for (key, json) in page {
                let id = OrderId::parse(&key[PENDING_PREFIX.len()..]);
                match (id, serde_json::from_str::<Pending>(&json)) {
                    (Some(id), Ok(pending)) if pending.due <= now => due.push((id, pending)),
                    (Some(_), Ok(pending)) => next = earliest(next, Some(pending.due)),
                    _ => self.host.log(&format!("{key} is damaged")),
                }
                after = Some(key);
            }
            if !full {
                return Ok((due, next));
            }
        }
        if let Some(after) = after {
            self.pending_scan.replace(Some(PendingScan {
                after,
                next_due: next,
            }));
        }
        Ok((due, Some(now)))
    }

    /// Counts `at` in the due time the pass over the pending records ends on, while one spans
    /// runs.
    fn note_in_scan(&self, at: Option<UnixMillis>) {
        if let Some(scan) = self.pending_scan.borrow_mut().as_mut() {
            scan.next_due = earliest(scan.next_due, at);
        }
    }

    /// Marks `sent` as sent at `now`, unless its record changed while the send was out (a
    /// confirmation removed it, a cancel made it due again); answers the next due time.
    async fn mark_sent(
        &self,
        sent: &[(OrderId, Pending)],
        now: UnixMillis,
    ) -> Result<Option<UnixMillis>, Fault> {
        let keys = sent.iter().map(|(id, _)| pending_key(id)).collect();
        let stored: BTreeMap<String, String> = self.host.read(keys).await?;
        let mut writes = Writes::default();
        let mut next = None;
        for (id, before) in sent {
            let key = pending_key(id);
            match parse::<Pending>(&stored, &key) {
                Some(now_stored) if now_stored == *before => {
                    let after = before.sent(now, self.tuning.resend_after_ms);
                    next = earliest(next, Some(after.due));
                    writes.put(key, &after)?;
                }
                Some(changed) => next = earliest(next, Some(changed.due)),
                None => {}
            }
        }
        if !writes.is_empty() {
            self.host.write(writes).await?;
        }
        Ok(next)
    }

    /// What waits for origin on this shard, read in pages (at most
    /// [`BACKLOG_READ_AT_MOST`](super::BACKLOG_READ_AT_MOST) records; with more, the oldest is
    /// the oldest of those read), at most once per [`BACKLOG_FRESH_MS`].
    pub(super) async fn backlog(&self) -> Result<super::Backlog, Fault> {
        let now = self.host.now();
        if let Some((at, backlog)) = self.backlog_read.get()
            && now.0 - at.0 < BACKLOG_FRESH_MS
        {
            return Ok(backlog);
        }
        let backlog = self.read_backlog().await?;
        self.backlog_read.set(Some((now, backlog)));
        Ok(backlog)
    }

    async fn read_backlog(&self) -> Result<super::Backlog, Fault> {
        let mut backlog = super::Backlog::default();
        let mut after = None;
        while (backlog.waiting as usize) < super::BACKLOG_READ_AT_MOST {
            let page_size = self.tuning.pending_page;
            let page = self.host.list(PENDING_PREFIX, after, page_size).await?;
            let full = page.len() == page_size;
            after = page.last().map(|(key, _)| key.clone());
            for (_, json) in &page {
                backlog.waiting += 1;
                let since = serde_json::from_str::<Pending>(json).ok().map(|p| p.since);
                if let Some(since) = since.filter(|since| since.0 > 0) {
                    backlog.oldest_since =
                        Some(backlog.oldest_since.map_or(since, |o| o.min(since)));
                }
            }
            if !full {
                return Ok(backlog);
            }
        }
        backlog.more = true;
        Ok(backlog)
    }

    /// Sends and removes the outbox entries an earlier version left (a JSON list of order JSON
    /// texts each). Their orders have no pending record; they go once more, as before. Answers
    /// whether more entries wait than one run reads.
    async fn drain_legacy_outbox(&self) -> Result<bool, Fault> {
        let entries = self
            .host
            .list(LEGACY_OUTBOX_PREFIX, None, LEGACY_ENTRIES_PER_RUN)
            .await?;
        let more = entries.len() == LEGACY_ENTRIES_PER_RUN;
        for (key, json) in entries {
            let orders = match serde_json::from_str::<Vec<String>>(&json) {
                Ok(orders) => orders,
                Err(_) => vec![json],
            };
            self.host.send(messages_of(&orders)).await?;
            let mut writes = Writes::default();
            writes.delete(key);
            self.host.write(writes).await?;
        }
        Ok(more)
    }
}

fn earliest(a: Option<UnixMillis>, b: Option<UnixMillis>) -> Option<UnixMillis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
