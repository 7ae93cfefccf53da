//! One shard's line in an isolate, as plain data: who leads the batch that is out, and the
//! orders waiting for the next one. No I/O and no clock of its own, so every rule is tested
//! here; `coalesce.rs` drives it from requests.
//!
//! A lead is a lease: a request the runtime cancelled may never run again — not even its
//! destructors — so a lead older than [`LEASE_MS`] may be taken over by the next order, and
//! the lease it replaced hands nothing on.

use std::collections::VecDeque;

use festival_domain::UnixMillis;

/// How long a lead holds before the next order may take over (a batch takes milliseconds).
pub const LEASE_MS: i64 = 3_000;

/// What a waiting order is told: its batch's answer, or that it leads the next batch.
pub enum Turn<O, A> {
    /// Its batch came back with this answer.
    Answered(A),
    /// It leads the next batch under `lease`: here is its order back, to go first.
    Lead { order: O, lease: u64 },
}

/// How a waiting order is reached.
pub trait Reply<O> {
    /// What a batch answers each order.
    type Answer;
    /// Delivers `turn`; `false` if the order's request is gone.
    fn deliver(self, turn: Turn<O, Self::Answer>) -> bool;
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
    /// The lead had stopped answering: it leads now.
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
        R: Reply<O>,
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

    /// Lease `lease`'s batch is back: the lead goes to the first order in line that can still
    /// take it, or the line is idle. A lease that was taken over hands nothing on.
    pub fn hand_over(&mut self, lease: u64, now: UnixMillis)
    where
        R: Reply<O>,
    {
        if self.lead.is_none_or(|current| current.id != lease) {
            return;
        }
        self.lead = None;
        while let Some(next) = self.waiting.pop_front() {
            let lease = self.lease(now);
            let turn = Turn::Lead {
                order: next.order,
                lease,
            };
            if next.reply.deliver(turn) {
                return;
            }
            // That order's request went away before its turn: its order is not sent.
            self.lead = None;
        }
    }

    /// Waiting order `ticket` looks up (on its timer): it takes over a lead that stopped
    /// answering, or, when `give_up`, leaves the line.
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
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// A reply that records what it was told; `open: false` plays a request that is gone.
    #[derive(Clone)]
    struct Inbox {
        told: Rc<RefCell<Vec<String>>>,
        open: bool,
    }

    impl Inbox {
        fn new() -> Self {
            Inbox {
                told: Rc::default(),
                open: true,
            }
        }
        fn gone() -> Self {
            Inbox {
                open: false,
                ..Inbox::new()
            }
        }
        fn told(&self) -> Vec<String> {
            self.told.borrow().clone()
        }
    }

    impl Reply<&'static str> for Inbox {
        type Answer = ();
        fn deliver(self, turn: Turn<&'static str, ()>) -> bool {
            if !self.open {
                return false;
            }
            let said = match turn {
                Turn::Answered(()) => "answered".to_owned(),
                Turn::Lead { order, lease } => format!("lead {order} {lease}"),
            };
            self.told.borrow_mut().push(said);
            true
        }
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

    #[test]
    fn an_idle_line_is_led_at_once_and_the_lead_passes_to_the_first_in_line() {
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        let (b, c) = (Inbox::new(), Inbox::new());
        ticket_of(line.arrive("b", b.clone(), at(1)));
        ticket_of(line.arrive("c", c.clone(), at(2)));
        line.hand_over(lease, at(10));
        assert_eq!(b.told(), ["lead b 4"]);
        assert!(c.told().is_empty());
        // "b" leads now: "c" is its follower, and after it the line is idle.
        let followers = line.take_followers(24);
        assert_eq!(followers.iter().map(|w| w.order).collect::<Vec<_>>(), ["c"]);
        line.hand_over(4, at(20));
        lease_of(line.arrive("d", Inbox::new(), at(21)));
    }

    #[test]
    fn followers_are_at_most_the_batch_and_skip_requests_that_are_gone() {
        let mut line = Line::default();
        lease_of(line.arrive("lead", Inbox::new(), at(0)));
        line.arrive("gone", Inbox::gone(), at(1));
        for order in ["b", "c", "d"] {
            line.arrive(order, Inbox::new(), at(2));
        }
        let taken: Vec<_> = line.take_followers(2).iter().map(|w| w.order).collect();
        assert_eq!(taken, ["b", "c"]);
        let rest: Vec<_> = line.take_followers(2).iter().map(|w| w.order).collect();
        assert_eq!(rest, ["d"]);
    }

    #[test]
    fn the_lead_skips_requests_that_are_gone_and_the_line_goes_idle() {
        let mut line = Line::default();
        let lease = lease_of(line.arrive("a", Inbox::new(), at(0)));
        line.arrive("gone", Inbox::gone(), at(1));
        line.hand_over(lease, at(5));
        // Nobody took the lead: the next order leads at once.
        lease_of(line.arrive("b", Inbox::new(), at(6)));
    }

    #[test]
    fn a_lead_that_stopped_answering_is_taken_over_and_hands_nothing_on() {
        let mut line = Line::default();
        let stuck = lease_of(line.arrive("a", Inbox::new(), at(0)));
        let b = Inbox::new();
        ticket_of(line.arrive("b", b.clone(), at(LEASE_MS - 1)));
        // A newcomer after the lease leads, and takes "b" along.
        let fresh = lease_of(line.arrive("c", Inbox::new(), at(LEASE_MS)));
        assert_eq!(line.take_followers(24).len(), 1);
        // The stuck request comes back after all: its hand-over is ignored.
        let d = Inbox::new();
        ticket_of(line.arrive("d", d.clone(), at(LEASE_MS + 1)));
        line.hand_over(stuck, at(LEASE_MS + 2));
        assert!(d.told().is_empty());
        line.hand_over(fresh, at(LEASE_MS + 3));
        assert_eq!(d.told().len(), 1);
        assert!(b.told().is_empty(), "b went as a follower, not as a leader");
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
        line.hand_over(lease, at(10_001));
    }
}
