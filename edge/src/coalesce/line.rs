//! One object's line in an isolate, as plain data: who leads the batch that is out, and the
//! orders waiting for the next one. No I/O and no clock of its own, so every rule is tested
//! here; `coalesce` drives it from requests.
//!
//! The lead never passes from one request to another: a leader whose batch came back carries
//! on with the next one itself ([`Line::carry_on`]), and an order only ever leads from its own
//! arrival or its own timer ([`Line::look_up`]). Waiting orders are told nothing but their
//! answer. (`coalesce` says why: the runtime ties I/O to the request whose turn makes it.)
//!
//! A lead is a lease: a request the runtime cancelled may never run again — not even its
//! destructors — so a lead older than [`LEASE_MS`] may be taken over by the next order, and
//! the lease it replaced carries nothing on.

use std::collections::VecDeque;

use festival_domain::UnixMillis;

/// How long a lead holds before the next order may take over (a batch takes milliseconds).
pub const LEASE_MS: i64 = 3_000;

/// How the line tells whether a waiting order still has a request to answer. (Answers go to
/// the order by its reply; the line never delivers anything itself.)
pub trait Reply {
    /// Whether the order's request is known to be gone.
    fn is_closed(&self) -> bool;
}

/// An order in line.
pub struct Waiter<O, R> {
    pub ticket: u64,
    pub order: O,
    pub reply: R,
}

/// What an arriving order does.
#[derive(Debug, PartialEq, Eq)]
pub enum Arrival<O> {
    /// Leads a batch now, under this lease.
    Lead { order: O, lease: u64 },
    /// Waits in line with this ticket.
    Wait { ticket: u64 },
}

/// What a waiting order finds when it looks up.
#[derive(Debug, PartialEq, Eq)]
pub enum LookUp<O> {
    /// Its turn has not come: wait on.
    Wait,
    /// No live lead holds the line: it leads now.
    Lead { order: O, lease: u64 },
    /// It gave up and left the line; its order was never sent.
    Left,
    /// It gave up, but a batch already took its order.
    GaveUpInBatch,
}

#[derive(Clone, Copy)]
struct Lease {
    id: u64,
    since: UnixMillis,
}

/// One shard's line.
pub struct Line<O, R> {
    lead: Option<Lease>,
    /// Numbers leases and tickets.
    counter: u64,
    waiting: VecDeque<Waiter<O, R>>,
}

impl<O, R> Default for Line<O, R> {
    fn default() -> Self {
        Line {
            lead: None,
            counter: 0,
            waiting: VecDeque::new(),
        }
    }
}

impl<O, R> Line<O, R> {
    fn next_number(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn lease(&mut self, now: UnixMillis) -> u64 {
        let id = self.next_number();
        self.lead = Some(Lease { id, since: now });
        id
    }

    fn lead_is_live(&self, now: UnixMillis) -> bool {
        self.lead
            .is_some_and(|lease| lease.since.millis_until(now) < LEASE_MS)
    }

    fn holds(&self, lease: u64) -> bool {
        self.lead.is_some_and(|current| current.id == lease)
    }

    /// An order arrives: it leads if no live lead holds the line, else it waits.
    pub fn arrive(&mut self, order: O, reply: R, now: UnixMillis) -> Arrival<O> {
        if self.lead_is_live(now) {
            let ticket = self.next_number();
            self.waiting.push_back(Waiter {
                ticket,
                order,
                reply,
            });
            Arrival::Wait { ticket }
        } else {
            Arrival::Lead {
                order,
                lease: self.lease(now),
            }
        }
    }

    /// The orders that go with a leader's own: up to `most` from the front of the line,
    /// skipping those whose request is known to be gone.
    pub fn take_followers(&mut self, most: usize) -> Vec<Waiter<O, R>>
    where
        R: Reply,
    {
        let mut followers = Vec::new();
        while followers.len() < most {
            let Some(waiter) = self.waiting.pop_front() else {
                break;
            };
            if !waiter.reply.is_closed() {
                followers.push(waiter);
            }
        }
        followers
    }

    /// Lease `lease`'s batch is back: the next batch, up to `most` orders, for the same leader
    /// to send, its lease renewed from `now`; or none, and the line is idle. A lease that was
    /// taken over carries nothing on.
    pub fn carry_on(&mut self, lease: u64, now: UnixMillis, most: usize) -> Vec<Waiter<O, R>>
    where
        R: Reply,
    {
        if !self.holds(lease) {
            return Vec::new();
        }
        let next = self.take_followers(most);
        self.lead = if next.is_empty() {
            None
        } else {
            Some(Lease {
                id: lease,
                since: now,
            })
        };
        next
    }

    /// The leader of `lease` stops leading; whoever comes next (an arrival, or a waiter on its
    /// timer) leads the orders still in line.
    pub fn release(&mut self, lease: u64) {
        if self.holds(lease) {
            self.lead = None;
        }
    }

    /// Waiting order `ticket` looks up (on its own timer): it leads when no live lead holds
    /// the line, or, when `give_up`, leaves the line.
    pub fn look_up(&mut self, ticket: u64, now: UnixMillis, give_up: bool) -> LookUp<O> {
        if !give_up && self.lead_is_live(now) {
            return LookUp::Wait;
        }
        let Some(at) = self.waiting.iter().position(|w| w.ticket == ticket) else {
            // A batch took it: its answer comes, unless this order gives up first.
            return if give_up {
                LookUp::GaveUpInBatch
            } else {
                LookUp::Wait
            };
        };
        let Some(waiter) = self.waiting.remove(at) else {
            return LookUp::Wait;
        };
        if give_up {
            LookUp::Left
        } else {
            LookUp::Lead {
                order: waiter.order,
                lease: self.lease(now),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply; `open: false` plays a request that is gone.
    struct Inbox {
        open: bool,
    }

    impl Inbox {
        fn new() -> Self {
            Inbox { open: true }
        }
        fn gone() -> Self {
            Inbox { open: false }
        }
    }

    impl Reply for Inbox {
        fn is_closed(&self) -> bool {
            !self.open
        }
    }

    fn at(ms: i64) -> UnixMillis {
        UnixMillis(1_000_000 + ms)
    }

    fn lease_of(arrival: Arrival<&'static str>) -> u64 {
        match arrival {
            Arrival::Lead { lease, .. } => lease,
            Arrival::Wait { .. } => panic!("expected to lead"),
        }
    }

    fn ticket_of(arrival: Arrival<&'static str>) -> u64 {
        match arrival {
            Arrival::Wait { ticket } => ticket,
            Arrival::Lead { .. } => panic!("expected to wait"),
        }
    }

    fn orders(waiters: &[Waiter<&'static str, Inbox>]) -> Vec<&'static str> {
        waiters.iter().map(|w| w.order).collect()
    }

    #[test]
    fn an_idle_line_is_led_at_once_and_its_leader_carries_on_until_the_line_is_empty() {
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        ticket_of(line.arrive("b", Inbox::new(), at(1)));
        ticket_of(line.arrive("c", Inbox::new(), at(2)));
        // "a"'s batch is back: the same leader sends "b" and "c" next…
        assert_eq!(orders(&line.carry_on(lease, at(10), 24)), ["b", "c"]);
        // …and "d", arriving meanwhile, waits for that leader rather than leading.
        ticket_of(line.arrive("d", Inbox::new(), at(11)));
        assert_eq!(orders(&line.carry_on(lease, at(20), 24)), ["d"]);
        // Nobody is left: the line is idle and the next order leads at once.
        assert!(line.carry_on(lease, at(30), 24).is_empty());
        lease_of(line.arrive("e", Inbox::new(), at(31)));
    }

    #[test]
    fn carrying_on_renews_the_lease() {
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        ticket_of(line.arrive("b", Inbox::new(), at(1)));
        let c = ticket_of(line.arrive("c", Inbox::new(), at(2)));
        assert_eq!(orders(&line.carry_on(lease, at(LEASE_MS - 1), 1)), ["b"]);
        // Past the first lease's age, but the leader renewed it: "c" still waits.
        assert_eq!(line.look_up(c, at(LEASE_MS + 10), false), LookUp::Wait);
    }

    #[test]
    fn followers_are_at_most_the_batch_and_skip_requests_that_are_gone() {
        let mut line = Line::default();
        lease_of(line.arrive("lead", Inbox::new(), at(0)));
        line.arrive("gone", Inbox::gone(), at(1));
        for order in ["b", "c", "d"] {
            line.arrive(order, Inbox::new(), at(2));
        }
        assert_eq!(orders(&line.take_followers(2)), ["b", "c"]);
        assert_eq!(orders(&line.take_followers(2)), ["d"]);
    }

    #[test]
    fn a_line_of_requests_that_are_gone_goes_idle() {
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        line.arrive("gone", Inbox::gone(), at(1));
        assert!(line.carry_on(lease, at(5), 24).is_empty());
        lease_of(line.arrive("b", Inbox::new(), at(6)));
    }

    #[test]
    fn a_lead_that_stopped_answering_is_taken_over_and_carries_nothing_on() {
        let mut line = Line::default();
        let stuck = lease_of(line.arrive("a", Inbox::new(), at(0)));
        ticket_of(line.arrive("b", Inbox::new(), at(LEASE_MS - 1)));
        // A newcomer after the lease leads, and takes "b" along.
        let fresh = lease_of(line.arrive("c", Inbox::new(), at(LEASE_MS)));
        assert_eq!(orders(&line.take_followers(24)), ["b"]);
        // The stuck request comes back after all: it carries nothing on, nor ends the lead.
        ticket_of(line.arrive("d", Inbox::new(), at(LEASE_MS + 1)));
        assert!(line.carry_on(stuck, at(LEASE_MS + 2), 24).is_empty());
        line.release(stuck);
        ticket_of(line.arrive("e", Inbox::new(), at(LEASE_MS + 3)));
        assert_eq!(
            orders(&line.carry_on(fresh, at(LEASE_MS + 4), 24)),
            ["d", "e"]
        );
    }

    #[test]
    fn after_a_release_the_next_arrival_or_a_waiter_on_its_timer_leads() {
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        ticket_of(line.arrive("b", Inbox::new(), at(1)));
        ticket_of(line.arrive("c", Inbox::new(), at(2)));
        line.release(lease);
        // A newcomer leads and takes the line along…
        lease_of(line.arrive("d", Inbox::new(), at(3)));
        assert_eq!(orders(&line.take_followers(1)), ["b"]);
        // …or, when none comes, a waiter leads from its own timer.
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        let b = ticket_of(line.arrive("b", Inbox::new(), at(1)));
        line.release(lease);
        match line.look_up(b, at(5), false) {
            LookUp::Lead { order: "b", .. } => {}
            other => panic!("b should lead: {other:?}"),
        }
    }

    #[test]
    fn a_waiter_takes_over_a_stale_lead_or_leaves_when_it_gives_up() {
        let mut line = Line::default();
        lease_of(line.arrive("a", Inbox::new(), at(0)));
        let b = ticket_of(line.arrive("b", Inbox::new(), at(1)));
        let c = ticket_of(line.arrive("c", Inbox::new(), at(2)));
        assert_eq!(line.look_up(b, at(100), false), LookUp::Wait);
        match line.look_up(b, at(LEASE_MS), false) {
            LookUp::Lead { order: "b", .. } => {}
            other => panic!("b should lead: {other:?}"),
        }
        // "c" gives up while "b" leads: it leaves, and is never sent.
        assert_eq!(line.look_up(c, at(LEASE_MS + 1), true), LookUp::Left);
        assert!(line.take_followers(24).is_empty());
    }

    #[test]
    fn a_waiter_already_in_a_batch_waits_for_its_answer_or_gives_up() {
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        let b = ticket_of(line.arrive("b", Inbox::new(), at(1)));
        assert_eq!(line.take_followers(24).len(), 1);
        // The lead is stale, but "b" is in its batch: it cannot lead with its order.
        assert_eq!(line.look_up(b, at(LEASE_MS + 5), false), LookUp::Wait);
        assert_eq!(line.look_up(b, at(10_000), true), LookUp::GaveUpInBatch);
        assert!(line.carry_on(lease, at(10_001), 24).is_empty());
    }
}
