//! The edit freeze: a sale's schedule stops changing a while before the sale starts.
//!
//! Every edge isolate and every stock shard must sell by the schedule the marketer meant. Copies
//! of the schedule reach the edge within seconds, but a shard sets up its ledger from the stock
//! and shard count it first sees, and shoppers load the storefront before the start. An edit in
//! the last minutes could meet copies still holding the old figures, so origin refuses to edit
//! or cancel a sale from `starts_at − freeze` on. Scheduling a new sale is not an edit: nothing
//! at the edge has seen it yet.

use crate::time::{UnixMillis, format_utc};

/// The freeze origin applies unless configured otherwise (`FESTIVAL_EDIT_FREEZE_S`).
pub const DEFAULT_EDIT_FREEZE_S: u32 = 600;

/// How long before its start a sale's schedule is frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditFreeze {
    seconds: u32,
}

impl Default for EditFreeze {
    fn default() -> Self {
        EditFreeze::seconds(DEFAULT_EDIT_FREEZE_S)
    }
}

/// Why a sale's schedule can no longer change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frozen {
    /// The sale has started (or ended).
    Started,
    /// The sale starts soon: its schedule froze at `since`.
    Window {
        /// When the freeze began (`starts_at − freeze`).
        since: UnixMillis,
        /// When the sale starts.
        starts_at: UnixMillis,
        /// The freeze, for the words.
        freeze: EditFreeze,
    },
    /// The edit would move the start inside the freeze: it must start after `earliest`.
    MovedIntoWindow {
        /// The earliest start an edit made now may set (exclusive).
        earliest: UnixMillis,
        /// The freeze, for the words.
        freeze: EditFreeze,
    },
}

impl EditFreeze {
    /// A freeze of `seconds` (0: a sale may change until it starts).
    pub fn seconds(seconds: u32) -> Self {
        EditFreeze { seconds }
    }

    fn millis(self) -> i64 {
        i64::from(self.seconds) * 1_000
    }

    /// When the schedule of a sale starting at `starts_at` freezes.
    pub fn begins(self, starts_at: UnixMillis) -> UnixMillis {
        starts_at.plus_millis(-self.millis())
    }

    /// The latest stored start that is frozen at `now`: a sale may change only if it starts
    /// after this moment. Origin puts it in the statement that writes, so the check and the
    /// write cannot be split by the clock.
    pub fn frozen_through(self, now: UnixMillis) -> UnixMillis {
        now.plus_millis(self.millis())
    }

    /// Whether a sale stored as starting at `starts_at` may be edited or cancelled at `now`.
    pub fn check(self, starts_at: UnixMillis, now: UnixMillis) -> Result<(), Frozen> {
        if starts_at > self.frozen_through(now) {
            Ok(())
        } else {
            Err(self.why_frozen(starts_at, now))
        }
    }

    /// Whether an edit at `now` may replace the start `stored` with `edited`: the stored sale
    /// must not be frozen, and the edit must not move the start inside the freeze either (that
    /// would change the schedule within the freeze all the same).
    pub fn check_edit(
        self,
        stored: UnixMillis,
        edited: UnixMillis,
        now: UnixMillis,
    ) -> Result<(), Frozen> {
        self.check(stored, now)?;
        if edited > self.frozen_through(now) {
            Ok(())
        } else {
            Err(Frozen::MovedIntoWindow {
                earliest: self.frozen_through(now),
                freeze: self,
            })
        }
    }

    /// Why a sale stored as starting at `starts_at` is frozen at `now` (the caller knows it is:
    /// origin's guarded write found it so).
    pub fn why_frozen(self, starts_at: UnixMillis, now: UnixMillis) -> Frozen {
        if now >= starts_at {
            Frozen::Started
        } else {
            Frozen::Window {
                since: self.begins(starts_at),
                starts_at,
                freeze: self,
            }
        }
    }

    /// The freeze in words: "10 minutes", "1 minute", "90 seconds".
    pub fn describe(self) -> String {
        match (self.seconds % 60, self.seconds / 60) {
            (0, 1) => "1 minute".into(),
            (0, minutes) if minutes > 0 => format!("{minutes} minutes"),
            _ if self.seconds == 1 => "1 second".into(),
            _ => format!("{} seconds", self.seconds),
        }
    }
}

impl Frozen {
    /// The refusal in words for the marketer, naming when the freeze began.
    pub fn message(&self) -> String {
        match self {
            Frozen::Started => {
                "The sale has started; it can no longer be edited or cancelled.".into()
            }
            Frozen::Window {
                since,
                starts_at,
                freeze,
            } => format!(
                "This sale's schedule froze at {}, {} before it starts at {}: it can no longer \
                 be edited or cancelled.",
                format_utc(*since),
                freeze.describe(),
                format_utc(*starts_at),
            ),
            Frozen::MovedIntoWindow { earliest, freeze } => format!(
                "An edit cannot move the start less than {} away (the edit freeze): start \
                 after {}, or schedule a new sale.",
                freeze.describe(),
                format_utc(*earliest),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;
    /// 2026-11-11 00:00:00 UTC.
    const START: UnixMillis = UnixMillis(1_794_355_200_000);

    #[test]
    fn a_sale_is_editable_until_the_freeze_begins() {
        let freeze = EditFreeze::default();
        assert_eq!(freeze.begins(START), START.plus_millis(-10 * MINUTE));
        assert_eq!(freeze.check(START, START.plus_millis(-11 * MINUTE)), Ok(()));
        assert_eq!(
            freeze.check(START, START.plus_millis(-10 * MINUTE - 1)),
            Ok(())
        );
        let window = Err(Frozen::Window {
            since: START.plus_millis(-10 * MINUTE),
            starts_at: START,
            freeze,
        });
        assert_eq!(freeze.check(START, START.plus_millis(-10 * MINUTE)), window);
        assert_eq!(freeze.check(START, START.plus_millis(-1)), window);
        assert_eq!(freeze.check(START, START), Err(Frozen::Started));
        assert_eq!(
            freeze.check(START, START.plus_millis(MINUTE)),
            Err(Frozen::Started)
        );
    }

    #[test]
    fn no_freeze_allows_changes_until_the_start() {
        let none = EditFreeze::seconds(0);
        assert_eq!(none.check(START, START.plus_millis(-1)), Ok(()));
        assert_eq!(none.check(START, START), Err(Frozen::Started));
    }

    #[test]
    fn an_edit_may_not_move_the_start_into_the_freeze() {
        let freeze = EditFreeze::default();
        let now = START.plus_millis(-60 * MINUTE);
        assert_eq!(
            freeze.check_edit(START, now.plus_millis(11 * MINUTE), now),
            Ok(())
        );
        assert_eq!(
            freeze.check_edit(START, now.plus_millis(5 * MINUTE), now),
            Err(Frozen::MovedIntoWindow {
                earliest: now.plus_millis(10 * MINUTE),
                freeze
            })
        );
        // A frozen sale is refused as frozen, whatever the edit says.
        let late = START.plus_millis(-MINUTE);
        assert!(matches!(
            freeze.check_edit(START, START.plus_millis(60 * MINUTE), late),
            Err(Frozen::Window { .. })
        ));
    }

    #[test]
    fn the_message_names_when_the_freeze_began() {
        let freeze = EditFreeze::default();
        let frozen = freeze.why_frozen(START, START.plus_millis(-MINUTE));
        assert_eq!(
            frozen.message(),
            "This sale's schedule froze at 2026-11-10 23:50:00 UTC, 10 minutes before it starts \
             at 2026-11-11 00:00:00 UTC: it can no longer be edited or cancelled."
        );
        assert!(
            freeze
                .why_frozen(START, START)
                .message()
                .contains("has started")
        );
    }

    #[test]
    fn freezes_read_as_people_say_them() {
        let words = |s| EditFreeze::seconds(s).describe();
        assert_eq!(words(600), "10 minutes");
        assert_eq!(words(60), "1 minute");
        assert_eq!(words(90), "90 seconds");
        assert_eq!(words(1), "1 second");
        assert_eq!(words(0), "0 seconds");
    }
}
