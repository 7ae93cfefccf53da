//! The marketer at the console during the night: adds stock, pauses and resumes, and now and
//! then ends a sale. Origin's record of each deal's controls lives in the book; like the edge,
//! the marketer hands it to every shard of the deal (calls the world may lose, repeat or
//! delay), and catalog reads hand it again. The checks then hold the shards to it: units added
//! count once in the stock equation, and once a shard has answered an end, it accepts nothing.

use std::rc::Rc;

use festival_domain::UnixMillis;
use festival_domain::live::{LiveAction, LiveControl};
use festival_domain::stock::{Ledger, ShardSpec, StockCommand};

use super::actors::{Plan, Shared};
use super::world::{Owner, World};

/// A marketer's action on deal `deal`, recorded, then pushed to its shards.
pub fn act(world: &Rc<World>, book: &Shared, plans: &[Plan], deal: usize) {
    let choice = world.faults.borrow_mut().choices.below(100);
    let action = match choice {
        0..55 => LiveAction::TopUp {
            units: 1 + world.faults.borrow_mut().choices.below(6) as u32,
            key: format!("top-up-{}", world.now.get()),
        },
        55..97 => {
            let paused = book.borrow().live.get(&deal).is_some_and(|l| l.paused);
            if paused {
                LiveAction::Resume
            } else {
                LiveAction::Pause
            }
        }
        _ => LiveAction::End { at: None },
    };
    let now = UnixMillis(world.now.get());
    let recorded = {
        let mut book = book.borrow_mut();
        let live = book.live.entry(deal).or_default();
        match action.apply(*live, now) {
            Ok(after) => {
                *live = after;
                after
            }
            Err(_) => return,
        }
    };
    world.note(format!("marketer: {} on deal {deal}", action.name()));
    push(world, book, plans, deal, recorded);
}

/// Hands `live` to every shard of `deal`; a shard that answers an end is noted, with the time.
pub fn push(world: &Rc<World>, book: &Shared, plans: &[Plan], deal: usize, live: LiveControl) {
    let schedule = &plans[deal].deal;
    for index in 0..schedule.shard_count() {
        let command = StockCommand::Control {
            deal: schedule.id.clone(),
            spec: ShardSpec::of(schedule, index),
            live,
        };
        let answer = world.call((deal, index), command);
        let (book, world_now) = (book.clone(), world.clone());
        world.spawn(Owner::Client, async move {
            let Ok(text) = answer.await else { return };
            if let Ok(Ok(ledger)) = serde_json::from_str::<Result<Ledger, String>>(&text)
                && ledger.live.ended_at.is_some()
            {
                book.borrow_mut()
                    .ended_answered
                    .entry((deal, index))
                    .or_insert(world_now.now.get());
            }
        });
    }
}

/// Origin's record of `deal`'s controls.
pub fn recorded(book: &Shared, deal: usize) -> LiveControl {
    book.borrow().live.get(&deal).copied().unwrap_or_default()
}
