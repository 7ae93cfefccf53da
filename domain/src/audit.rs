//! The audit log's entries: who changed what, when, and what it was before and after. Any kind
//! of subject (a sale today; a festival, or anything a marketer may change, tomorrow) is
//! recorded the same way: a kind, an id, and the subject as JSON on either side of the change.

use serde::{Deserialize, Serialize};

use crate::time::UnixMillis;

/// What a change was made to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// `deal`, …: what kind of thing.
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increasing with every entry: newer entries have larger ids.
    pub id: i64,
    /// When origin recorded it.
    pub at: UnixMillis,
    /// Who: the label of the marketer token that made the change.
    pub actor: String,
    pub subject: Subject,
    /// `schedule`, `edit`, `cancel`, `end`, `top_up`, `pause`, `resume`, …
    pub action: String,
    /// The subject before the change (none when it was created).
    pub before: Option<serde_json::Value>,
    /// The subject after the change (none when it was removed).
    pub after: Option<serde_json::Value>,
}

/// `GET /admin/audit`'s answer: entries newest first; `next`, when not null, is the `before`
/// of the next (older) page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<i64>,
}

/// Entries a page holds unless asked for fewer; and at most.
pub const AUDIT_PAGE: u32 = 50;
pub const AUDIT_PAGE_MOST: u32 = 500;
