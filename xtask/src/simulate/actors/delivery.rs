//! Delivery to origin: the queue's messages, the consumer that takes them and delivers them,
//! the shards told what origin stored, the dead letters past the delivery budget, and redrive.

use std::rc::Rc;

use festival_domain::batch::{confirmations, orders_in_message, sent_states};
use festival_domain::stock::StockCommand;
use festival_domain::{BatchReceipt, Order};

use super::Shared;
use crate::simulate::faults::Kind;
use crate::simulate::world::{Owner, World};

/// Deliveries before the queue gives a message up to the dead letters (small, to get there).
const MAX_DELIVERIES: u32 = 4;
/// How long a message taken by the consumer stays invisible to others.
const VISIBILITY_MS: i64 = 30_000;

/// A message on the queue: its body, how often the consumer has taken it, and when it is
/// visible to the consumer again.
pub struct Message {
    pub id: u64,
    pub body: String,
    pub deliveries: u32,
    pub visible_at: i64,
}

impl Message {
    pub fn new(body: String, now: i64) -> Self {
        Message {
            id: 0,
            body,
            deliveries: 0,
            visible_at: now,
        }
    }
}

/// The consumer takes up to ten visible messages, in any order, and delivers them.
pub fn consume(world: &Rc<World>, book: &Shared) {
    let now = world.now.get();
    let mut taken = Vec::new();
    {
        let mut queue = world.queue.borrow_mut();
        for message in queue.iter_mut() {
            if message.id == 0 {
                let mut book = book.borrow_mut();
                book.next_message += 1;
                message.id = book.next_message;
            }
        }
        let mut faults = world.faults.borrow_mut();
        let mut visible: Vec<usize> = (0..queue.len())
            .filter(|&i| queue[i].visible_at <= now)
            .collect();
        while taken.len() < 10 && !visible.is_empty() {
            let pick = visible.remove(faults.choices.below(visible.len() as u64) as usize);
            queue[pick].visible_at = now + VISIBILITY_MS;
            queue[pick].deliveries += 1;
            taken.push((queue[pick].id, queue[pick].body.clone()));
        }
    }
    if taken.is_empty() {
        return;
    }
    if world.fault(Kind::QueueLoses) {
        let (id, _) = taken.remove(0);
        world.queue.borrow_mut().retain(|message| message.id != id);
        world.note(format!("queue loses message {id}"));
    }
    world.note(format!("consumer takes {}", taken.len()));
    let (world, book) = (world.clone(), book.clone());
    let task_world = world.clone();
    world.spawn(Owner::Consumer, async move {
        deliver(&task_world, &book, taken).await;
    });
}

async fn deliver(world: &Rc<World>, book: &Shared, taken: Vec<(u64, String)>) {
    let ids: Vec<u64> = taken.iter().map(|(id, _)| *id).collect();
    let orders: Vec<Order> = taken
        .iter()
        .filter_map(|(_, body)| orders_in_message(body))
        .flatten()
        .collect();
    let now = world.now.get();
    let receipt = {
        let mut book = book.borrow_mut();
        if book.origin.down_until > now {
            None
        } else if book.origin.refusing_until > now {
            // A permanent refusal: the messages become dead letters at once.
            let bodies = taken.iter().flat_map(|(_, body)| letters_of(body));
            book.dead_letters.extend(bodies);
            drop(book);
            world.queue.borrow_mut().retain(|m| !ids.contains(&m.id));
            return;
        } else {
            Some(book.origin.store(&orders))
        }
    };
    let confirmed = match receipt {
        // Origin stored the batch, and its answer was lost on the way back: the consumer
        // retries a batch origin already holds.
        Some(_) if world.fault(Kind::LostReply) => {
            world.note("origin's answer to the consumer lost".into());
            false
        }
        Some(receipt) => confirm(world, &orders, receipt).await,
        None => false,
    };
    let mut queue = world.queue.borrow_mut();
    if confirmed {
        let duplicate = world.fault(Kind::QueueDuplicates);
        queue.retain(|m| !ids.contains(&m.id) || (duplicate && m.id == ids[0]));
        return;
    }
    // Retry later; past the budget, the dead-letter queue keeps it.
    let mut book = book.borrow_mut();
    queue.retain(|message| {
        if ids.contains(&message.id) && message.deliveries >= MAX_DELIVERIES {
            book.dead_letters.extend(letters_of(&message.body));
            return false;
        }
        true
    });
    for message in queue.iter_mut().filter(|m| ids.contains(&m.id)) {
        message.visible_at = now + 1_000 * i64::from(message.deliveries.min(60));
    }
}

/// A dead message's letters, one per order, as the edge keeps them.
fn letters_of(body: &str) -> Vec<String> {
    orders_in_message(body)
        .unwrap_or_default()
        .iter()
        .filter_map(|order| serde_json::to_string(order).ok())
        .collect()
}

/// Tells the shards what origin stored; false when any of them did not hear it.
async fn confirm(world: &Rc<World>, orders: &[Order], receipt: BatchReceipt) -> bool {
    let sent = sent_states(orders);
    let mut all = true;
    for ((deal, shard), orders) in confirmations(&sent, receipt) {
        let to = (world.object_index(&deal), shard);
        all &= world
            .call(to, StockCommand::Confirm { orders })
            .await
            .is_ok();
    }
    all
}

/// `cargo xtask redrive`: every dead letter to origin again, removed once its shard heard.
pub fn redrive(world: &Rc<World>, book: &Shared) {
    let now = world.now.get();
    let letters = {
        let mut book = book.borrow_mut();
        if book.dead_letters.is_empty() || book.origin.down_until > now {
            return;
        }
        if book.origin.refusing_until > now {
            return;
        }
        std::mem::take(&mut book.dead_letters)
    };
    world.note(format!("redrive {} letters", letters.len()));
    let (task_world, book) = (world.clone(), book.clone());
    world.spawn(Owner::Consumer, async move {
        let orders: Vec<Order> = letters
            .iter()
            .filter_map(|body| serde_json::from_str(body).ok())
            .collect();
        let receipt = book.borrow_mut().origin.store(&orders);
        if !confirm(&task_world, &orders, receipt).await {
            book.borrow_mut().dead_letters.extend(letters);
        }
    });
}
