//! The console's SQL: editing and cancelling a sale before its schedule freezes, and the reads the
//! live dashboard aggregates.

use festival_domain::dashboard::{self, DashboardWindow, DealSales, SecondCount};
use festival_domain::freeze::Frozen;
use festival_domain::{Deal, DealId, UnixMillis};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

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

/// Replaces the schedule of `deal` (by its id) if `may_change` allows it for the stored sale.
/// The read, the rule and the write are one `BEGIN IMMEDIATE` transaction, which holds the
/// write lock throughout, so no other edit can slip between the check and the write.
pub async fn update_deal(
    db: &SqlitePool,
    deal: &Deal,
    may_change: impl FnOnce(&Deal) -> Result<(), Frozen>,
) -> Result<Change, sqlx::Error> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let Some(stored) = crate::db::find_deal(&mut tx, &deal.id).await? else {
        return Ok(Change::Unknown);
    };
    if let Err(frozen) = may_change(&stored) {
        return Ok(Change::Frozen(frozen));
    }
    let update = sqlx::query(
        "UPDATE deals SET name = ?, description = ?, image_url = ?, price_minor = ?,
                          was_price_minor = ?, currency = ?, stock = ?, starts_at = ?,
                          ends_at = ?, per_customer_limit = ?, shards = ?
         WHERE id = ?",
    );
    crate::db::bind_schedule(update, deal)
        .bind(deal.id.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Change::Done)
}

/// Takes `id` out of the schedule if `may_change` allows it for the stored sale, keeping a copy
/// in `cancelled_deals` (stamped `now`), in one `BEGIN IMMEDIATE` transaction as
/// [`update_deal`]. Returns the cancelled deal.
pub async fn cancel_deal(
    db: &SqlitePool,
    id: &DealId,
    now: UnixMillis,
    may_change: impl FnOnce(&Deal) -> Result<(), Frozen>,
) -> Result<(Change, Option<Deal>), sqlx::Error> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let Some(stored) = crate::db::find_deal(&mut tx, id).await? else {
        return Ok((Change::Unknown, None));
    };
    if let Err(frozen) = may_change(&stored) {
        return Ok((Change::Frozen(frozen), None));
    }
    sqlx::query("DELETE FROM deals WHERE id = ?")
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    let record = serde_json::to_string(&stored).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("INSERT INTO cancelled_deals (id, deal_json, cancelled_at) VALUES (?, ?, ?)")
        .bind(id.as_str())
        .bind(record)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((Change::Done, Some(stored)))
}

/// The dashboard's inputs; the orders are read in one transaction so their figures agree.
pub async fn dashboard_inputs(
    db: &SqlitePool,
    window: &DashboardWindow,
) -> Result<(Vec<Deal>, Vec<DealSales>, Vec<SecondCount>), sqlx::Error> {
    let deals = crate::db::list_deals(db).await?;
    let mut tx = db.begin().await?;

    let rows = sqlx::query(
        "SELECT deal_id, COUNT(*) AS orders, COALESCE(SUM(quantity), 0) AS units,
                COALESCE(SUM(total_minor), 0) AS revenue
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
         FROM orders WHERE priced_at >= ? AND priced_at < ?
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
    tx: &mut Transaction<'_, Sqlite>,
    deal: &DealId,
    stock: u32,
) -> Result<Option<UnixMillis>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT priced_at, quantity FROM orders
         WHERE deal_id = ? AND status <> 'cancelled'
         ORDER BY priced_at, id LIMIT ?",
    )
    .bind(deal.as_str())
    .bind(stock)
    .fetch_all(&mut **tx)
    .await?;
    let orders = rows
        .iter()
        .map(|row| -> Result<_, sqlx::Error> {
            Ok((
                UnixMillis(row.try_get("priced_at")?),
                row.try_get::<u32, _>("quantity")?,
            ))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(dashboard::sold_out_at(stock, orders))
}
