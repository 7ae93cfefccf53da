//! The SQL: every query origin runs, written once for SQLite and PostgreSQL (see [`engine`]).

pub mod audit;
pub mod engine;
pub mod export;
pub mod festivals;
pub mod live;
pub mod sales;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
#[cfg(test)]
mod tests;

pub use festival_domain::reconcile::DealTotals;
use festival_domain::{
    CustomerId, Deal, DealId, IdempotencyKey, Order, OrderId, OrderStatus, PricedOrder, Quantity,
    UnixMillis,
};
use std::collections::{HashMap, HashSet};

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Row};

pub use engine::{Engine, connect};

/// The columns [`deal_from_row`] reads.
pub(crate) const DEAL_COLUMNS: &str = "id, name, description, image_url, price_minor, was_price_minor, \
                            currency, stock, starts_at, ends_at, per_customer_limit, shards, translations";

/// Every scheduled deal, soonest start first.
pub async fn list_deals(db: &AnyPool) -> Result<Vec<Deal>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {DEAL_COLUMNS} FROM deals ORDER BY starts_at, id"
    ))
    .fetch_all(db)
    .await?;
    rows.iter().map(deal_from_row).collect()
}

/// The scheduled deal `id`, read on `conn` inside a caller's transaction opened with
/// [`Engine::begin_to_write`], so that the row stays as read until the commit.
pub async fn find_deal_to_write(
    conn: &mut AnyConnection,
    engine: Engine,
    id: &DealId,
) -> Result<Option<Deal>, sqlx::Error> {
    let lock = engine.lock_suffix();
    sqlx::query(&format!(
        "SELECT {DEAL_COLUMNS} FROM deals WHERE id = $1{lock}"
    ))
    .bind(id.as_str())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(deal_from_row)
    .transpose()
}

pub(crate) fn deal_from_row(row: &AnyRow) -> Result<Deal, sqlx::Error> {
    let id: String = row.try_get("id")?;
    let count = |column: &str| -> Result<u32, sqlx::Error> {
        u32::try_from(row.try_get::<i64, _>(column)?)
            .map_err(|_| sqlx::Error::Decode(format!("stored deal has a bad {column}").into()))
    };
    Ok(Deal {
        id: DealId::parse(&id).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        image_url: row.try_get("image_url")?,
        price_minor: row.try_get("price_minor")?,
        was_price_minor: row.try_get("was_price_minor")?,
        currency: row.try_get("currency")?,
        stock: count("stock")?,
        starts_at: UnixMillis(row.try_get("starts_at")?),
        ends_at: UnixMillis(row.try_get("ends_at")?),
        per_customer_limit: count("per_customer_limit")?,
        shards: count("shards")?,
        translations: serde_json::from_str(&row.try_get::<String, _>("translations")?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
    })
}

/// Inserts a deal, recorded in the audit log as `actor`'s, in one transaction; `Ok(false)`
/// (nothing written) when a deal with its id already exists.
pub async fn insert_deal(
    db: &AnyPool,
    deal: &Deal,
    now: UnixMillis,
    actor: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let insert = sqlx::query(
        "INSERT INTO deals (name, description, image_url, price_minor, was_price_minor, currency,
                            stock, starts_at, ends_at, per_customer_limit, shards, translations,
                            id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO NOTHING",
    );
    let result = bind_schedule(insert, deal)
        .bind(deal.id.as_str())
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
    if result.rows_affected() != 1 {
        return Ok(false);
    }
    audit::record_deal_change(
        &mut tx,
        &deal.id,
        "schedule",
        (actor, now),
        (None, Some(deal)),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Binds a deal's schedule — name, description, image_url, price_minor, was_price_minor,
/// currency, stock, starts_at, ends_at, per_customer_limit, shards, translations (as JSON) —
/// as `$1`…`$12`, so that
/// every statement writing a deal lists those columns in that order and binds them in one place.
pub fn bind_schedule<'q>(
    query: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    deal: &'q Deal,
) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
    query
        .bind(&deal.name)
        .bind(&deal.description)
        .bind(&deal.image_url)
        .bind(deal.price_minor)
        .bind(deal.was_price_minor)
        .bind(&deal.currency)
        .bind(i64::from(deal.stock))
        .bind(deal.starts_at.0)
        .bind(deal.ends_at.0)
        .bind(i64::from(deal.per_customer_limit))
        .bind(i64::from(deal.shards))
        .bind(serde_json::to_string(&deal.translations).unwrap_or_else(|_| "[]".into()))
}

/// The columns of an order's row, in the order [`bind_order_row`] binds them.
const ORDER_COLUMNS: &str = "id, deal_id, customer_id, idempotency_key, quantity, \
                             unit_price_minor, total_minor, currency, status, priced_at, stored_at";
const ORDER_COLUMN_COUNT: usize = 11;

/// `INSERT INTO orders (…) VALUES ($1, …), (…)` for `rows` orders, each bound by
/// [`bind_order_row`] in turn.
pub(crate) fn insert_order_rows(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let first = row * ORDER_COLUMN_COUNT + 1;
            let params: Vec<String> = (first..first + ORDER_COLUMN_COUNT)
                .map(|n| format!("${n}"))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO orders ({ORDER_COLUMNS}) VALUES {}",
        values.join(", ")
    )
}

/// Binds one order's row for [`insert_order_rows`], stored at `now`.
pub(crate) fn bind_order_row<'q>(
    query: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    order: &'q Order,
    now: UnixMillis,
) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
    let p = &order.priced;
    query
        .bind(order.id.as_str())
        .bind(p.deal_id.as_str())
        .bind(p.customer_id.as_str())
        .bind(p.idempotency_key.as_str())
        .bind(i64::from(p.quantity.get()))
        .bind(p.unit_price_minor)
        .bind(p.total_minor)
        .bind(&p.currency)
        .bind(order.status.stored_at_origin().as_str())
        .bind(p.priced_at.0)
        .bind(now.0)
}

/// Stores a batch in one statement (so whole or not at all), idempotently by order id. A
/// cancelled order overwrites a stored one's status (once); an accepted order never overwrites
/// a cancellation, whichever arrives first. Returns, in batch order, whether each order changed
/// anything.
///
/// One statement, not one per order: on PostgreSQL each statement is a round trip, and a batch
/// of 100 orders paid 100 of them. A statement may not touch a row twice, so an order the batch
/// carries twice (sold, then cancelled) goes in once, cancelled if either copy is — what storing
/// them one after the other would leave; its first copy answers for it.
pub async fn store_orders(
    db: &AnyPool,
    orders: &[Order],
    now: UnixMillis,
) -> Result<Vec<bool>, sqlx::Error> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    // Per id: its first copy's place in the batch, and its row.
    let mut first_copy: HashMap<&OrderId, (usize, usize)> = HashMap::new();
    let mut rows: Vec<&Order> = Vec::with_capacity(orders.len());
    for (index, order) in orders.iter().enumerate() {
        match first_copy.get(&order.id) {
            Some(&(_, row)) if order.status == OrderStatus::Cancelled => rows[row] = order,
            Some(_) => {}
            None => {
                first_copy.insert(&order.id, (index, rows.len()));
                rows.push(order);
            }
        }
    }
    // In id order: two batches that share orders (a redelivery beside a shard's re-send) then
    // lock their rows in the same order, and PostgreSQL never finds them deadlocked.
    rows.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let sql = format!(
        "{} ON CONFLICT (id) DO UPDATE SET status = 'cancelled' \
         WHERE excluded.status = 'cancelled' AND orders.status <> 'cancelled' RETURNING id",
        insert_order_rows(rows.len())
    );
    let query = rows.iter().fold(sqlx::query(&sql), |query, order| {
        bind_order_row(query, order, now)
    });
    let changed: HashSet<String> = query
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("id"))
        .collect::<Result<_, _>>()?;
    Ok(orders
        .iter()
        .enumerate()
        .map(|(index, order)| {
            first_copy.get(&order.id).map(|&(first, _)| first) == Some(index)
                && changed.contains(order.id.as_str())
        })
        .collect())
}

/// One stored order.
pub async fn get_order(db: &AnyPool, id: &OrderId) -> Result<Option<Order>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, deal_id, customer_id, idempotency_key, quantity, unit_price_minor,
                total_minor, currency, status, priced_at
         FROM orders WHERE id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(order_from_row).transpose()
}

pub(super) fn order_from_row(row: &AnyRow) -> Result<Order, sqlx::Error> {
    let bad = |what: &str| sqlx::Error::Decode(format!("stored order has a bad {what}").into());
    let text = |col: &str| row.try_get::<String, _>(col);
    let status = OrderStatus::parse(&text("status")?).ok_or_else(|| bad("status"))?;
    Ok(Order {
        id: OrderId::parse(&text("id")?).ok_or_else(|| bad("id"))?,
        status,
        priced: PricedOrder {
            deal_id: DealId::parse(&text("deal_id")?).map_err(|_| bad("deal id"))?,
            customer_id: CustomerId::new(&text("customer_id")?).ok_or_else(|| bad("customer"))?,
            idempotency_key: IdempotencyKey::new(&text("idempotency_key")?)
                .map_err(|_| bad("idempotency key"))?,
            quantity: Quantity::new(row.try_get("quantity")?).map_err(|_| bad("quantity"))?,
            unit_price_minor: row.try_get("unit_price_minor")?,
            total_minor: row.try_get("total_minor")?,
            currency: text("currency")?,
            priced_at: UnixMillis(row.try_get("priced_at")?),
        },
    })
}

/// Orders and units per deal that origin holds as sold (not cancelled), for reconciliation.
pub async fn sold_per_deal(db: &AnyPool) -> Result<Vec<DealTotals>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT deal_id, COUNT(*) AS orders, CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS units
         FROM orders WHERE status <> 'cancelled' GROUP BY deal_id ORDER BY deal_id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(deal_id, orders, units)| DealTotals {
            deal_id,
            orders,
            units,
        })
        .collect())
}
