//! The audit log's SQL: one row per change, recorded inside the transaction that makes the
//! change (so a change is never stored without its entry, nor an entry without its change),
//! read newest first by a cursor.

use festival_domain::audit::{AuditEntry, AuditPage, Subject};
use festival_domain::{DealId, UnixMillis};
use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, Row};

/// A change about to be recorded: who made it, to what, and the subject on either side (`None`
/// before a creation, after a removal). Festivals, or any other subject, record the same way.
pub struct Change<'a> {
    pub at: UnixMillis,
    pub actor: &'a str,
    pub kind: &'a str,
    pub id: &'a str,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The JSON of a subject, for [`Change`]'s sides.
pub fn side(subject: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(subject).ok()
}

/// Records `change` on `conn`, inside the caller's transaction.
pub async fn record(conn: &mut AnyConnection, change: Change<'_>) -> Result<(), sqlx::Error> {
    let text = |value: Option<serde_json::Value>| value.map(|v| v.to_string());
    sqlx::query(
        "INSERT INTO audit_log (at, actor, subject_kind, subject_id, action, before_json,
                                after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(change.at.0)
    .bind(change.actor)
    .bind(change.kind)
    .bind(change.id)
    .bind(change.action)
    .bind(text(change.before))
    .bind(text(change.after))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records `actor`'s `action` on the deal `id` at `now` on `conn`, inside the caller's
/// transaction (so the entry commits with the change or not at all): the deal as it was and as
/// it is (`None` before it is scheduled, once it is cancelled). Scheduling, editing, cancelling
/// and every live action record a deal's change here.
pub async fn record_deal_change<T: Serialize>(
    conn: &mut AnyConnection,
    id: &DealId,
    action: &str,
    (actor, now): (&str, UnixMillis),
    (before, after): (Option<&T>, Option<&T>),
) -> Result<(), sqlx::Error> {
    let change = Change {
        at: now,
        actor,
        kind: "deal",
        id: id.as_str(),
        action,
        before: before.and_then(side),
        after: after.and_then(side),
    };
    record(conn, change).await
}

/// The `limit` newest entries older than entry `before` (all, without it).
pub async fn page(db: &AnyPool, before: Option<i64>, limit: u32) -> Result<AuditPage, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, actor, subject_kind, subject_id, action, before_json, after_json
         FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?;
    let json = |column: &str, row: &sqlx::any::AnyRow| -> Result<_, sqlx::Error> {
        row.try_get::<Option<String>, _>(column)?
            .map(|text| serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e))))
            .transpose()
    };
    let mut entries = rows
        .iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: UnixMillis(row.try_get("at")?),
                actor: row.try_get("actor")?,
                subject: Subject {
                    kind: row.try_get("subject_kind")?,
                    id: row.try_get("subject_id")?,
                },
                action: row.try_get("action")?,
                before: json("before_json", row)?,
                after: json("after_json", row)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let next = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage { entries, next })
}
