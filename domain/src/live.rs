//! A live sale's controls: units added after it was scheduled (top-ups), an early end, a pause.
//!
//! Origin records them; the edge pushes them to every shard of the deal when a marketer acts,
//! and `CatalogStore` hands them to the shards again with every stock reading (once a second),
//! so a shard that missed a push catches up. A shard keeps the [`LiveControl`] it has seen and
//! refuses orders by it on its own clock: every order passes a shard, so an order that arrives
//! after the change is refused even where an isolate's copy of the catalog is older.
//!
//! Copies meet in any order and any number of times, so a control is merged, never overwritten:
//! units added only grow (the total, not each top-up, travels: applying the same total twice
//! adds nothing), an early end only comes earlier, and of two pause states the one with the
//! higher revision wins. [`LiveControl::merge`] is a join: commutative, associative, idempotent.

use serde::{Deserialize, Serialize};

use crate::deal::{Deal, share_of};
use crate::time::UnixMillis;

/// What a marketer changed on a live sale, as one value that every copy can merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveControl {
    /// Units added to the deal after it was scheduled, in total over all its shards.
    #[serde(default)]
    pub added_units: u32,
    /// When a marketer ended the sale, by the edge's clock. A shard refuses orders from the
    /// moment it learns of the end, whatever its own clock reads: the end is pushed to every
    /// shard before the marketer is told it is done.
    #[serde(default)]
    pub ended_at: Option<UnixMillis>,
    /// Counts pauses and resumptions: the state with the higher revision is the later one.
    #[serde(default)]
    pub pause_revision: u32,
    /// Whether orders are refused until the sale resumes.
    #[serde(default)]
    pub paused: bool,
}

/// Why a live sale takes no order at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// Ended early.
    Ended,
    /// Paused until a marketer resumes it.
    Paused,
}

impl From<Stop> for crate::Refusal {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Ended => crate::Refusal::SaleEnded,
            Stop::Paused => crate::Refusal::SalePaused,
        }
    }
}

impl LiveControl {
    /// Both copies' news: the larger top-up total, the earlier end, the later pause state.
    pub fn merge(self, other: LiveControl) -> LiveControl {
        let ended_at = match (self.ended_at, other.ended_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let later = if (other.pause_revision, other.paused) > (self.pause_revision, self.paused) {
            other
        } else {
            self
        };
        LiveControl {
            added_units: self.added_units.max(other.added_units),
            ended_at,
            pause_revision: later.pause_revision,
            paused: later.paused,
        }
    }

    /// Why orders are refused, if they are: an end first (it is final), then a pause.
    pub fn stop(&self) -> Option<Stop> {
        if self.ended_at.is_some() {
            Some(Stop::Ended)
        } else if self.paused {
            Some(Stop::Paused)
        } else {
            None
        }
    }

    /// `deal` as shoppers see it: with the units added, and ending when it was ended.
    pub fn shown(&self, deal: &Deal) -> Deal {
        let mut shown = deal.clone();
        shown.stock = deal.stock.saturating_add(self.added_units);
        if let Some(ended) = self.ended_at {
            shown.ends_at = shown.ends_at.min(ended);
        }
        shown
    }

    /// Whether a marketer never touched the sale.
    pub fn is_untouched(&self) -> bool {
        *self == LiveControl::default()
    }

    /// Shard `index` of `shards`'s part of the units added: the total split as the stock is,
    /// so that the parts always sum to the total. It only grows with the total, so a shard that
    /// learns a larger total adds the difference of its parts.
    pub fn added_share(&self, shards: u32, index: u32) -> u32 {
        share_of(self.added_units, shards, index)
    }
}

/// The actions a marketer takes on a live sale (`POST /admin/deals/{id}/live`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum LiveAction {
    /// Refuse orders from `at` (the edge's clock when the marketer confirmed) on, for good.
    End {
        #[serde(default)]
        at: Option<UnixMillis>,
    },
    /// Add `units` to the stock. `key` names this top-up, so sending it twice adds once.
    TopUp { units: u32, key: String },
    /// Refuse orders until resumed.
    Pause,
    /// Take orders again after a pause.
    Resume,
}

/// Most units one top-up adds: far above any festival's stock, small enough that totals never
/// come near `u32::MAX`.
pub const MAX_TOP_UP: u32 = 1_000_000;

impl LiveAction {
    /// The action's name, as the audit log records it.
    pub fn name(&self) -> &'static str {
        match self {
            LiveAction::End { .. } => "end",
            LiveAction::TopUp { .. } => "top_up",
            LiveAction::Pause => "pause",
            LiveAction::Resume => "resume",
        }
    }

    /// Why this action cannot be taken on `live`, in words, or `Ok` with the control after it.
    /// `now` stands in for an end without a moment.
    pub fn apply(&self, live: LiveControl, now: UnixMillis) -> Result<LiveControl, &'static str> {
        if live.ended_at.is_some() {
            return Err("This sale was ended; it cannot change any more.");
        }
        Ok(match self {
            LiveAction::End { at } => LiveControl {
                ended_at: Some(at.unwrap_or(now)),
                ..live
            },
            LiveAction::TopUp { units, key } => {
                if *units == 0 || *units > MAX_TOP_UP {
                    return Err("Add between 1 and 1,000,000 units.");
                }
                if key.is_empty() || key.len() > 64 {
                    return Err("A top-up needs a key of 1 to 64 characters.");
                }
                LiveControl {
                    added_units: live.added_units.saturating_add(*units),
                    ..live
                }
            }
            LiveAction::Pause | LiveAction::Resume => {
                let paused = matches!(self, LiveAction::Pause);
                if live.paused == paused {
                    return Err(if paused {
                        "This sale is already paused."
                    } else {
                        "This sale is not paused."
                    });
                }
                LiveControl {
                    paused,
                    pause_revision: live.pause_revision + 1,
                    ..live
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn control() -> impl Strategy<Value = LiveControl> {
        (
            0u32..50,
            proptest::option::of(0i64..100),
            0u32..5,
            any::<bool>(),
        )
            .prop_map(|(added_units, ended, pause_revision, paused)| LiveControl {
                added_units,
                ended_at: ended.map(UnixMillis),
                pause_revision,
                paused,
            })
    }

    proptest! {
        #[test]
        fn copies_merge_in_any_order_and_any_number_of_times(
            a in control(), b in control(), c in control()
        ) {
            prop_assert_eq!(a.merge(b), b.merge(a));
            prop_assert_eq!(a.merge(b).merge(c), a.merge(b.merge(c)));
            prop_assert_eq!(a.merge(a), a);
            prop_assert_eq!(a.merge(b).merge(b), a.merge(b));
        }

        #[test]
        fn shares_of_added_units_sum_to_the_total_and_only_grow(
            total in 0u32..500, more in 0u32..100, shards in 1u32..33
        ) {
            let before = LiveControl { added_units: total, ..LiveControl::default() };
            let after = LiveControl { added_units: total + more, ..before };
            let parts: u32 = (0..shards).map(|i| after.added_share(shards, i)).sum();
            prop_assert_eq!(parts, total + more);
            for index in 0..shards {
                prop_assert!(after.added_share(shards, index) >= before.added_share(shards, index));
            }
        }
    }

    #[test]
    fn an_end_is_final_and_comes_before_a_pause() {
        let now = UnixMillis(1_000);
        let live = LiveAction::Pause
            .apply(LiveControl::default(), now)
            .unwrap();
        assert_eq!(live.stop(), Some(Stop::Paused));
        let ended = LiveAction::End { at: None }.apply(live, now).unwrap();
        assert_eq!(ended.stop(), Some(Stop::Ended));
        assert_eq!(ended.ended_at, Some(now));
        assert!(LiveAction::Resume.apply(ended, now).is_err());
        let top_up = LiveAction::TopUp {
            units: 5,
            key: "k".into(),
        };
        assert!(top_up.apply(ended, now).is_err());
    }

    #[test]
    fn a_later_resume_beats_an_earlier_pause_wherever_they_meet() {
        let now = UnixMillis(0);
        let paused = LiveAction::Pause
            .apply(LiveControl::default(), now)
            .unwrap();
        let resumed = LiveAction::Resume.apply(paused, now).unwrap();
        assert_eq!(paused.merge(resumed).stop(), None);
        assert_eq!(resumed.merge(paused).stop(), None);
        assert!(LiveAction::Resume.apply(resumed, now).is_err());
    }

    #[test]
    fn a_top_up_is_bounded_and_named() {
        let live = LiveControl::default();
        let now = UnixMillis(0);
        let units = |units| LiveAction::TopUp {
            units,
            key: "key-1".into(),
        };
        assert_eq!(units(7).apply(live, now).unwrap().added_units, 7);
        assert!(units(0).apply(live, now).is_err());
        assert!(units(MAX_TOP_UP + 1).apply(live, now).is_err());
        let unnamed = LiveAction::TopUp {
            units: 1,
            key: String::new(),
        };
        assert!(unnamed.apply(live, now).is_err());
    }
}
