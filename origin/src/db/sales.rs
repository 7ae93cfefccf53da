//! The SQL of the marketer's changes and reads: editing and cancelling a sale before its schedule freezes, and the reads the
//! live dashboard aggregates.

use festival_domain::dashboard::{self, DashboardWindow, DealSales, SecondCount};
use festival_domain::freeze::Frozen;
use festival_domain::{Deal, DealId, UnixMillis};
use sqlx::{Any, AnyPool, Row, Transaction};

use super::{self as db, Engine, audit};

/// What an edit or a cancel found.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// Done.
    Done,
    /// No deal has this id.
    Unknown,
    /// The stored sale may no longer change (the caller's rule said why); nothing changed.
    Frozen(Frozen),
}

/// Replaces the schedule of `deal` (by its id) if `may_change` allows it for the stored sale,
/// recorded in the audit log as `actor`'s at `now`.
/// The read, the rule and the write are one transaction that holds the row (SQLite: the write
/// lock, from `BEGIN IMMEDIATE`; PostgreSQL: the row, `FOR UPDATE`) throughout, so no other
/// edit can slip between the check and the write.
pub async fn update_deal(
    db: &AnyPool,
    deal: &Deal,
    (actor, now): (&str, UnixMillis),
    may_change: impl FnOnce(&Deal) -> Result<(), Frozen>,
) -> Result<Change, sqlx::Error> {
    let engine = Engine::of_pool(db);
    let mut tx = db.begin_with(engine.begin_to_write()).await?;
    let Some(stored) = db::find_deal_to_write(&mut tx, engine, &deal.id).await? else {
        return Ok(Change::Unknown);
    };
    if let Err(frozen) = may_change(&stored) {
        return Ok(Change::Frozen(frozen));
    }
    let update = sqlx::query(
        "UPDATE deals SET name = $1, description = $2, image_url = $3, price_minor = $4,
                          was_price_minor = $5, currency = $6, stock = $7, starts_at = $8,
                          ends_at = $9, per_customer_limit = $10, shards = $11,
                          translations = $12
         WHERE id = $13",
    );
    db::bind_schedule(update, deal)
        .bind(deal.id.as_str())
        .execute(&mut *tx)
        .await?;
    let sides = (Some(&stored), Some(deal));
    audit::record_deal_change(&mut tx, &deal.id, "edit", (actor, now), sides).await?;
    tx.commit().await?;
    Ok(Change::Done)
}

/// Takes `id` out of the schedule if `may_change` allows it for the stored sale, keeping a copy
/// in `cancelled_deals` (stamped `now`) and recording it as `actor`'s, in one transaction that holds the row as
/// [`update_deal`]'s. Returns the cancelled deal.
pub async fn cancel_deal(
    db: &AnyPool,
    id: &DealId,
    (actor, now): (&str, UnixMillis),
    may_change: impl FnOnce(&Deal) -> Result<(), Frozen>,
) -> Result<(Change, Option<Deal>), sqlx::Error> {
    let engine = Engine::of_pool(db);
    let mut tx = db.begin_with(engine.begin_to_write()).await?;
    let Some(stored) = db::find_deal_to_write(&mut tx, engine, id).await? else {
        return Ok((Change::Unknown, None));
    };
    if let Err(frozen) = may_change(&stored) {
        return Ok((Change::Frozen(frozen), None));
    }
    sqlx::query("DELETE FROM deals WHERE id = $1")
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    let record = serde_json::to_string(&stored).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("INSERT INTO cancelled_deals (id, deal_json, cancelled_at) VALUES ($1, $2, $3)")
        .bind(id.as_str())
        .bind(record)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
    audit::record_deal_change(&mut tx, id, "cancel", (actor, now), (Some(&stored), None)).await?;
    tx.commit().await?;
    Ok((Change::Done, Some(stored)))
}

/// The dashboard's inputs; the orders are read in one transaction so their figures agree.
pub async fn dashboard_inputs(
    db: &AnyPool,
    window: &DashboardWindow,
) -> Result<(Vec<Deal>, Vec<DealSales>, Vec<SecondCount>), sqlx::Error> {
    let deals = db::list_deals(db).await?;
    let mut tx = db.begin().await?;

    let rows = sqlx::query(
        "SELECT deal_id, COUNT(*) AS orders, CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS units,
                CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) AS revenue
         FROM orders WHERE status <> 'cancelled' GROUP BY deal_id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut sales = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(deal_id) = DealId::parse(&row.try_get::<String, _>("deal_id")?) else {
            continue;
        };
        let units: i64 = row.try_get("units")?;
        let sold_out_at = match deals.iter().find(|deal| deal.id == deal_id) {
            Some(deal) if units >= i64::from(deal.stock) => {
                sold_out_at(&mut tx, &deal_id, deal.stock).await?
            }
            _ => None,
        };
        sales.push(DealSales {
            deal_id,
            orders: row.try_get::<i64, _>("orders")?.max(0) as u64,
            units: units.max(0) as u64,
            revenue_minor: row.try_get("revenue")?,
            sold_out_at,
        });
    }

    let end = window
        .start()
        .plus_millis(i64::from(window.buckets()) * i64::from(window.bucket_s()) * 1_000);
    let rows = sqlx::query(
        "SELECT deal_id, priced_at / 1000 AS second, COUNT(*) AS orders
         FROM orders WHERE priced_at >= $1 AND priced_at < $2
         GROUP BY deal_id, second",
    )
    .bind(window.start().0)
    .bind(end.0)
    .fetch_all(&mut *tx)
    .await?;
    let mut per_second = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(deal_id) = DealId::parse(&row.try_get::<String, _>("deal_id")?) else {
            continue;
        };
        per_second.push(SecondCount {
            deal_id,
            second: row.try_get("second")?,
            orders: u32::try_from(row.try_get::<i64, _>("orders")?).unwrap_or(u32::MAX),
        });
    }
    tx.commit().await?;
    Ok((deals, sales, per_second))
}

/// When `deal`'s units sold reached `stock`. Each order holds at least one unit, so the first
/// `stock` orders by time are all that can matter.
async fn sold_out_at(
    tx: &mut Transaction<'_, Any>,
    deal: &DealId,
    stock: u32,
) -> Result<Option<UnixMillis>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT priced_at, quantity FROM orders
         WHERE deal_id = $1 AND status <> 'cancelled'
         ORDER BY priced_at, id LIMIT $2",
    )
    .bind(deal.as_str())
    .bind(i64::from(stock))
    .fetch_all(&mut **tx)
    .await?;
    let orders = rows
        .iter()
        .map(|row| -> Result<_, sqlx::Error> {
            Ok((
                UnixMillis(row.try_get("priced_at")?),
                u32::try_from(row.try_get::<i64, _>("quantity")?).unwrap_or(u32::MAX),
            ))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(dashboard::sold_out_at(stock, orders))
}
