//! The night's loop: each step the seed picks one thing to happen — a task runs until it
//! waits, a call arrives (or is lost, or arrives twice), an alarm fires (or is lost), time
//! passes, a shopper orders or cancels, the consumer delivers, an object resets, origin goes
//! down or refuses — and the promises are checked. Then the world heals until it is quiet.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use festival_domain::stock::Fault;
use festival_domain::{Deal, DealId, UnixMillis};

use super::actors::{self, Book, Plan, Shared};
use super::faults::{Faults, Kind};
use super::marketer;
use super::world::{Owner, Task, World};
use super::{Config, Failure, Outcome, checks};

/// Steps the healing may take before the world counts as stuck.
const HEAL_STEPS: u64 = 20_000;

pub struct Night {
    world: Rc<World>,
    book: Shared,
    plans: Vec<Plan>,
    tasks: Vec<(Owner, Task)>,
    step: u64,
}

impl Night {
    pub fn new(config: &Config) -> Night {
        let mut faults = Faults::new(config.seed, &config.faults);
        let plans = (0..3).map(|n| plan(n, &mut faults)).collect::<Vec<_>>();
        let deals = plans.iter().map(|plan| plan.deal.id.clone()).collect();
        Night {
            world: World::new(faults, deals),
            book: Rc::new(RefCell::new(Book::default())),
            plans,
            tasks: Vec::new(),
            step: 0,
        }
    }

    pub fn run(mut self, steps: u64) -> Outcome {
        while self.step < steps {
            self.step += 1;
            self.act();
            if let Err(broken) = self.check() {
                return self.failed(broken);
            }
        }
        self.world.note("--- faults stop; the world heals".into());
        if let Err(broken) = self.heal().and_then(|()| self.check_healed()) {
            return self.failed(broken);
        }
        self.outcome(None)
    }

    fn failed(&self, broken: String) -> Outcome {
        self.outcome(Some(Failure {
            step: self.step,
            broken,
            trace: self.world.trace.borrow().clone(),
        }))
    }

    fn outcome(&self, failure: Option<Failure>) -> Outcome {
        Outcome {
            steps: self.step,
            orders: self.book.borrow().answered.len(),
            messages: self.world.messages.get(),
            writes: self.world.writes.get(),
            failure,
        }
    }

    fn check(&self) -> Result<(), String> {
        checks::always(&self.world, &self.plans, &self.book.borrow())
    }

    fn check_healed(&self) -> Result<(), String> {
        self.check()?;
        checks::healed(&self.world, &self.plans, &self.book.borrow())
    }

    fn choose(&self, n: u64) -> u64 {
        self.world.faults.borrow_mut().choices.below(n)
    }

    /// One step of the night.
    fn act(&mut self) {
        let world = self.world.clone();
        let deal = self.choose(self.plans.len() as u64) as usize;
        match self.choose(100) {
            0..30 => self.poll_one(),
            30..50 => self.deliver_one(),
            50..58 => self.fire_alarm(),
            58..68 => self.pass_time(1 + self.choose(200) as i64),
            68..78 => actors::order_batch(&world, &self.book, &self.plans, deal),
            78..80 => actors::cancel(&world, &self.book),
            80 => marketer::act(&world, &self.book, &self.plans, deal),
            81..85 => actors::read_ledger(&world, &self.book, &self.plans, deal),
            85..93 => actors::consume(&world, &self.book),
            93 => actors::redrive(&world, &self.book),
            94 => self.pass_time(30_000 + self.choose(300_000) as i64),
            _ => self.strike(),
        }
        self.adopt_spawned();
    }

    /// The faults that strike the world as a whole rather than one operation.
    fn strike(&mut self) {
        let now = self.world.now.get();
        if self.world.fault(Kind::Reset) {
            let objects: Vec<_> = self.world.objects.borrow().keys().copied().collect();
            if !objects.is_empty() {
                let id = objects[self.choose(objects.len() as u64) as usize];
                self.world.note(format!("reset {id:?}"));
                self.world.reset(id);
                self.tasks.retain(|(owner, _)| *owner != Owner::Object(id));
            }
        }
        if self.world.fault(Kind::OriginDown) {
            let span = 20_000 + self.choose(600_000) as i64;
            self.world
                .note(format!("origin down for {} s", span / 1000));
            self.book.borrow_mut().origin.down_until = now + span;
        }
        if self.world.fault(Kind::OriginRefuses) {
            let span = 10_000 + self.choose(120_000) as i64;
            self.world
                .note(format!("origin refuses for {} s", span / 1000));
            self.book.borrow_mut().origin.refusing_until = now + span;
        }
        if self.world.fault(Kind::ClockSkew) {
            let skew = self.choose(20_000) as i64 - 10_000;
            let mut objects = self.world.objects.borrow_mut();
            let count = objects.len() as u64;
            if let Some(object) = objects.values_mut().nth(self.choose(count) as usize) {
                object.skew = skew;
            }
        }
    }

    fn adopt_spawned(&mut self) {
        let spawned = std::mem::take(&mut *self.world.spawned.borrow_mut());
        self.tasks.extend(spawned);
    }

    /// Runs one task until it waits.
    fn poll_one(&mut self) {
        if self.tasks.is_empty() {
            return;
        }
        let index = self.choose(self.tasks.len() as u64) as usize;
        self.poll_at(index);
    }

    /// Polls task `index` once; answers whether it finished.
    fn poll_at(&mut self, index: usize) -> bool {
        let mut context = Context::from_waker(Waker::noop());
        let done = matches!(
            self.tasks[index].1.as_mut().poll(&mut context),
            Poll::Ready(())
        );
        if done {
            drop(self.tasks.remove(index));
        }
        self.adopt_spawned();
        done
    }

    /// One call in flight arrives — or is lost, or arrives twice.
    fn deliver_one(&mut self) {
        let count = self.world.calls.borrow().len() as u64;
        if count == 0 {
            return;
        }
        let call = self
            .world
            .calls
            .borrow_mut()
            .remove(self.choose(count) as usize);
        let world = &self.world;
        if world.fault(Kind::LostRequest) {
            world.note(format!("lost request to {:?}", call.to));
            *call.slot.borrow_mut() = Some(Err(Fault("lost request".into())));
            return;
        }
        if world.fault(Kind::DuplicateRequest) {
            world.note(format!("duplicate request to {:?}", call.to));
            world.calls.borrow_mut().push(super::world::Call {
                to: call.to,
                command: call.command.clone(),
                slot: Rc::new(RefCell::new(None)),
            });
        }
        let lost_reply = world.fault(Kind::LostReply);
        let shard = world.shard(call.to);
        let note = world.clone();
        world.spawn(Owner::Object(call.to), async move {
            let answer = shard.handle(call.command).await;
            if lost_reply {
                note.note(format!("lost reply from {:?}", call.to));
                *call.slot.borrow_mut() = Some(Err(Fault("lost reply".into())));
            } else {
                *call.slot.borrow_mut() = Some(answer);
            }
        });
    }

    /// An alarm whose time has come fires — or is lost.
    fn fire_alarm(&mut self) {
        let now = self.world.now.get();
        let due: Vec<_> = self
            .world
            .objects
            .borrow()
            .iter()
            .filter(|(_, object)| !object.alarm_running && object.alarm.is_some_and(|at| at <= now))
            .map(|(id, _)| *id)
            .collect();
        if due.is_empty() {
            return;
        }
        let id = due[self.choose(due.len() as u64) as usize];
        if let Some(object) = self.world.objects.borrow_mut().get_mut(&id) {
            object.alarm = None;
        }
        if self.world.fault(Kind::AlarmLost) {
            self.world.note(format!("alarm of {id:?} lost"));
            return;
        }
        let shard = self.world.shard(id);
        let world = self.world.clone();
        if let Some(object) = world.objects.borrow_mut().get_mut(&id) {
            object.alarm_running = true;
        }
        self.world.spawn(Owner::Object(id), async move {
            let _ = shard.alarm().await;
            if let Some(object) = world.objects.borrow_mut().get_mut(&id) {
                object.alarm_running = false;
            }
        });
    }

    fn pass_time(&self, ms: i64) {
        self.world.now.set(self.world.now.get() + ms);
    }

    /// Faults stop, origin comes back, clocks agree; everything runs its course until nothing
    /// is in flight — or [`HEAL_STEPS`] pass, and the world is stuck.
    fn heal(&mut self) -> Result<(), String> {
        self.world.faults.borrow_mut().healing = true;
        {
            let mut book = self.book.borrow_mut();
            book.origin.down_until = 0;
            book.origin.refusing_until = 0;
        }
        for object in self.world.objects.borrow_mut().values_mut() {
            object.skew = 0;
        }
        for _ in 0..HEAL_STEPS {
            self.step += 1;
            if self.is_quiet() {
                return Ok(());
            }
            self.heal_step();
        }
        let why = checks::healed(&self.world, &self.plans, &self.book.borrow()).err();
        Err(format!(
            "the world never became quiet after the faults stopped: {} tasks, {} calls in \
             flight; {}",
            self.tasks.len(),
            self.world.calls.borrow().len(),
            why.unwrap_or_default()
        ))
    }

    fn heal_step(&mut self) {
        let world = self.world.clone();
        let mut index = 0;
        while index < self.tasks.len() {
            if !self.poll_at(index) {
                index += 1;
            }
        }
        while !world.calls.borrow().is_empty() {
            self.deliver_one();
        }
        self.fire_alarm();
        actors::consume(&world, &self.book);
        actors::redrive(&world, &self.book);
        if self.step.is_multiple_of(50) {
            // Catalog reads reach every shard now and then, which restarts evicted objects.
            for (deal, plan) in self.plans.iter().enumerate() {
                for _ in 0..plan.deal.shard_count() {
                    actors::read_ledger(&world, &self.book, &self.plans, deal);
                }
                let live = marketer::recorded(&self.book, deal);
                if !live.is_untouched() {
                    marketer::push(&world, &self.book, &self.plans, deal, live);
                }
            }
        }
        self.adopt_spawned();
        if self.tasks.is_empty() && world.calls.borrow().is_empty() {
            self.pass_time(1_000);
        } else {
            self.pass_time(10);
        }
    }

    fn is_quiet(&self) -> bool {
        if !self.tasks.is_empty() || !self.world.calls.borrow().is_empty() {
            return false;
        }
        checks::healed(&self.world, &self.plans, &self.book.borrow()).is_ok()
    }
}

/// Deal `n`: a small stock over a few shards, so that lending, selling out and limits happen
/// within a few thousand steps; sometimes edited before its start, with isolates that still
/// hold the older schedule.
fn plan(n: usize, faults: &mut Faults) -> Plan {
    let choices = &mut faults.choices;
    let mut deal = Deal {
        id: DealId::parse(&format!("deal-{n}")).expect("a valid id"),
        name: format!("Deal {n}"),
        description: String::new(),
        image_url: String::new(),
        price_minor: 1_000,
        was_price_minor: 2_000,
        currency: "USD".into(),
        stock: 4 + choices.below(30) as u32,
        starts_at: UnixMillis(0),
        ends_at: UnixMillis(i64::MAX / 2),
        per_customer_limit: 1 + choices.below(3) as u32,
        shards: 1 + choices.below(5) as u32,
        translations: Default::default(),
    };
    let older = (choices.below(2) == 0).then(|| {
        let older = deal.clone();
        deal.stock = 4 + choices.below(30) as u32;
        deal.shards = 1 + choices.below(5) as u32;
        older
    });
    Plan { deal, older }
}
