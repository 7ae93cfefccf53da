//! Time as the server sees it: milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};

/// A moment, in milliseconds since the Unix epoch (UTC). Every clock reading enters the domain as
/// one of these, so rules never read a clock themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    /// This moment shifted by `millis` (negative moves back).
    pub fn plus_millis(self, millis: i64) -> Self {
        UnixMillis(self.0.saturating_add(millis))
    }

    /// Whole milliseconds from `self` until `later` (negative if `later` is earlier).
    pub fn millis_until(self, later: UnixMillis) -> i64 {
        later.0.saturating_sub(self.0)
    }
}
