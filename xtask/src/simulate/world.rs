//! The simulated world: shards' storage and alarms, calls in flight, simulated time, and the
//! [`Host`] each shard runs on. Single-threaded: a task runs until it awaits something that is
//! not storage (a call, a send, a pause), exactly where a Durable Object lets other events in.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use festival_domain::stock::{Fault, Host, Shard, StockCommand, Tuning, Writes};
use festival_domain::{DealId, UnixMillis};

use super::faults::{Faults, Kind};

/// A shard: `(deal index, shard index)`.
pub type ObjectId = (usize, u32);

/// Who runs a task; resetting an object drops its tasks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Owner {
    Object(ObjectId),
    Client,
    Consumer,
}

pub type Task = Pin<Box<dyn Future<Output = ()>>>;
pub type Slot = Rc<RefCell<Option<Result<String, Fault>>>>;

/// A command on its way to a shard, and where its answer goes.
pub struct Call {
    pub to: ObjectId,
    pub command: StockCommand,
    pub slot: Slot,
}

/// One Durable Object: storage kept across resets, and the shard whose memory is not.
pub struct Object {
    pub storage: BTreeMap<String, String>,
    pub shard: Rc<Shard<SimHost>>,
    pub alarm: Option<i64>,
    /// The runtime runs one alarm of an object at a time.
    pub alarm_running: bool,
    /// Its clock's offset from the world's.
    pub skew: i64,
}

/// How long a caller waits for an answer before it counts the call as failed.
pub const CALL_TIMEOUT_MS: i64 = 5_000;
/// Shards re-send after a minute, gather their orders per send as deployed, and read
/// pending records four at a time, so that paging happens with the few orders of a simulated
/// shard.
const TUNING: Tuning = Tuning {
    resend_after_ms: 60_000,
    send_window_ms: 1_000,
    send_quiet_ms: 250,
    send_window_max_ms: 3_000,
    pending_page: 4,
};

pub struct World {
    pub now: Rc<Cell<i64>>,
    pub faults: RefCell<Faults>,
    pub deals: Vec<DealId>,
    pub objects: RefCell<BTreeMap<ObjectId, Object>>,
    pub calls: RefCell<Vec<Call>>,
    pub spawned: RefCell<Vec<(Owner, Task)>>,
    pub queue: RefCell<Vec<super::actors::Message>>,
    pub trace: RefCell<Vec<String>>,
    /// Storage writes and queue messages made, for the report.
    pub writes: Cell<u64>,
    pub messages: Cell<u64>,
}

impl World {
    pub fn new(faults: Faults, deals: Vec<DealId>) -> Rc<World> {
        Rc::new(World {
            now: Rc::new(Cell::new(1_000_000)),
            faults: RefCell::new(faults),
            deals,
            objects: RefCell::new(BTreeMap::new()),
            calls: RefCell::new(Vec::new()),
            spawned: RefCell::new(Vec::new()),
            queue: RefCell::new(Vec::new()),
            trace: RefCell::new(Vec::new()),
            writes: Cell::new(0),
            messages: Cell::new(0),
        })
    }

    pub fn note(&self, line: String) {
        self.trace.borrow_mut().push(line);
    }

    pub fn fault(&self, kind: Kind) -> bool {
        self.faults.borrow_mut().strikes(kind)
    }

    pub fn spawn(&self, owner: Owner, task: impl Future<Output = ()> + 'static) {
        self.spawned.borrow_mut().push((owner, Box::pin(task)));
    }

    /// The shard running as `id`, started (with empty memory) if it is not running.
    pub fn shard(self: &Rc<Self>, id: ObjectId) -> Rc<Shard<SimHost>> {
        let mut objects = self.objects.borrow_mut();
        let object = objects.entry(id).or_insert_with(|| Object {
            storage: BTreeMap::new(),
            shard: Rc::new(self.fresh_shard(id)),
            alarm: None,
            alarm_running: false,
            skew: 0,
        });
        object.shard.clone()
    }

    fn fresh_shard(self: &Rc<Self>, id: ObjectId) -> Shard<SimHost> {
        let host = SimHost {
            world: self.clone(),
            me: id,
        };
        Shard::new(host, TUNING)
    }

    /// The object loses its memory (its storage stays), as on a deploy or an eviction. The
    /// caller drops its tasks.
    pub fn reset(self: &Rc<Self>, id: ObjectId) {
        let shard = Rc::new(self.fresh_shard(id));
        if let Some(object) = self.objects.borrow_mut().get_mut(&id) {
            object.shard = shard;
            object.alarm_running = false;
        }
    }

    /// Sends `command` to shard `to`; resolves to its answer, or a fault when the call or its
    /// answer is lost or takes longer than [`CALL_TIMEOUT_MS`].
    pub fn call(&self, to: ObjectId, command: StockCommand) -> CallFuture {
        let slot: Slot = Rc::new(RefCell::new(None));
        self.calls.borrow_mut().push(Call {
            to,
            command,
            slot: slot.clone(),
        });
        CallFuture {
            slot,
            deadline: self.now.get() + CALL_TIMEOUT_MS,
            now: self.now.clone(),
        }
    }

    pub fn object_index(&self, deal: &DealId) -> usize {
        self.deals
            .iter()
            .position(|known| known == deal)
            .expect("the simulation only knows its own deals")
    }
}

/// Waits for a call's answer.
pub struct CallFuture {
    slot: Slot,
    deadline: i64,
    now: Rc<Cell<i64>>,
}

impl Future for CallFuture {
    type Output = Result<String, Fault>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(answer) = self.slot.borrow_mut().take() {
            return Poll::Ready(answer);
        }
        if self.now.get() > self.deadline {
            return Poll::Ready(Err(Fault("timed out".into())));
        }
        Poll::Pending
    }
}

/// Resolves once the world's clock reaches `until`.
pub struct Sleep {
    until: i64,
    now: Rc<Cell<i64>>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.now.get() >= self.until {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// One shard's view of the world. Storage answers at once (or fails), so a task never yields
/// inside a storage operation: the input gate, for free.
pub struct SimHost {
    world: Rc<World>,
    me: ObjectId,
}

impl SimHost {
    fn storage<T>(&self, use_it: impl FnOnce(&mut Object) -> T) -> T {
        let mut objects = self.world.objects.borrow_mut();
        use_it(
            objects
                .get_mut(&self.me)
                .expect("a running shard has its object"),
        )
    }

    fn failed(&self, kind: Kind, what: &str) -> Result<(), Fault> {
        if self.world.fault(kind) {
            self.world.note(format!("  {:?} {what} fails", self.me));
            return Err(Fault(format!("simulated: {what} failed")));
        }
        Ok(())
    }
}

impl Host for SimHost {
    async fn read(&self, keys: Vec<String>) -> Result<BTreeMap<String, String>, Fault> {
        self.failed(Kind::StorageFails, "read")?;
        Ok(self.storage(|object| {
            keys.iter()
                .filter_map(|key| Some((key.clone(), object.storage.get(key)?.clone())))
                .collect()
        }))
    }

    async fn list(
        &self,
        prefix: &str,
        start_after: Option<String>,
        limit: usize,
    ) -> Result<Vec<(String, String)>, Fault> {
        self.failed(Kind::StorageFails, "list")?;
        Ok(self.storage(|object| {
            object
                .storage
                .range(prefix.to_owned()..)
                .take_while(|(key, _)| key.starts_with(prefix))
                .filter(|(key, _)| start_after.as_ref().is_none_or(|after| *key > after))
                .take(limit)
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        }))
    }

    async fn write(&self, writes: Writes) -> Result<(), Fault> {
        self.failed(Kind::StorageFails, "write")?;
        self.world.writes.set(self.world.writes.get() + 1);
        self.storage(|object| {
            object.storage.extend(writes.puts);
            for key in &writes.deletes {
                object.storage.remove(key);
            }
        });
        Ok(())
    }

    async fn ask(
        &self,
        deal: &DealId,
        index: u32,
        command: &StockCommand,
    ) -> Result<String, Fault> {
        let to = (self.world.object_index(deal), index);
        self.world.call(to, command.clone()).await
    }

    async fn send(&self, messages: Vec<String>) -> Result<(), Fault> {
        self.failed(Kind::QueueSendFails, "queue send")?;
        let now = self.world.now.get();
        let mut queue = self.world.queue.borrow_mut();
        let sent = self.world.messages.get() + messages.len() as u64;
        self.world.messages.set(sent);
        for body in messages {
            queue.push(super::actors::Message::new(body, now));
        }
        Ok(())
    }

    async fn set_alarm(&self, at: Option<UnixMillis>) -> Result<(), Fault> {
        self.failed(Kind::StorageFails, "set alarm")?;
        self.storage(|object| object.alarm = at.map(|at| at.0 - object.skew));
        Ok(())
    }

    async fn pause(&self, ms: u32) {
        Sleep {
            until: self.world.now.get() + i64::from(ms),
            now: self.world.now.clone(),
        }
        .await
    }

    fn now(&self) -> UnixMillis {
        UnixMillis(self.world.now.get() + self.storage(|object| object.skew))
    }

    fn random(&self) -> u128 {
        self.world.faults.borrow_mut().random()
    }

    fn log(&self, message: &str) {
        self.world.note(format!("  {:?} log: {message}", self.me));
    }
}
