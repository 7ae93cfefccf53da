//! The SQL of a live sale's controls: a marketer's action read, decided and written with its
//! audit entry in one transaction that holds the deal (as an edit does), and the schedule with
//! every deal's controls, which the edge reads.

use festival_domain::catalog::ScheduledDeal;
use festival_domain::live::{LiveAction, LiveControl};
use festival_domain::{Deal, DealId, SaleState, UnixMillis};
use sqlx::{AnyConnection, AnyPool, Row};

use super::audit;
use super::{DEAL_COLUMNS, Engine, deal_from_row, find_deal_to_write};

/// What became of a marketer's action on a live sale.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done (or, for a top-up whose key was used before, done earlier): the deal after it.
    Done(Box<ScheduledDeal>),
    /// No deal has this id.
    Unknown,
    /// The action does not apply to the sale as it stands; nothing changed. In words.
    Refused(&'static str),
}

/// Every scheduled deal with its live controls, soonest start first.
pub async fn list_scheduled(db: &AnyPool) -> Result<Vec<ScheduledDeal>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {DEAL_COLUMNS}, live_json FROM deals ORDER BY starts_at, id"
    ))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ScheduledDeal {
                deal: deal_from_row(row)?,
                live: live_from(&row.try_get::<String, _>("live_json")?)?,
            })
        })
        .collect()
}

/// Applies `action` to deal `id` at `now` for `actor`, recording it in the audit log, if
/// `may_act` allows it for the stored sale (else its words, and nothing changes).
pub async fn act(
    db: &AnyPool,
    id: &DealId,
    action: &LiveAction,
    (actor, now): (&str, UnixMillis),
    may_act: impl FnOnce(&Deal) -> Result<(), &'static str>,
) -> Result<Outcome, sqlx::Error> {
    let engine = Engine::of_pool(db);
    let mut tx = db.begin_with(engine.begin_to_write()).await?;
    let Some(deal) = find_deal_to_write(&mut tx, engine, id).await? else {
        return Ok(Outcome::Unknown);
    };
    let before = ScheduledDeal {
        live: stored_live(&mut tx, id).await?,
        deal,
    };
    if let LiveAction::TopUp { key, .. } = action
        && top_up_exists(&mut tx, id, key).await?
    {
        return Ok(Outcome::Done(Box::new(before)));
    }
    if before.deal.state_at(now) == SaleState::Ended {
        return Ok(Outcome::Refused(
            "This sale is over; it cannot change any more.",
        ));
    }
    if let Err(words) = may_act(&before.deal) {
        return Ok(Outcome::Refused(words));
    }
    let live = match action.apply(before.live, now) {
        Ok(live) => live,
        Err(words) => return Ok(Outcome::Refused(words)),
    };
    let after = ScheduledDeal {
        deal: before.deal.clone(),
        live,
    };
    let text = serde_json::to_string(&live).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("UPDATE deals SET live_json = $1 WHERE id = $2")
        .bind(text)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    if let LiveAction::TopUp { units, key } = action {
        sqlx::query("INSERT INTO top_ups (deal_id, key, units, added_at) VALUES ($1, $2, $3, $4)")
            .bind(id.as_str())
            .bind(key.as_str())
            .bind(i64::from(*units))
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
    }
    let sides = (Some(&before), Some(&after));
    audit::record_deal_change(&mut tx, id, action.name(), (actor, now), sides).await?;
    tx.commit().await?;
    Ok(Outcome::Done(Box::new(after)))
}

async fn stored_live(conn: &mut AnyConnection, id: &DealId) -> Result<LiveControl, sqlx::Error> {
    let row = sqlx::query("SELECT live_json FROM deals WHERE id = $1")
        .bind(id.as_str())
        .fetch_one(conn)
        .await?;
    live_from(&row.try_get::<String, _>("live_json")?)
}

async fn top_up_exists(
    conn: &mut AnyConnection,
    id: &DealId,
    key: &str,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("SELECT units FROM top_ups WHERE deal_id = $1 AND key = $2")
            .bind(id.as_str())
            .bind(key)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

fn live_from(text: &str) -> Result<LiveControl, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
