//! The SQL of festivals: list them, and schedule, edit or take one out, each write checked
//! against every other festival and deal in the transaction that makes it.

use festival_domain::deal::ScheduleProblem;
use festival_domain::{DealId, Festival, UnixMillis};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::{Engine, audit};

const FESTIVAL_COLUMNS: &str = "id, name, tagline, starts_at, ends_at, time_zone, accent, deals";

/// What a write found.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Done,
    /// A new festival's id is taken.
    Exists,
    /// An edit names no stored festival.
    Unknown,
    /// The festival breaks the rules, given the others and the deals (nothing written).
    Refused(Vec<ScheduleProblem>),
}

/// Whether a write adds a festival or replaces the stored one of its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Insert,
    Replace,
}

/// Every festival, soonest start first.
pub async fn list(db: &AnyPool) -> Result<Vec<Festival>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {FESTIVAL_COLUMNS} FROM festivals ORDER BY starts_at, id"
    ))
    .fetch_all(db)
    .await?;
    rows.iter().map(festival_from_row).collect()
}

/// The festivals that have not ended at `now`, soonest start first: what the edge needs.
pub async fn not_ended(db: &AnyPool, now: UnixMillis) -> Result<Vec<Festival>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {FESTIVAL_COLUMNS} FROM festivals WHERE ends_at > $1 ORDER BY starts_at, id"
    ))
    .bind(now.0)
    .fetch_all(db)
    .await?;
    rows.iter().map(festival_from_row).collect()
}

/// Writes `festival` if [`Festival::problems`] finds none against the festivals and deals
/// stored, read in the same transaction while other festival writers wait, so two festivals
/// written at once can never overlap. The audit log records it (by `actor`, at `now`) in the
/// same transaction.
pub async fn write(
    db: &AnyPool,
    festival: &Festival,
    write: Write,
    (actor, now): (&str, UnixMillis),
) -> Result<Written, sqlx::Error> {
    let engine = Engine::of_pool(db);
    let mut tx = db.begin_with(engine.begin_to_write()).await?;
    if let Some(lock) = engine.writers_take_turns("festivals") {
        sqlx::query(&lock).execute(&mut *tx).await?;
    }
    let others = all_in(&mut tx).await?;
    let stored = others.iter().find(|other| other.id == festival.id);
    match (write, stored) {
        (Write::Insert, Some(_)) => return Ok(Written::Exists),
        (Write::Replace, None) => return Ok(Written::Unknown),
        _ => {}
    }
    let change = audit::Change {
        at: now,
        actor,
        kind: "festival",
        id: &festival.id,
        action: match write {
            Write::Insert => "schedule",
            Write::Replace => "edit",
        },
        before: stored.and_then(audit::side),
        after: audit::side(festival),
    };
    let deals = deal_ids_in(&mut tx).await?;
    let problems = festival.problems(&others, &deals);
    if !problems.is_empty() {
        return Ok(Written::Refused(problems));
    }
    let deal_ids =
        serde_json::to_string(&festival.deals).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let statement = match write {
        Write::Insert => {
            "INSERT INTO festivals (name, tagline, starts_at, ends_at, time_zone, accent, deals,
                                    id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        }
        Write::Replace => {
            "UPDATE festivals SET name = $1, tagline = $2, starts_at = $3, ends_at = $4,
                                  time_zone = $5, accent = $6, deals = $7
             WHERE id = $8"
        }
    };
    let query = sqlx::query(statement)
        .bind(&festival.name)
        .bind(&festival.tagline)
        .bind(festival.starts_at.0)
        .bind(festival.ends_at.0)
        .bind(&festival.time_zone)
        .bind(&festival.accent)
        .bind(deal_ids)
        .bind(&festival.id);
    let query = match write {
        Write::Insert => query.bind(now.0),
        Write::Replace => query,
    };
    query.execute(&mut *tx).await?;
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(Written::Done)
}

/// Takes festival `id` out of the schedule, recorded in the audit log (by `actor`, at `now`);
/// the festival it was, if any.
pub async fn delete(
    db: &AnyPool,
    id: &str,
    (actor, now): (&str, UnixMillis),
) -> Result<Option<Festival>, sqlx::Error> {
    // Festival writers take turns (as in `write`): the festival read is the one deleted, and
    // two deletes at once record one entry.
    let engine = Engine::of_pool(db);
    let mut tx = db.begin_with(engine.begin_to_write()).await?;
    if let Some(lock) = engine.writers_take_turns("festivals") {
        sqlx::query(&lock).execute(&mut *tx).await?;
    }
    let found = sqlx::query(&format!(
        "SELECT {FESTIVAL_COLUMNS} FROM festivals WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .as_ref()
    .map(festival_from_row)
    .transpose()?;
    if let Some(found) = &found {
        sqlx::query("DELETE FROM festivals WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = audit::Change {
            at: now,
            actor,
            kind: "festival",
            id,
            action: "delete",
            before: audit::side(found),
            after: None,
        };
        audit::record(&mut tx, change).await?;
    }
    tx.commit().await?;
    Ok(found)
}

async fn all_in(conn: &mut AnyConnection) -> Result<Vec<Festival>, sqlx::Error> {
    let rows = sqlx::query(&format!("SELECT {FESTIVAL_COLUMNS} FROM festivals"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(festival_from_row).collect()
}

async fn deal_ids_in(conn: &mut AnyConnection) -> Result<Vec<DealId>, sqlx::Error> {
    let rows = sqlx::query("SELECT id FROM deals").fetch_all(conn).await?;
    Ok(rows
        .iter()
        .filter_map(|row| DealId::parse(&row.try_get::<String, _>("id").ok()?).ok())
        .collect())
}

fn festival_from_row(row: &AnyRow) -> Result<Festival, sqlx::Error> {
    let deals: String = row.try_get("deals")?;
    Ok(Festival {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        tagline: row.try_get("tagline")?,
        starts_at: UnixMillis(row.try_get("starts_at")?),
        ends_at: UnixMillis(row.try_get("ends_at")?),
        time_zone: row.try_get("time_zone")?,
        accent: row.try_get("accent")?,
        deals: serde_json::from_str(&deals).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
    })
}
